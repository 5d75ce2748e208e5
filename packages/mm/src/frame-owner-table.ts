/**
 * Who owns each physical frame handed out to the slab layer: the per-frame
 * record that lets `kfree(address)` and `SlabCache.free(address)` find the
 * owning cache and slab from the address alone (Linux keeps the same facts
 * in `struct page`/`struct slab`: `slab_cache` and the compound order).
 *
 * Fields, typed arrays indexed by frame number:
 * - `owner[f]`: {@link FRAME_OWNER}.NONE, a slab cache id (≥ 1),
 *   LARGE_HEAD for the first frame of a kmalloc block served straight from
 *   the frame allocator, or LARGE_TAIL for its other frames.
 * - `detail[f]`: the slab number inside its cache for slab frames, the
 *   block order for a LARGE_HEAD frame, otherwise 0.
 *
 * Invariants: every frame of a live slab carries its cache id and slab
 * number; every frame of a large kmalloc block is marked; a frame is marked
 * only between its allocation and its return to the frame allocator.
 */
import { FRAME_SIZE } from "./frame-constants";

/** Values of {@link FrameOwnerTable} owner entries other than cache ids. */
export const FRAME_OWNER = {
  /** Not owned by the slab layer. */
  NONE: 0,
  /** First frame of a large kmalloc block (detail = its order). */
  LARGE_HEAD: -1,
  /** Any other frame of a large kmalloc block. */
  LARGE_TAIL: -2,
} as const;

/** Anything the table can name as a frame's owner (a slab cache). */
export interface FrameOwner {
  /** Display name, e.g. `kmalloc-64`. */
  readonly name: string;
}

/** Per-frame owner records for frames `[0, frameCount)`. */
export class FrameOwnerTable<Owner extends FrameOwner = FrameOwner> {
  /** Number of frames covered. */
  readonly frameCount: number = 0;
  /** Owner per frame (see {@link FRAME_OWNER}; ≥ 1 is an owner id). Read on hot paths; write through the methods. */
  readonly owner: Int32Array = new Int32Array(0);
  /** Slab number or block order per frame. Read on hot paths; write through the methods. */
  readonly detail: Int32Array = new Int32Array(0);
  private readonly owners: (Owner | undefined)[] = [undefined];

  /** A table for `frameCount` frames (e.g. `BuddyAllocator.frameCount`). */
  constructor(frameCount: number) {
    this.frameCount = frameCount;
    this.owner = new Int32Array(frameCount);
    this.detail = new Int32Array(frameCount);
  }

  /** Registers an owner (a slab cache) and returns its id (≥ 1). */
  register(owner: Owner): number {
    this.owners.push(owner);
    return this.owners.length - 1;
  }

  /** Forgets an owner id (after its cache is destroyed). */
  unregister(id: number): void {
    this.owners[id] = undefined;
  }

  /** The owner registered under `id`, if any. */
  ownerById(id: number): Owner | undefined {
    return this.owners[id];
  }

  /** Frame number of `address`, or -1 when it lies outside the table. */
  frameOf(address: number): number {
    const frame = Math.floor(address / FRAME_SIZE);
    return frame >= 0 && frame < this.frameCount ? frame : -1;
  }

  /** Marks `frameCount` frames from `firstFrame` as owned by `id` with `detail`. */
  claim(firstFrame: number, frameCount: number, id: number, detail: number): void {
    this.owner.fill(id, firstFrame, firstFrame + frameCount);
    this.detail.fill(detail, firstFrame, firstFrame + frameCount);
  }

  /** Marks a large kmalloc block of 2^`order` frames from `firstFrame`. */
  claimLarge(firstFrame: number, order: number): void {
    const end = firstFrame + 2 ** order;
    this.owner.fill(FRAME_OWNER.LARGE_TAIL, firstFrame + 1, end);
    this.detail.fill(0, firstFrame + 1, end);
    this.owner[firstFrame] = FRAME_OWNER.LARGE_HEAD;
    this.detail[firstFrame] = order;
  }

  /** Clears `frameCount` frames from `firstFrame`. */
  release(firstFrame: number, frameCount: number): void {
    this.owner.fill(FRAME_OWNER.NONE, firstFrame, firstFrame + frameCount);
    this.detail.fill(0, firstFrame, firstFrame + frameCount);
  }
}
