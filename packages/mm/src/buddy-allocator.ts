/**
 * The binary buddy allocator of physical frames: hw-x86's `FrameAllocator`.
 *
 * Scheme (the one Linux's mm/page_alloc.c describes above __free_one_page):
 * free memory is kept as naturally aligned blocks of 2^order frames, order 0
 * (4 KiB) to MAX_ORDER 10 (4 MiB), one free list per (zone, order). A block
 * of order o starting at frame f has exactly one "buddy", the block of the
 * same order at frame f XOR 2^o; the two together form the aligned block of
 * order o+1. Allocation takes the first block of the smallest non-empty order
 * at least the one asked for and splits it, putting the unused upper halves
 * back on the lower-order lists. Freeing merges the block with its buddy for
 * as long as the buddy is a free block of the same order in the same zone,
 * so once everything is freed the lists are exactly what they were at start.
 *
 * Fields, all typed arrays indexed by frame number (no object per frame, no
 * allocation per operation):
 * - `blockTag[f]`: `o + 1` when f heads a free block of order o, `-(o + 1)`
 *   when f heads an allocated block of order o, 0 for every other frame (the
 *   inside of a block, or an unmanaged frame). This per-frame tag plays the
 *   role of Linux's PageBuddy flag + page order: it is what makes the buddy
 *   test O(1) and what turns a double free or a wrong order into an error.
 * - `zoneOfFrame[f]`: the zone managing f, or UNMANAGED (reserved or a hole).
 * - `nextFree[f]`, `previousFree[f]`: the intrusive doubly-linked free-list
 *   links of a free block's head frame (NONE at the ends), so a buddy can be
 *   unlinked from the middle of its list in O(1).
 * - `listHead[z * ORDER_COUNT + o]`, `blockCount[z * ORDER_COUNT + o]`: the
 *   first free block and the number of free blocks of order o in zone z.
 *
 * Invariants: free blocks never overlap and never cross a zone boundary; a
 * block's head frame is aligned to 2^order (in absolute frame numbers, so the
 * physical address is aligned to the block size); no two free buddies of the
 * same order coexist (they would have been merged); `freeFrames` equals the
 * sum over lists of blockCount * 2^order.
 *
 * Zones: `allocate(order)` tries the highest zone first and falls back to the
 * lower ones, as Linux's zonelist does, keeping low (DMA-capable) memory for
 * those who need it; `allocateBelow(order, zone)` never goes above `zone`.
 */
import { FRAME_FREE, type FrameAllocator, type FrameFreeResult, NO_FRAME } from "@tsos/hw-x86";
import { FRAME_SIZE, MAX_ORDER, NONE, ORDER_COUNT } from "./frame-constants";
import { buildFrameZoneTable, type MemoryRegion, SINGLE_ZONE, UNMANAGED, type ZoneSpec } from "./memory-map";

/** Options of a {@link BuddyAllocator}. */
export interface BuddyAllocatorOptions {
  /** Zones, lowest first (default: one zone, `Normal`, covering everything). */
  readonly zones?: readonly ZoneSpec[];
}

/** Buddy allocator of 4 KiB frames in orders 0–10, built from a memory map. */
export class BuddyAllocator implements FrameAllocator {
  /** One past the highest managed frame number. */
  readonly frameCount: number = 0;
  /** Frames managed (usable and not reserved). */
  readonly managedFrames: number = 0;
  /** The zones, lowest first. */
  readonly zones: readonly ZoneSpec[];
  private readonly zoneOfFrame: Int8Array = new Int8Array(0);
  private readonly blockTag: Int8Array = new Int8Array(0);
  private readonly nextFree: Int32Array = new Int32Array(0);
  private readonly previousFree: Int32Array = new Int32Array(0);
  private readonly listHead: Int32Array = new Int32Array(0);
  private readonly blockCount: Int32Array = new Int32Array(0);
  private readonly zoneFreeFrames: Float64Array = new Float64Array(0);
  private freeFrameCount = 0;

  /** Builds the free lists from `regions`; reserved regions override usable ones. */
  constructor(regions: readonly MemoryRegion[], options: BuddyAllocatorOptions = {}) {
    this.zones = options.zones ?? SINGLE_ZONE;
    const table = buildFrameZoneTable(regions, this.zones);
    this.frameCount = table.frameCount;
    this.zoneOfFrame = table.zoneOfFrame;
    this.blockTag = new Int8Array(this.frameCount);
    this.nextFree = new Int32Array(this.frameCount).fill(NONE);
    this.previousFree = new Int32Array(this.frameCount).fill(NONE);
    this.listHead = new Int32Array(this.zones.length * ORDER_COUNT).fill(NONE);
    this.blockCount = new Int32Array(this.zones.length * ORDER_COUNT);
    this.zoneFreeFrames = new Float64Array(this.zones.length);
    this.managedFrames = this.carveRuns();
  }

  /** Frames currently free, over all zones. O(1). */
  get freeFrames(): number {
    return this.freeFrameCount;
  }

  /** Frames currently free in zone `zone`. */
  zoneFree(zone: number): number {
    return this.zoneFreeFrames[zone] ?? 0;
  }

  /** Number of free blocks of `order` in `zone`, or over all zones when `zone` is omitted. */
  freeBlocks(order: number, zone = -1): number {
    if (zone >= 0) return this.blockCount[zone * ORDER_COUNT + order] ?? 0;
    let total = 0;
    for (let z = 0; z < this.zones.length; z++) total += this.blockCount[z * ORDER_COUNT + order]!;
    return total;
  }

  /** Allocates 2^`order` frames from the highest zone that has them. Returns an address or `NO_FRAME`. */
  allocate(order: number): number {
    return this.allocateBelow(order, this.zones.length - 1);
  }

