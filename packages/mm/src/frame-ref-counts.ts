/**
 * Reference counts of user page frames, indexed by frame number: how many
 * page-table entries (across address spaces) map each frame. fork shares a
 * private page by incrementing its count and write-protecting both
 * mappings; the copy-on-write fault copies it only while the count is above
 * one (Linux keeps the same count in `struct page`'s _mapcount/_refcount).
 *
 * Invariant: a frame's count is the number of present user PTEs mapping it;
 * the frame is returned to the allocator exactly when it drops to 0.
 */
import { FRAME_SIZE } from "./frame-constants";

/** Per-frame mapping counts. */
export class FrameRefCounts {
  /** Count per frame. */
  readonly counts: Int32Array;

  /** Counts for frames `[0, frameCount)`. */
  constructor(frameCount: number) {
    this.counts = new Int32Array(frameCount);
  }

  /** The count of the frame holding `address`. */
  get(address: number): number {
    return this.counts[Math.floor(address / FRAME_SIZE)] ?? 0;
  }

  /** Adds one mapping of the frame at `address`; returns the new count. */
  increment(address: number): number {
    return ++this.counts[Math.floor(address / FRAME_SIZE)]!;
  }

  /** Removes one mapping; returns the new count (0: the caller frees the frame). */
  decrement(address: number): number {
    const frame = Math.floor(address / FRAME_SIZE);
    if (this.counts[frame]! <= 0) throw new Error(`frame ${frame}: reference count would go negative`);
    return --this.counts[frame]!;
  }
}
