/**
 * A slab cache: fixed-size objects carved out of slabs (blocks of frames from
 * a FrameAllocator), addressed by physical address, with per-CPU magazines.
 *
 * Scheme (Bonwick's magazine layer over slabs, the shape of Linux's SLAB
 * array_cache and of SLUB's per-CPU freelist + per-node partial list):
 * - Fast path: each CPU owns a magazine, a stack of up to `magazineSize`
 *   free objects. `allocate` pops from it and `free` pushes to it: O(1), no
 *   list walking, no allocation, no shared state touched.
 * - Slow path: an empty magazine is refilled with `batchSize` objects taken
 *   from the partial slabs first (to fill them up and let others empty), then
 *   an empty slab, then a new slab from the frame allocator; a full magazine
 *   flushes its `batchSize` oldest (coldest) objects back to their slabs.
 * - Slabs sit on one of three lists: full (no free object), partial, empty
 *   (every object free). At most `maxEmptySlabs` empty slabs are kept; the
 *   shrinker (`reclaim`) drains the magazines and frees every empty slab.
 *
 * Fields (all typed arrays; slab numbers index the per-slab arrays, object
 * numbers = slab * objectsPerSlab + slot index the per-object ones):
 * - `slabFrame[s]` first frame of slab s; `slabInUse[s]` objects of s not on
 *   its free list (allocated or in a magazine); `slabFreeHead[s]` first free
 *   slot (NONE if none); `slabNext/slabPrevious[s]` links of the list
 *   `slabList[s]` (NOT_LIVE for a slab number not in use).
 * - `objectNext[o]` next free slot after o in its slab's free list (the
 *   intrusive free list lives here, not in guest memory, so a stray guest
 *   write cannot corrupt it); `objectState[o]` FREE / CACHED / ALLOCATED.
 * - `magazineObject/magazineAddress[cpu * magazineSize + i]` the stacked
 *   objects; `magazineCount[cpu]` their number. Entries at or above a
 *   magazine's top are stale but still pair an object with its own address
 *   (or hold address NaN, which nothing equals), so the entry just above the
 *   top, the object `allocate` popped last, lets `free` identify an object
 *   handed straight back without the owner-table lookup (the common
 *   allocate-then-free pattern); its state is still checked.
 *
 * Invariants: an object is in exactly one place (its slab's free list, one
 * magazine, or the caller's hands) and its state says which; `slabInUse[s]`
 * equals objects of s not on its free list; the owner table maps each frame
 * of a live slab to (cache id, slab number). Every free is validated against
 * `objectState`, so a double or invalid free is an error value in every mode.
 * Every magazine entry, live or stale, names an object of a live slab at its
 * address or has address NaN: releasing a slab clears the stale entries.
 */
import type { FrameAllocator } from "@tsos/hw-x86";
import type { ENOMEM, SlabFreeResult, SlabReport } from "./errors";
import type { FrameOwnerTable } from "./frame-owner-table";
import type { SlabCacheOptions } from "./slab-cache-options";
import { SlabDebugger } from "./slab-debug";
import { computeSlabLayout, type SlabLayout } from "./slab-layout";
import { SLAB_LIST, type SlabCacheStatistics, SlabTables } from "./slab-tables";

/**
 * The constants of the fast path as a const enum, so the compiler writes them
 * as literals: in V8 every use of a `const` imported from another module is a
 * context load, which measurably slows a 20 ns operation. Each member equals
 * the named constant it mirrors (FRAME_SIZE, NONE, OBJECT_*, SLAB_FREE.*,
 * ENOMEM); slab-cache.test.ts checks that.
 */
export const enum SlabFastPath {
  FRAME_SIZE = 4096,
  /** 1 / FRAME_SIZE (exact: a power of two). */
  INVERSE_FRAME_SIZE = 0.000244140625,
  NONE = -1,
  OBJECT_CACHED = 1,
  OBJECT_ALLOCATED = 2,
  ENOMEM = -12,
}

/** SLAB_FREE as literals for the fast path (checked against SLAB_FREE by the tests). */
export const enum SlabFreeCode {
  OK = 0,
  INVALID_ADDRESS = -1,
  NOT_ALLOCATED = -2,
  CORRUPTED = -4,
}

/** Per-CPU counters: the fast path bumps one total; the slow paths count misses (hits = total − misses). */
const enum Counter {
  ALLOCS = 0,
  ALLOC_MISSES = 1,
  FREES = 2,
  FREE_MISSES = 3,
  WIDTH = 4,
}

