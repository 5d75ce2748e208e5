/**
 * Sizes shared by every allocator in `@tsos/mm`.
 *
 * A frame is one 4 KiB physical page (SDM vol 3A §4.5: a PTE maps 4 KiB).
 * Block orders run from 0 (one frame) to {@link MAX_ORDER} (1024 frames,
 * 4 MiB), as Linux's default MAX_ORDER of 10 in mm/page_alloc.c.
 */

/** Bytes per physical frame: the 4 KiB page of SDM vol 3A §4.5. */
export const FRAME_SIZE = 4096;

/** log2 of {@link FRAME_SIZE}. */
export const FRAME_SHIFT = 12;

/** Largest block order the buddy allocator hands out: 2^10 frames = 4 MiB. */
export const MAX_ORDER = 10;

/** Number of distinct orders, 0 through {@link MAX_ORDER}. */
export const ORDER_COUNT = MAX_ORDER + 1;

/** End-of-list marker in the typed-array linked lists (frame and slab numbers are never negative). */
export const NONE = -1;

/** Smallest order whose block holds `frameCount` frames (0 for one frame or fewer). */
export function orderForFrames(frameCount: number): number {
  if (frameCount <= 1) return 0;
  return 32 - Math.clz32(frameCount - 1);
}

/** Smallest order whose block holds `byteCount` bytes. */
export function orderForBytes(byteCount: number): number {
  return orderForFrames(Math.ceil(byteCount / FRAME_SIZE));
}
