/**
 * The syscall layer's view of the calling process's memory: what string
 * arguments are read through and what tracing prints buffers from. The
 * kernel implements it over its address spaces (mm's user copies) and sets
 * it per CPU on every switch (`SyscallCall.memory`); tests use the emulated
 * CPU's page tables or a plain array.
 *
 * Outcomes: a copy either moves every byte and returns true, or returns
 * false (some byte is not mapped user memory) — it never throws, whatever
 * the address.
 */

/** Byte copies to and from the current process's user memory. */
export interface UserMemory {
  /** Fills `into` from user memory at `address`; false if any byte is not readable. */
  read(address: number, into: Uint8Array): boolean;
  /** Copies `bytes` to user memory at `address`; false if any byte is not writable. */
  write(address: number, bytes: Uint8Array): boolean;
}

const PAGE_SIZE = 4096;
const NOT_FOUND = -1;

/** Scratch for string reads: one page (strings are read page by page). Not re-entrant, never shared across awaits. */
const chunk = new Uint8Array(PAGE_SIZE);

/**
 * Reads a NUL-terminated string of at most `maxLength` bytes at `address`,
 * page by page, so bytes past the terminator are never touched (as Linux's
 * strncpy_from_user: a string that ends just before an unmapped page is
 * fine). Returns the string (bytes as Latin-1 code units), or `-14`
 * (-EFAULT) for an unreadable byte, or `-36` (-ENAMETOOLONG) when no NUL
 * appears within `maxLength` bytes.
 */
export function readUserString(memory: UserMemory, address: number, maxLength: number): string | number {
  let text = "";
  let at = address;
  let remaining = maxLength + 1;
  while (remaining > 0) {
    const length = Math.min(PAGE_SIZE - (at % PAGE_SIZE), remaining);
    const view = chunk.subarray(0, length);
    if (!memory.read(at, view)) return -14;
    const end = view.indexOf(0);
    const used = end === NOT_FOUND ? length : end;
    text += String.fromCharCode.apply(null, view.subarray(0, used) as unknown as number[]);
    if (end !== NOT_FOUND) return text;
    at += length;
    remaining -= length;
  }
  return -36;
}
