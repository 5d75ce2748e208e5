/**
 * Copies between kernel buffers and a process's user memory, as Linux's
 * copy_from_user / copy_to_user / strncpy_from_user: page by page through
 * the address space's own translation, faulting pages in (demand-zero,
 * copy-on-write, stack growth) exactly as the process's own access would.
 *
 * Invariants: a copy either completes or returns EFAULT; bytes before the
 * faulting page may already have been copied (as in Linux, which reports
 * the uncopied remainder); kernel addresses (negative, or at/above 2^47)
 * are always EFAULT. Writes go through `PhysicalMemory.bytes` and are
 * announced with `notifyWritten` so decoded-instruction caches stay valid.
 */
import type { PhysicalMemory } from "@tsos/hw-x86";
import type { AddressSpace } from "./address-space";
import { EFAULT } from "./errors";
import { FRAME_SIZE } from "./frame-constants";

function chunkAt(address: number, remaining: number): number {
  return Math.min(remaining, FRAME_SIZE - (address % FRAME_SIZE));
}

/** Copies `out.length` bytes from user `address` into `out`. Returns 0 or EFAULT. */
export function copyFromUser(
  space: AddressSpace,
  memory: PhysicalMemory,
  address: number,
  out: Uint8Array,
): number {
  let done = 0;
  while (done < out.length) {
    const chunk = chunkAt(address + done, out.length - done);
    const physical = space.resolveUserAddress(address + done, false);
    if (physical < 0) return EFAULT;
    out.set(memory.bytes(physical, chunk), done);
    done += chunk;
  }
  return 0;
}

/** Copies `data` to user `address`. Returns 0 or EFAULT. */
export function copyToUser(
  space: AddressSpace,
  memory: PhysicalMemory,
  address: number,
  data: Uint8Array,
): number {
  let done = 0;
  while (done < data.length) {
    const chunk = chunkAt(address + done, data.length - done);
    const physical = space.resolveUserAddress(address + done, true);
    if (physical < 0) return EFAULT;
    memory.bytes(physical, chunk).set(data.subarray(done, done + chunk));
    memory.notifyWritten(physical, chunk);
    done += chunk;
  }
  return 0;
}

/**
 * Copies a NUL-terminated string from user `address` into `out`, at most
 * `out.length` bytes. Returns its length without the NUL (`out.length` when
 * no NUL was found within it, as Linux), or EFAULT.
 */
export function strncpyFromUser(
  space: AddressSpace,
  memory: PhysicalMemory,
  address: number,
  out: Uint8Array,
): number {
  let done = 0;
  while (done < out.length) {
    const chunk = chunkAt(address + done, out.length - done);
    const physical = space.resolveUserAddress(address + done, false);
    if (physical < 0) return EFAULT;
    const bytes = memory.bytes(physical, chunk);
    const nul = bytes.indexOf(0);
    out.set(nul < 0 ? bytes : bytes.subarray(0, nul + 1), done);
    if (nul >= 0) return done + nul;
    done += chunk;
  }
  return out.length;
}