  /**
   * Allocates 2^`order` frames from zone `highestZone` or, failing that, a
   * lower zone (e.g. the DMA32 zone for a device limited to 32-bit
   * addresses). Returns an address or `NO_FRAME`.
   */
  allocateBelow(order: number, highestZone: number): number {
    if (!(order >= 0 && order <= MAX_ORDER) || (order | 0) !== order) return NO_FRAME;
    for (let zone = Math.min(highestZone, this.zones.length - 1); zone >= 0; zone--) {
      const frame = this.takeFromZone(zone, order);
      if (frame !== NONE) return frame * FRAME_SIZE;
    }
    return NO_FRAME;
  }

  /** Returns a block; merges it with free buddies. Errors leave every list untouched. */
  free(address: number, order: number): FrameFreeResult {
    if (!(order >= 0 && order <= MAX_ORDER) || (order | 0) !== order) return FRAME_FREE.INVALID_ADDRESS;
    const frame = address / FRAME_SIZE;
    if (!(frame >= 0 && frame < this.frameCount) || (frame | 0) !== frame) return FRAME_FREE.INVALID_ADDRESS;
    if ((frame & ((1 << order) - 1)) !== 0) return FRAME_FREE.INVALID_ADDRESS;
    const zone = this.zoneOfFrame[frame]!;
    if (zone === UNMANAGED) return FRAME_FREE.INVALID_ADDRESS;
    const tag = this.blockTag[frame]!;
    if (tag >= 0) return FRAME_FREE.NOT_ALLOCATED;
    if (tag !== -(order + 1)) return FRAME_FREE.WRONG_ORDER;
    this.blockTag[frame] = 0;
    this.freeFrameCount += 1 << order;
    this.zoneFreeFrames[zone]! += 1 << order;
    this.coalesce(frame, order, zone);
    return FRAME_FREE.OK;
  }

  /** The order a block at `address` was allocated with, or -1 when no allocated block starts there. */
  allocatedOrder(address: number): number {
    const frame = address / FRAME_SIZE;
    if (!(frame >= 0 && frame < this.frameCount) || (frame | 0) !== frame) return -1;
    const tag = this.blockTag[frame]!;
    return tag < 0 ? -tag - 1 : -1;
  }

  /**
   * The free lists as sorted block addresses, `[zone][order]` (cold path:
   * allocates; for tests and debugging).
   */
  freeListSnapshot(): number[][][] {
    const snapshot: number[][][] = [];
    for (let zone = 0; zone < this.zones.length; zone++) {
      const orders: number[][] = [];
      for (let order = 0; order < ORDER_COUNT; order++) {
        const blocks: number[] = [];
        for (let f = this.listHead[zone * ORDER_COUNT + order]!; f !== NONE; f = this.nextFree[f]!) {
          blocks.push(f * FRAME_SIZE);
        }
        orders.push(blocks.sort((a, b) => a - b));
      }
      snapshot.push(orders);
    }
    return snapshot;
  }

  private takeFromZone(zone: number, order: number): number {
    const base = zone * ORDER_COUNT;
    for (let current = order; current <= MAX_ORDER; current++) {
      const frame = this.listHead[base + current]!;
      if (frame === NONE) continue;
      this.unlink(frame, base + current);
      while (current > order) {
        current--;
        this.push(frame + (1 << current), base + current, current);
      }
      this.blockTag[frame] = -(order + 1);
      this.freeFrameCount -= 1 << order;
      this.zoneFreeFrames[zone]! -= 1 << order;
      return frame;
    }
    return NONE;
  }

  private coalesce(frame: number, order: number, zone: number): void {
    const base = zone * ORDER_COUNT;
    while (order < MAX_ORDER) {
      const buddy = frame ^ (1 << order);
      if (buddy >= this.frameCount || this.blockTag[buddy] !== order + 1 || this.zoneOfFrame[buddy] !== zone)
        break;
      this.unlink(buddy, base + order);
      if (buddy < frame) frame = buddy;
      order++;
    }
    this.push(frame, base + order, order);
  }

  private push(frame: number, list: number, order: number): void {
    const head = this.listHead[list]!;
    this.blockTag[frame] = order + 1;
    this.nextFree[frame] = head;
    this.previousFree[frame] = NONE;
    if (head !== NONE) this.previousFree[head] = frame;
    this.listHead[list] = frame;
    this.blockCount[list]!++;
  }

  private unlink(frame: number, list: number): void {
    const previous = this.previousFree[frame]!;
    const next = this.nextFree[frame]!;
    if (previous !== NONE) this.nextFree[previous] = next;
    else this.listHead[list] = next;
    if (next !== NONE) this.previousFree[next] = previous;
    this.blockTag[frame] = 0;
    this.blockCount[list]!--;
  }

  /** Cuts each run of managed frames of one zone into the largest aligned blocks that fit; returns frames managed. */
  private carveRuns(): number {
    let managed = 0;
    let frame = 0;
    while (frame < this.frameCount) {
      const zone = this.zoneOfFrame[frame]!;
      if (zone === UNMANAGED) {
        frame++;
        continue;
      }
      let end = frame;
      while (end < this.frameCount && this.zoneOfFrame[end] === zone) end++;
      managed += end - frame;
      while (frame < end) {
        let order = MAX_ORDER;
        while (order > 0 && ((frame & ((1 << order) - 1)) !== 0 || frame + (1 << order) > end)) order--;
        this.pushInitial(frame, zone, order);
        frame += 1 << order;
      }
    }
    return managed;
  }

  private pushInitial(frame: number, zone: number, order: number): void {
    this.push(frame, zone * ORDER_COUNT + order, order);
    this.freeFrameCount += 1 << order;
    this.zoneFreeFrames[zone]! += 1 << order;
  }
}
