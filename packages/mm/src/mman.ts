/**
 * The vocabulary of address spaces: Linux's mmap(2) PROT_* and MAP_* values,
 * page-fault outcomes, the end of user space, and AddressSpace options.
 *
 * Invariant: the numeric values are Linux x86-64's, so syscall arguments
 * pass through unchanged.
 */

import { type FrameAllocator, type PhysicalMemory, PTE, PTE_HIGH } from "@tsos/hw-x86";
import type { FaultCounters } from "./fault-counters";
import { FRAME_SIZE } from "./frame-constants";
import type { FrameRefCounts } from "./frame-ref-counts";
import type { TlbShootdown } from "./tlb-flush-batch";

/** mmap(2) protection bits (Linux <sys/mman.h>). */
export const PROT = {
  /** No access. */
  NONE: 0,
  /** PROT_READ. */
  READ: 1,
  /** PROT_WRITE (implies read on x86). */
  WRITE: 2,
  /** PROT_EXEC (implies read on x86). */
  EXEC: 4,
} as const;
/** mmap(2) flags (Linux x86-64 <asm-generic/mman-common.h> values). */
export const MAP = {
  /** MAP_SHARED: changes are shared (fork does not copy the pages). */
  SHARED: 0x1,
  /** MAP_PRIVATE: copy-on-write on fork. */
  PRIVATE: 0x2,
  /** MAP_FIXED: exactly at the address, replacing what is there. */
  FIXED: 0x10,
  /** MAP_ANONYMOUS: zero-filled memory, no file. */
  ANONYMOUS: 0x20,
  /** MAP_GROWSDOWN: a stack that grows down on faults below it. */
  GROWSDOWN: 0x100,
  /** MAP_FIXED_NOREPLACE: exactly at the address, EEXIST if something is there. */
  FIXED_NOREPLACE: 0x100000,
} as const;
/** Outcomes of {@link AddressSpace.handlePageFault}; SEGV_* use the si_code values of sigaction(2). */
export const FAULT = {
  /** The page is now mapped; retry the access. */
  RESOLVED: 0,
  /** No mapping at the address: SIGSEGV with si_code SEGV_MAPERR. */
  SEGV_MAPERR: 1,
  /** The mapping forbids the access: SIGSEGV with si_code SEGV_ACCERR. */
  SEGV_ACCERR: 2,
  /** No frame could be had: the OOM policy decides. */
  OOM: 3,
} as const;
/** One of the {@link FAULT} values. */
export type FaultResult = (typeof FAULT)[keyof typeof FAULT];

/** End of user space: 2^47, the first non-canonical address (SDM vol 1 §3.3.7.1). */
export const USER_END = 2 ** 47;

/** Options of {@link AddressSpace.create}. */
export interface AddressSpaceOptions {
  /** Physical memory holding the page tables and pages. */
  readonly memory: PhysicalMemory;
  /** Where page-table frames and user pages come from. */
  readonly frames: FrameAllocator;
  /** Shared by every address space drawing from `frames`. */
  readonly refCounts: FrameRefCounts;
  /** Invalidates TLBs on the CPUs running this space (default: nothing to invalidate, as in tests). */
  readonly shootdown?: TlbShootdown;
  /** Top of the top-down mmap area (default 2^46). */
  readonly mmapBase?: number;
  /** Lowest mappable address (Linux vm.mmap_min_addr, default 64 KiB). */
  readonly mmapMin?: number;
  /** Gap kept below a growing stack (Linux stack_guard_gap, default 256 pages). */
  readonly stackGuardGap?: number;
  /** Initial {@link AddressSpace.stackLimit} (default 8 MiB, Linux's default RLIMIT_STACK). */
  readonly stackLimit?: number;
  /** Where page faults are counted by kind (default: counters of this space's own; a fork's child shares its parent's). */
  readonly faultCounters?: FaultCounters;
}

/**
 * Low-half PTE rights of a user page with `prot` (PageTable adds P): US
 * unless PROT_NONE (which keeps the frame but denies user access), RW for
 * PROT_WRITE unless the page is shared copy-on-write.
 */
export function userPteFlags(prot: number, copyOnWrite: boolean): number {
  if (prot === PROT.NONE) return 0;
  return PTE.US | ((prot & PROT.WRITE) !== 0 && !copyOnWrite ? PTE.RW : 0);
}

/** High-half PTE rights of a user page with `prot`: NX unless PROT_EXEC. */
export function userPteHighFlags(prot: number): number {
  return (prot & PROT.EXEC) !== 0 ? 0 : PTE_HIGH.NX;
}

/** `address` rounded down to a page boundary. */
export function pageDown(address: number): number {
  return Math.floor(address / FRAME_SIZE) * FRAME_SIZE;
}

/** `address` rounded up to a page boundary. */
export function pageUp(address: number): number {
  return Math.ceil(address / FRAME_SIZE) * FRAME_SIZE;
}
