/**
 * A source of physical page frames (4 KiB each), in naturally aligned blocks
 * of 2^order frames.
 *
 * `@tsos/mm`'s buddy allocator implements it; so does `@tsos/testing`'s
 * `MockMemoryController`. Subsystems that need frames (page tables, DMA
 * buffers, slabs) depend on this interface, not on `mm`.
 *
 * Outcomes are values: exhaustion is {@link NO_FRAME}, a bad free is a
 * negative {@link FrameFreeResult}; neither throws nor allocates.
 */
export interface FrameAllocator {
  /**
   * Allocates 2^`order` contiguous frames aligned to their size. Returns the
   * physical address of the first, or {@link NO_FRAME} when no block of that
   * order can be made. Contents are unspecified (not zeroed).
   */
  allocate(order: number): number;
  /** Returns a block obtained from {@link FrameAllocator.allocate} with the same order. */
  free(address: number, order: number): FrameFreeResult;
}

/** Returned by {@link FrameAllocator.allocate} when no block is available. */
export const NO_FRAME = -1;

/** Outcomes of {@link FrameAllocator.free}. */
export const FRAME_FREE = {
  /** The block was returned. */
  OK: 0,
  /** The address is outside the allocator's memory or not aligned to the order. */
  INVALID_ADDRESS: -1,
  /** The block is not currently allocated (a double free, or never allocated). */
  NOT_ALLOCATED: -2,
  /** The block was allocated with a different order. */
  WRONG_ORDER: -3,
} as const;

/** One of the {@link FRAME_FREE} values. */
export type FrameFreeResult = (typeof FRAME_FREE)[keyof typeof FRAME_FREE];
