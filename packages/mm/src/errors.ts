/**
 * Outcomes of `@tsos/mm` operations that can fail in expected ways.
 *
 * Invariants: every expected failure is a value (a negative number or a
 * report object), never an exception. Allocation functions return either an
 * address (a non-negative integer) or a negative error; callers test
 * `result < 0`. A thrown exception from this package means a bug in its
 * caller (a CPU id out of range, a malformed memory map) or in mm itself.
 */
import { FRAME_FREE } from "@tsos/hw-x86";

/** Out of memory, as Linux's `-ENOMEM` (errno 12, see errno(3)). Returned by slab and kmalloc allocation. */
export const ENOMEM = -12;

/** No such entry, as Linux's `-ENOENT` (errno 2): nothing is mapped where a page-table change was asked. */
export const ENOENT = -2;

/** Already exists, as Linux's `-EEXIST` (errno 17): something is mapped where a new mapping was asked. */
export const EEXIST = -17;

/** Bad address, as Linux's `-EFAULT` (errno 14): a user pointer that is unmapped, inaccessible or in kernel space. */
export const EFAULT = -14;

/** Operation not permitted, as Linux's `-EPERM` (errno 1): e.g. MAP_FIXED below the lowest mappable address. */
export const EPERM = -1;

/** Function not implemented, as Linux's `-ENOSYS` (errno 38): a feature mm does not have (file mappings). */
export const ENOSYS = -38;

/** Invalid argument, as Linux's `-EINVAL` (errno 22, see errno(3)). Returned for a size no allocator serves. */
export const EINVAL = -22;

/**
 * Outcomes of freeing a slab object or a kmalloc block. The first three keep
 * the meaning and value of hw-x86's {@link FRAME_FREE}.
 */
export const SLAB_FREE = {
  /** The object was returned. */
  OK: FRAME_FREE.OK,
  /** The address is not the start of an object of this cache (or of any kmalloc block). */
  INVALID_ADDRESS: FRAME_FREE.INVALID_ADDRESS,
  /** The object is not allocated: a double free, or an object never handed out. */
  NOT_ALLOCATED: FRAME_FREE.NOT_ALLOCATED,
  /**
   * Debug mode only: the object was freed, but its red zones were overwritten
   * while it was allocated (an overflow). A {@link SlabReport} describes it.
   */
  CORRUPTED: -4,
} as const;

/** One of the {@link SLAB_FREE} values. */
export type SlabFreeResult = (typeof SLAB_FREE)[keyof typeof SLAB_FREE];

/** What a debug-mode slab cache found wrong. */
export type SlabReportKind = "overflow" | "use-after-free" | "double-free";

/**
 * A problem found by a debug-mode slab cache, reported as a value (kept in
 * `SlabCache.reports` and passed to the `onReport` callback).
 */
export interface SlabReport {
  /** What went wrong. */
  readonly kind: SlabReportKind;
  /** The cache's name. */
  readonly cache: string;
  /** Physical address of the object concerned. */
  readonly address: number;
  /**
   * Offset of the first damaged byte relative to the object's start
   * (negative: in the red zone before it; `>= objectSize`: in the red zone
   * after it); -1 when no byte is involved (double free).
   */
  readonly offset: number;
  /** The byte value that should have been there (-1 for a double free). */
  readonly expected: number;
  /** The byte value found (-1 for a double free). */
  readonly found: number;
}