/** A cache of equal-sized objects with per-CPU magazines. Also a shrinker. */
export class SlabCache {
  /** The cache's name. */
  readonly name: string;
  /** Object geometry. */
  readonly layout: SlabLayout;
  /** This cache's id in the owner table. */
  readonly id: number = 0;
  /** CPUs with a magazine. */
  readonly cpuCount: number = 0;
  private readonly magazineSize: number = 0;
  private readonly batchSize: number = 0;
  private readonly maxEmptySlabs: number = 0;
  private readonly frames: FrameAllocator;
  private readonly owners: FrameOwnerTable;
  private readonly checker: SlabDebugger | undefined;
  private readonly tables: SlabTables;
  private readonly magazineObject: Int32Array = new Int32Array(0);
  private readonly magazineAddress: Float64Array = new Float64Array(0);
  private readonly magazineCount: Int32Array = new Int32Array(0);
  private readonly counters: Float64Array = new Float64Array(0);
  // Hot-path copies of layout and owner-table fields (monomorphic own properties).
  private readonly stride: number = 0;
  private readonly inverseStride: number = 0;
  private readonly objectOffset: number = 0;
  private readonly objectsPerSlab: number = 0;
  private readonly frameOwner: Int32Array = new Int32Array(0);
  private readonly frameDetail: Int32Array = new Int32Array(0);
  /** First byte past the frames the owner table covers (below 2^43, so frame numbers fit an int32). */
  private readonly addressLimit: number = 0;
  /** `tables.objectState` and `tables.slabFrame`, re-read whenever the tables grow. */
  private objectState: Uint8Array = new Uint8Array(0);
  private slabFrame: Int32Array = new Int32Array(0);
  private busy = false;

  /** Creates an empty cache (no slab is allocated until the first `allocate`). */
  constructor(options: SlabCacheOptions) {
    this.name = options.name;
    this.layout = computeSlabLayout(
      options.objectSize,
      options.align,
      options.debug !== undefined,
      options.slabOrder,
    );
    this.cpuCount = options.cpuCount ?? 1;
    this.magazineSize = Math.max(1, options.magazineSize ?? 32);
    this.batchSize = Math.min(this.magazineSize, Math.max(1, options.batchSize ?? this.magazineSize >> 1));
    this.maxEmptySlabs = options.maxEmptySlabs ?? 1;
    this.frames = options.frames;
    this.owners = options.owners;
    this.id = options.owners.register(this);
    this.tables = new SlabTables(this.layout.objectsPerSlab);
    this.stride = this.layout.stride;
    this.inverseStride = 1 / this.layout.stride;
    this.objectOffset = this.layout.objectOffset;
    this.objectsPerSlab = this.layout.objectsPerSlab;
    this.frameOwner = options.owners.owner;
    this.frameDetail = options.owners.detail;
    this.addressLimit = options.owners.frameCount * SlabFastPath.FRAME_SIZE;
    this.objectState = this.tables.objectState;
    this.slabFrame = this.tables.slabFrame;
    this.magazineObject = new Int32Array(this.cpuCount * this.magazineSize);
    this.magazineAddress = new Float64Array(this.cpuCount * this.magazineSize).fill(Number.NaN);
    this.magazineCount = new Int32Array(this.cpuCount);
    this.counters = new Float64Array(this.cpuCount * Counter.WIDTH);
    const debug = options.debug;
    this.checker = debug && new SlabDebugger(debug.memory, this.layout, this.name, debug.onReport);
  }

  /** Objects currently allocated to callers. */
  get objectsInUse(): number {
    let inUse = 0;
    for (let at = 0; at < this.counters.length; at += Counter.WIDTH) {
      inUse += this.counters[at + Counter.ALLOCS]! - this.counters[at + Counter.FREES]!;
    }
    return inUse;
  }

  /** Debug-mode reports so far (always empty without debug mode). */
  get reports(): readonly SlabReport[] {
    return this.checker?.reports ?? [];
  }

  /** Allocates one object on `cpu`. Returns its physical address, or {@link ENOMEM}. */
  allocate(cpu = 0): number {
    if (!(cpu >= 0 && cpu < this.cpuCount)) throw new RangeError(`cpu ${cpu} out of range`);
    let count = this.magazineCount[cpu]!;
    if (count === 0) {
      count = this.refill(cpu);
      if (count === 0) return SlabFastPath.ENOMEM;
      this.counters[cpu * Counter.WIDTH + Counter.ALLOC_MISSES]!++;
    }
    count--;
    this.magazineCount[cpu] = count;
    this.counters[cpu * Counter.WIDTH + Counter.ALLOCS]!++;
    const slot = cpu * this.magazineSize + count;
    const address = this.magazineAddress[slot]!;
    this.objectState[this.magazineObject[slot]!] = SlabFastPath.OBJECT_ALLOCATED;
    if (this.checker !== undefined) this.checker.onAllocate(address);
    return address;
  }

