/**
 * The argument and environment strings of an exec: their byte form and
 * Linux's limits on them (fs/exec.c: copy_strings, bprm_stack_limits).
 *
 * Strings are byte strings, as execve(2) sees them: a Uint8Array, or a JS
 * string read as Latin-1 (one byte per character, U+0000–U+00FF; a higher
 * character is EINVAL — encode UTF-8 yourself and pass the bytes). A string
 * ends at its first NUL, as a C string copied from user memory would.
 *
 * Limits (each string counted with its NUL):
 * - every string, the exec path (AT_EXECFN) included, is at most
 *   {@link MAX_ARG_STRLEN} = 32 pages;
 * - path + argv + envp bytes, plus 8 bytes per pointer for
 *   max(argc, 1) + envc pointers, are at most
 *   max(min(RLIMIT_STACK / 4, 3/4 · 8 MiB), {@link ARG_MAX} = 32 pages);
 * otherwise E2BIG. An empty argv becomes [""] (Linux >= 5.18 does the same,
 * so argv[0] always exists).
 */
import { E2BIG, EINVAL } from "./errors";
import { PAGE_SIZE } from "./load-plan";

/** A byte string: bytes, or a Latin-1 JS string. */
export type ExecString = Uint8Array | string;

/** Longest string, NUL included (Linux MAX_ARG_STRLEN). */
export const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
/** Minimum room for strings whatever the stack limit (Linux ARG_MAX, 32 pages). */
export const ARG_MAX = 32 * PAGE_SIZE;
/** Linux's default RLIMIT_STACK (_STK_LIM, 8 MiB). */
export const DEFAULT_STACK_LIMIT = 8 * 1024 * 1024;

/** The strings of one exec as NUL-terminated bytes. */
export interface ArgumentStrings {
  readonly path: Uint8Array;
  readonly argv: readonly Uint8Array[];
  readonly envp: readonly Uint8Array[];
  /** Bytes of all strings together, NULs included. */
  readonly totalBytes: number;
}

/** Room for strings and their pointers under a stack limit of `stackLimit` bytes. */
export function argumentSpaceLimit(stackLimit: number): number {
  return Math.max(Math.min(Math.floor(stackLimit / 4), (DEFAULT_STACK_LIMIT / 4) * 3), ARG_MAX);
}

/** Converts and checks the strings (see the file header). Returns them, E2BIG or EINVAL. */
export function prepareArgumentStrings(
  path: ExecString,
  argv: readonly ExecString[],
  envp: readonly ExecString[],
  stackLimit: number,
): ArgumentStrings | number {
  const all: Uint8Array[] = [];
  for (const value of [path, ...(argv.length === 0 ? [""] : argv), ...envp]) {
    const bytes = toCString(value);
    if (typeof bytes === "number") return bytes;
    all.push(bytes);
  }
  const pointerBytes = 8 * (Math.max(argv.length, 1) + envp.length);
  const totalBytes = all.reduce((sum, bytes) => sum + bytes.length, 0);
  if (totalBytes + pointerBytes > argumentSpaceLimit(stackLimit)) return E2BIG;
  const argc = Math.max(argv.length, 1);
  return {
    path: all[0] as Uint8Array,
    argv: all.slice(1, 1 + argc),
    envp: all.slice(1 + argc),
    totalBytes,
  };
}

/** `value` up to its first NUL, plus a NUL; E2BIG beyond MAX_ARG_STRLEN, EINVAL for a non-Latin-1 character. */
export function toCString(value: ExecString): Uint8Array | number {
  const length = cStringLength(value);
  if (length < 0) return EINVAL;
  if (length + 1 > MAX_ARG_STRLEN) return E2BIG;
  const bytes = new Uint8Array(length + 1);
  if (typeof value === "string") {
    for (let index = 0; index < length; index++) bytes[index] = value.charCodeAt(index);
  } else {
    bytes.set(value.subarray(0, length));
  }
  return bytes;
}

/** Characters before the first NUL, or -1 when a string has one above U+00FF before it. */
function cStringLength(value: ExecString): number {
  if (typeof value !== "string") {
    const nul = value.indexOf(0);
    return nul < 0 ? value.length : nul;
  }
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code === 0) return index;
    if (code > 0xff) return -1;
  }
  return value.length;
}
