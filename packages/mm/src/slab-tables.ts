/**
 * The bookkeeping of a slab cache in typed arrays: per-slab records, the
 * full / partial / empty slab lists, and each slab's intrusive free-object
 * list (see slab-cache.ts for the scheme and the meaning of every field).
 *
 * Slab numbers are recycled through a stack of spare numbers. The arrays
 * grow by doubling when a new slab needs a number beyond the capacity; that
 * happens only on the slow path (a new slab), never per object operation.
 *
 * Invariants: a live slab is on exactly the list its in-use count implies
 * (0 → EMPTY, objectsPerSlab → FULL, otherwise PARTIAL); `listLength[l]` is
 * the length of list l; a slab's free list holds exactly
 * `objectsPerSlab - slabInUse[s]` slots, all in state FREE.
 */
import { NONE } from "./frame-constants";
import type { SlabLayout } from "./slab-layout";

/** The three slab lists. */
export const SLAB_LIST = { FULL: 0, PARTIAL: 1, EMPTY: 2 } as const;
/** `slabList` value of a slab number not in use. */
const NOT_LIVE = -1;
/** Object on its slab's free list. */
export const OBJECT_FREE = 0;
/** Object in a per-CPU magazine. */
export const OBJECT_CACHED = 1;
/** Object handed to a caller. */
export const OBJECT_ALLOCATED = 2;

/** Hit and miss counters of one CPU's magazine. */
export interface MagazineStatistics {
  /** Allocations served from the magazine. */
  readonly allocHits: number;
  /** Allocations that had to refill the magazine first. */
  readonly allocMisses: number;
  /** Frees that fit in the magazine. */
  readonly freeHits: number;
  /** Frees that had to flush part of the magazine first. */
  readonly freeMisses: number;
}

/** Statistics of one slab cache. */
export interface SlabCacheStatistics {
  /** Cache name. */
  readonly name: string;
  /** Requested object size in bytes. */
  readonly objectSize: number;
  /** Bytes per slot. */
  readonly stride: number;
  /** Objects per slab. */
  readonly objectsPerSlab: number;
  /** Slab order. */
  readonly slabOrder: number;
  /** Objects allocated to callers. */
  readonly objectsInUse: number;
  /** Free objects sitting in magazines. */
  readonly objectsCached: number;
  /** Slabs with no free object (magazine-held objects count as not free). */
  readonly slabsFull: number;
  /** Slabs with some free objects. */
  readonly slabsPartial: number;
  /** Slabs with every object free. */
  readonly slabsEmpty: number;
  /** Per-CPU magazine counters, index = CPU id. */
  readonly perCpu: readonly MagazineStatistics[];
}

/** Per-slab and per-object arrays of one cache. */
export class SlabTables {
  /** First frame per slab. */
  slabFrame = new Int32Array(0);
  /** State per object (OBJECT_*). */
  objectState = new Uint8Array(0);
  /** Length per slab list. */
  readonly listLength = new Int32Array(3);
  private slabInUse = new Int32Array(0);
  private slabFreeHead = new Int32Array(0);
  private slabNext = new Int32Array(0);
  private slabPrevious = new Int32Array(0);
  private slabList = new Int8Array(0);
  private objectNext = new Int32Array(0);
  private spareSlabs = new Int32Array(0);
  private spareCount = 0;
  private slabsEverUsed = 0;
  private readonly listHead = new Int32Array(3).fill(NONE);

  constructor(private readonly objectsPerSlab: number) {}

  /** First slab on `list`, or NONE. */
  firstOf(list: number): number {
    return this.listHead[list]!;
  }

  /** Registers a slab starting at `frame` with every object free, on the EMPTY list. Returns its number. */
  addSlab(frame: number): number {
    const slab = this.spareCount > 0 ? this.spareSlabs[--this.spareCount]! : this.newSlabNumber();
    const perSlab = this.objectsPerSlab;
    const first = slab * perSlab;
    for (let slot = 0; slot < perSlab; slot++) {
      this.objectNext[first + slot] = slot + 1 < perSlab ? slot + 1 : NONE;
      this.objectState[first + slot] = OBJECT_FREE;
    }
    this.slabFrame[slab] = frame;
    this.slabInUse[slab] = 0;
    this.slabFreeHead[slab] = 0;
    this.link(slab, SLAB_LIST.EMPTY);
    return slab;
  }

  /** Unregisters a slab (which must be empty); returns its first frame. */
  removeSlab(slab: number): number {
    this.unlink(slab);
    this.slabList[slab] = NOT_LIVE;
    this.spareSlabs[this.spareCount++] = slab;
    return this.slabFrame[slab]!;
  }