  /** Frees the object at `address` on `cpu`. Never throws for a bad address. */
  free(address: number, cpu = 0): SlabFreeResult {
    if (!(cpu >= 0 && cpu < this.cpuCount)) throw new RangeError(`cpu ${cpu} out of range`);
    let count = this.magazineCount[cpu]!;
    let slot = cpu * this.magazineSize + count;
    // The stale entry above the top pairs an object with its address (see the invariants).
    const hinted = count < this.magazineSize && this.magazineAddress[slot] === address;
    const object = hinted ? this.magazineObject[slot]! : this.objectAt(address);
    if (object === SlabFastPath.NONE) return SlabFreeCode.INVALID_ADDRESS;
    if (this.objectState[object] !== SlabFastPath.OBJECT_ALLOCATED) {
      this.checker?.onDoubleFree(address);
      return SlabFreeCode.NOT_ALLOCATED;
    }
    const corrupted = this.checker?.onFree(address) === true;
    this.objectState[object] = SlabFastPath.OBJECT_CACHED;
    this.counters[cpu * Counter.WIDTH + Counter.FREES]!++;
    if (!hinted) {
      if (count === this.magazineSize) {
        this.flush(cpu, this.batchSize);
        count = this.magazineCount[cpu]!;
        slot = cpu * this.magazineSize + count;
        this.counters[cpu * Counter.WIDTH + Counter.FREE_MISSES]!++;
      }
      this.magazineObject[slot] = object;
      this.magazineAddress[slot] = address;
    }
    this.magazineCount[cpu] = count + 1;
    return corrupted ? SlabFreeCode.CORRUPTED : SlabFreeCode.OK;
  }

  /** Whether `address` is an object of this cache currently allocated to a caller. */
  isAllocated(address: number): boolean {
    const object = this.objectAt(address);
    return object !== SlabFastPath.NONE && this.objectState[object] === SlabFastPath.OBJECT_ALLOCATED;
  }

  /** Returns every object in `cpu`'s magazine to its slab. */
  drain(cpu: number): void {
    this.flush(cpu, this.magazineCount[cpu] ?? 0);
  }

  /** Shrinker estimate: frames that `reclaim` could free now (empty slabs plus what draining may empty). */
  countReclaimable(): number {
    let cached = 0;
    for (let cpu = 0; cpu < this.cpuCount; cpu++) cached += this.magazineCount[cpu]!;
    const slabs = this.tables.listLength[SLAB_LIST.EMPTY]! + Math.ceil(cached / this.layout.objectsPerSlab);
    return slabs * this.layout.slabFrames;
  }

  /**
   * Shrinker: drains every magazine and returns every empty slab to the frame
   * allocator. Returns frames freed. Does nothing (returns 0) when called
   * re-entrantly while this cache is refilling.
   */
  reclaim(_targetFrames = Number.POSITIVE_INFINITY): number {
    if (this.busy) return 0;
    for (let cpu = 0; cpu < this.cpuCount; cpu++) this.drain(cpu);
    return this.trimEmpty(0) * this.layout.slabFrames;
  }

  /**
   * Releases every slab and leaves the owner table. Returns false (and does
   * nothing) while objects are still allocated.
   */
  destroy(): boolean {
    if (this.objectsInUse > 0) return false;
    this.reclaim();
    this.owners.unregister(this.id);
    return true;
  }

  /** Debug mode: checks the poison and red zones of every free object. Returns the number of new reports. */
  validate(): number {
    const checker = this.checker;
    if (checker === undefined) return 0;
    const before = checker.reports.length;
    this.tables.forEachObject((slab, slot, state) => {
      if (state !== SlabFastPath.OBJECT_ALLOCATED) checker.checkFree(this.addressOf(slab, slot));
    });
    return checker.reports.length - before;
  }

  /** Current statistics (cold path: allocates the result). */
  statistics(): SlabCacheStatistics {
    const perCpu = [];
    let objectsCached = 0;
    for (let cpu = 0; cpu < this.cpuCount; cpu++) {
      const at = cpu * Counter.WIDTH;
      objectsCached += this.magazineCount[cpu]!;
      perCpu.push({
        allocHits: this.counters[at + Counter.ALLOCS]! - this.counters[at + Counter.ALLOC_MISSES]!,
        allocMisses: this.counters[at + Counter.ALLOC_MISSES]!,
        freeHits: this.counters[at + Counter.FREES]! - this.counters[at + Counter.FREE_MISSES]!,
        freeMisses: this.counters[at + Counter.FREE_MISSES]!,
      });
    }
    return this.tables.statistics(this.name, this.layout, this.objectsInUse, objectsCached, perCpu);
  }

