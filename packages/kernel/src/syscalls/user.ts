/**
 * Little-endian structure building and user-memory helpers for the system
 * call handlers. Buffers are reused per kernel (handlers run to completion,
 * one at a time), so a call allocates nothing for its fixed structures.
 */
import { ERRNO, type UserMemory } from "@tsos/syscall";

/** A reusable little-endian scratch structure. */
export class Struct {
  readonly bytes: Uint8Array;
  readonly view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Zeroes the first `length` bytes and returns a view of them. */
  clear(length = this.bytes.length): Uint8Array {
    this.bytes.fill(0, 0, length);
    return this.bytes.subarray(0, length);
  }

  u32(offset: number, value: number): void {
    this.view.setUint32(offset, value >>> 0, true);
  }

  i32(offset: number, value: number): void {
    this.view.setInt32(offset, value | 0, true);
  }

  /** A 64-bit field from a number (negative values two's complement; |value| < 2^53). */
  u64(offset: number, value: number): void {
    const high = Math.floor(value / 4294967296);
    this.view.setUint32(offset, value - high * 4294967296, true);
    this.view.setUint32(offset + 4, high >>> 0, true);
  }

  readU32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  /** A 64-bit field as a signed number (NaN beyond 2^53). */
  readI64(offset: number): number {
    const low = this.view.getUint32(offset, true);
    const high = this.view.getInt32(offset + 4, true);
    const value = high * 4294967296 + low;
    return Number.isSafeInteger(value) ? value : Number.NaN;
  }

  /** Writes the first `length` bytes to user memory: 0 or -EFAULT. */
  copyOut(memory: UserMemory, address: number, length: number): number {
    return memory.write(address, this.bytes.subarray(0, length)) ? 0 : -ERRNO.EFAULT;
  }

  /** Reads `length` bytes from user memory: 0 or -EFAULT. */
  copyIn(memory: UserMemory, address: number, length: number): number {
    return memory.read(address, this.bytes.subarray(0, length)) ? 0 : -ERRNO.EFAULT;
  }
}

/** Reads a struct timespec through `struct`: ns, or -EFAULT / -EINVAL (negative seconds, nanoseconds outside [0, 1e9)). */
export function readTimespec(struct: Struct, memory: UserMemory, address: number): number {
  if (struct.copyIn(memory, address, 16) < 0) return -ERRNO.EFAULT;
  const seconds = struct.readI64(0);
  const nanoseconds = struct.readI64(8);
  if (!(seconds >= 0) || !(nanoseconds >= 0 && nanoseconds < 1e9)) return -ERRNO.EINVAL;
  return seconds * 1e9 + nanoseconds;
}

/** The struct timeval at `offset` of `struct` as ns; -1 when invalid (negative seconds, microseconds outside [0, 1e6)). */
export function readTimeval(struct: Struct, offset: number): number {
  const seconds = struct.readI64(offset);
  const microseconds = struct.readI64(offset + 8);
  if (!(seconds >= 0) || !(microseconds >= 0 && microseconds < 1e6)) return -1;
  return seconds * 1e9 + microseconds * 1000;
}

/** Writes a 32-bit integer to user memory: 0 or -EFAULT. */
export function putUser32(memory: UserMemory, address: number, value: number): number {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value | 0, true);
  return memory.write(address, bytes) ? 0 : -ERRNO.EFAULT;
}

/** A timespec {tv_sec, tv_nsec} for `ns` nanoseconds. */
export function putTimespec(struct: Struct, offset: number, ns: number): void {
  const seconds = Math.floor(ns / 1e9);
  struct.u64(offset, seconds);
  struct.u64(offset + 8, Math.floor(ns - seconds * 1e9));
}

/** A timeval {tv_sec, tv_usec} for `ns` nanoseconds. */
export function putTimeval(struct: Struct, offset: number, ns: number): void {
  const seconds = Math.floor(ns / 1e9);
  struct.u64(offset, seconds);
  struct.u64(offset + 8, Math.floor((ns - seconds * 1e9) / 1000));
}

/** Linux's MAX_ARG_STRLEN (32 pages) and MAX_ARG_STRINGS. */
export const MAX_ARG_STRLEN = 32 * 4096;
export const MAX_ARG_STRINGS = 0x7fffffff;

/**
 * Reads a NULL-terminated array of string pointers (argv, envp): the
 * strings (Latin-1), or -EFAULT (bad pointer), -E2BIG (a string longer than
 * MAX_ARG_STRLEN, or more than `limitBytes` in all, counting NULs and pointers).
 */
export function readStringArray(memory: UserMemory, address: number, limitBytes: number): string[] | number {
  const out: string[] = [];
  if (address === 0) return out;
  const pointer = new Uint8Array(8);
  const view = new DataView(pointer.buffer);
  let total = 0;
  for (let index = 0; ; index++) {
    if (!memory.read(address + index * 8, pointer)) return -ERRNO.EFAULT;
    const low = view.getUint32(0, true);
    const high = view.getUint32(4, true);
    if (low === 0 && high === 0) return out;
    if (high > 0x7fff) return -ERRNO.EFAULT;
    const text = readString(memory, high * 4294967296 + low, MAX_ARG_STRLEN);
    if (typeof text === "number") return text;
    total += text.length + 1 + 8;
    if (total > limitBytes) return -ERRNO.E2BIG;
    out.push(text);
  }
}

/** A NUL-terminated string of at most `max` bytes (Latin-1): the string, -EFAULT, or -E2BIG when longer. */
export function readString(memory: UserMemory, address: number, max: number): string | number {
  const chunk = new Uint8Array(256);
  let text = "";
  let at = address;
  while (text.length <= max) {
    // Read up to the end of the page, so a string ending just before an unmapped page is fine.
    const pageLeft = 4096 - (at % 4096);
    const want = Math.min(chunk.length, pageLeft);
    const part = chunk.subarray(0, want);
    if (!memory.read(at, part)) return -ERRNO.EFAULT;
    const end = part.indexOf(0);
    const take = end < 0 ? part : part.subarray(0, end);
    for (let index = 0; index < take.length; index++) text += String.fromCharCode(take[index]!);
    if (end >= 0) return text.length > max ? -ERRNO.E2BIG : text;
    at += want;
  }
  return -ERRNO.E2BIG;
}