  /** Pops a free slot of `slab` (counting it in use), or NONE when it has none. */
  takeFreeSlot(slab: number): number {
    const slot = this.slabFreeHead[slab]!;
    if (slot === NONE) return NONE;
    this.slabFreeHead[slab] = this.objectNext[slab * this.objectsPerSlab + slot]!;
    const inUse = ++this.slabInUse[slab]!;
    if (inUse === this.objectsPerSlab) this.move(slab, SLAB_LIST.FULL);
    else if (inUse === 1) this.move(slab, SLAB_LIST.PARTIAL);
    return slot;
  }

  /** Pushes object number `object` back on its slab's free list. */
  returnObject(object: number): void {
    const slab = Math.floor(object / this.objectsPerSlab);
    this.objectNext[object] = this.slabFreeHead[slab]!;
    this.slabFreeHead[slab] = object - slab * this.objectsPerSlab;
    this.objectState[object] = OBJECT_FREE;
    const inUse = --this.slabInUse[slab]!;
    if (inUse === 0) this.move(slab, SLAB_LIST.EMPTY);
    else if (inUse === this.objectsPerSlab - 1) this.move(slab, SLAB_LIST.PARTIAL);
  }

  /** Calls `visit` for every object of every live slab (cold path). */
  forEachObject(visit: (slab: number, slot: number, state: number) => void): void {
    for (let slab = 0; slab < this.slabsEverUsed; slab++) {
      if (this.slabList[slab] === NOT_LIVE) continue;
      for (let slot = 0; slot < this.objectsPerSlab; slot++) {
        visit(slab, slot, this.objectState[slab * this.objectsPerSlab + slot]!);
      }
    }
  }

  /** Assembles a statistics record (cold path). */
  statistics(
    name: string,
    layout: SlabLayout,
    objectsInUse: number,
    objectsCached: number,
    perCpu: readonly MagazineStatistics[],
  ): SlabCacheStatistics {
    return {
      name,
      objectSize: layout.objectSize,
      stride: layout.stride,
      objectsPerSlab: layout.objectsPerSlab,
      slabOrder: layout.slabOrder,
      objectsInUse,
      objectsCached,
      slabsFull: this.listLength[SLAB_LIST.FULL]!,
      slabsPartial: this.listLength[SLAB_LIST.PARTIAL]!,
      slabsEmpty: this.listLength[SLAB_LIST.EMPTY]!,
      perCpu,
    };
  }

  private move(slab: number, list: number): void {
    this.unlink(slab);
    this.link(slab, list);
  }

  private link(slab: number, list: number): void {
    const head = this.listHead[list]!;
    this.slabNext[slab] = head;
    this.slabPrevious[slab] = NONE;
    if (head !== NONE) this.slabPrevious[head] = slab;
    this.listHead[list] = slab;
    this.slabList[slab] = list;
    this.listLength[list]!++;
  }

  private unlink(slab: number): void {
    const list = this.slabList[slab]!;
    const previous = this.slabPrevious[slab]!;
    const next = this.slabNext[slab]!;
    if (previous !== NONE) this.slabNext[previous] = next;
    else this.listHead[list] = next;
    if (next !== NONE) this.slabPrevious[next] = previous;
    this.listLength[list]!--;
  }

  private newSlabNumber(): number {
    const slab = this.slabsEverUsed++;
    if (slab >= this.slabFrame.length) this.growArrays(Math.max(8, this.slabFrame.length * 2));
    return slab;
  }

  private growArrays(capacity: number): void {
    const grow = <T extends Int32Array | Int8Array | Uint8Array>(
      old: T,
      make: (n: number) => T,
      n: number,
    ): T => {
      const fresh = make(n);
      fresh.set(old);
      return fresh;
    };
    const int32 = (n: number) => new Int32Array(n);
    this.slabFrame = grow(this.slabFrame, int32, capacity);
    this.slabInUse = grow(this.slabInUse, int32, capacity);
    this.slabFreeHead = grow(this.slabFreeHead, int32, capacity);
    this.slabNext = grow(this.slabNext, int32, capacity);
    this.slabPrevious = grow(this.slabPrevious, int32, capacity);
    this.spareSlabs = grow(this.spareSlabs, int32, capacity);
    this.slabList = grow(this.slabList, (n) => new Int8Array(n), capacity);
    this.objectNext = grow(this.objectNext, int32, capacity * this.objectsPerSlab);
    this.objectState = grow(this.objectState, (n) => new Uint8Array(n), capacity * this.objectsPerSlab);
  }
}