  private objectAt(address: number): number {
    if (!(address >= 0 && address < this.addressLimit)) return SlabFastPath.NONE;
    // address < 2^43, so the quotient truncated through int32 is the frame number (FRAME_SIZE is 2^12).
    const frame = (address * SlabFastPath.INVERSE_FRAME_SIZE) | 0;
    if (this.frameOwner[frame] !== this.id) return SlabFastPath.NONE;
    const slab = this.frameDetail[frame]!;
    // offset lies within one slab (its frame is owned by it), so rounding offset / stride through the
    // reciprocal is exact for every true slot start; the multiply-back check rejects everything else.
    const offset = address - this.slabFrame[slab]! * SlabFastPath.FRAME_SIZE - this.objectOffset;
    const slot = (offset * this.inverseStride + 0.5) | 0;
    if (slot * this.stride !== offset || !(slot >= 0 && slot < this.objectsPerSlab)) return SlabFastPath.NONE;
    return slab * this.objectsPerSlab + slot;
  }

  private addressOf(slab: number, slot: number): number {
    return this.slabFrame[slab]! * SlabFastPath.FRAME_SIZE + this.objectOffset + slot * this.stride;
  }

  private refill(cpu: number): number {
    this.busy = true;
    const base = cpu * this.magazineSize;
    const tables = this.tables;
    let count = this.magazineCount[cpu]!;
    while (count < this.batchSize) {
      let slab = tables.firstOf(SLAB_LIST.PARTIAL);
      if (slab === SlabFastPath.NONE) slab = tables.firstOf(SLAB_LIST.EMPTY);
      if (slab === SlabFastPath.NONE) slab = this.grow();
      if (slab === SlabFastPath.NONE) break;
      while (count < this.batchSize) {
        const slot = tables.takeFreeSlot(slab);
        if (slot === SlabFastPath.NONE) break;
        this.objectState[slab * this.objectsPerSlab + slot] = SlabFastPath.OBJECT_CACHED;
        this.magazineObject[base + count] = slab * this.objectsPerSlab + slot;
        this.magazineAddress[base + count] = this.addressOf(slab, slot);
        count++;
      }
    }
    this.magazineCount[cpu] = count;
    this.busy = false;
    return count;
  }

  private grow(): number {
    const address = this.frames.allocate(this.layout.slabOrder);
    if (address < 0) return SlabFastPath.NONE;
    const frame = address / SlabFastPath.FRAME_SIZE;
    const slab = this.tables.addSlab(frame);
    this.objectState = this.tables.objectState;
    this.slabFrame = this.tables.slabFrame;
    this.owners.claim(frame, this.layout.slabFrames, this.id, slab);
    this.checker?.prepareSlab(address);
    return slab;
  }

  private flush(cpu: number, wanted: number): void {
    const base = cpu * this.magazineSize;
    const count = this.magazineCount[cpu]!;
    const moved = Math.min(wanted, count);
    for (let i = 0; i < moved; i++) this.tables.returnObject(this.magazineObject[base + i]!);
    this.magazineObject.copyWithin(base, base + moved, base + count);
    this.magazineAddress.copyWithin(base, base + moved, base + count);
    this.magazineCount[cpu] = count - moved;
    this.trimEmpty(this.maxEmptySlabs);
  }

  /** Frees empty slabs beyond `keep`; returns how many were freed. */
  private trimEmpty(keep: number): number {
    let released = 0;
    while (this.tables.listLength[SLAB_LIST.EMPTY]! > keep) {
      const slab = this.tables.firstOf(SLAB_LIST.EMPTY);
      const frame = this.tables.removeSlab(slab);
      this.owners.release(frame, this.layout.slabFrames);
      const result = this.frames.free(frame * SlabFastPath.FRAME_SIZE, this.layout.slabOrder);
      if (result !== 0) throw new Error(`slab cache ${this.name}: frame allocator refused slab (${result})`);
      released++;
    }
    if (released > 0) this.clearStaleEntries();
    return released;
  }

  /** After slabs were released: forgets every magazine entry above a top (they may name a freed slab's objects). */
  private clearStaleEntries(): void {
    for (let cpu = 0; cpu < this.cpuCount; cpu++) {
      const base = cpu * this.magazineSize;
      this.magazineAddress.fill(Number.NaN, base + this.magazineCount[cpu]!, base + this.magazineSize);
    }
  }
}
