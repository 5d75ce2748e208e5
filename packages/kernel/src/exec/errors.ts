/**
 * The errors an exec can end with, as the negative errno values execve(2)
 * returns (Linux x86-64 numbers, taken from @tsos/syscall's table).
 *
 * Invariant: the loader never throws for anything a file or an argument
 * list can contain; every refusal is one of these values. A throw means a
 * kernel bug (for instance an AT_RANDOM buffer that is not 16 bytes).
 */
import { ERRNO } from "@tsos/syscall";

/** Exec format error: not a loadable static x86-64 ELF, or a layout the loader refuses. */
export const ENOEXEC = -ERRNO.ENOEXEC;
/** Argument list too long: argv + envp beyond the limits of arg-strings.ts. */
export const E2BIG = -ERRNO.E2BIG;
/** Out of memory: a mapping, a page table or a page could not be had. */
export const ENOMEM = -ERRNO.ENOMEM;
/** Invalid argument: an argument string given as a JS string with a character above U+00FF. */
export const EINVAL = -ERRNO.EINVAL;
