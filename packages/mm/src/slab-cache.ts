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
 * - `magazineObject` / `magazineAddress`: one record per CPU in each (see
 *   slab-magazines.ts): the magazine's fill and counters, then the stacked
 *   objects and their addresses. Entries at or above a magazine's top are
 *   stale but still pair an object with its own address (or hold address
 *   NaN, which nothing equals), so the entry just above the top, the object
 *   `allocate` popped last, lets `free` identify an object handed straight
 *   back without the owner-table lookup (the common allocate-then-free
 *   pattern); its state is still checked.
 *
 * Fast path (no debug mode, magazine not empty / freed object just above the
 * top): `allocate` touches its CPU's record and the object's state, `free`
 * the same; everything else (owner-table lookup, refill, flush, debug checks)
 * sits in separate methods so the two inlined fast paths stay small. Frees
 * are not counted on the fast path; slab-magazines.ts derives them.
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
import {
  createMagazines,
  forgetStaleEntries,
  magazineRecordSize,
  magazineStatistics,
  objectsAllocated,
  objectsInMagazines,
} from "./slab-magazines";
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

/**
 * `MagazineRecord` of slab-magazines.ts again, declared here so the compiler writes the offsets
 * as literals: under a per-file TypeScript transform (tsx, vitest) an imported const enum is a
 * module-export getter call on every use, and with five caches constructed the benchmark's
 * alloc+free pair cost ~57 ns instead of ~3.6 ns. slab-cache.test.ts checks the two agree.
 */
export const enum Magazine {
  COUNT = 0,
  ALLOCS = 1,
  ALLOC_MISSES = 2,
  FREE_MISSES = 3,
  REFILLED = 4,
  FLUSHED = 5,
  HEADER = 8,
}

/** SLAB_FREE as literals for the fast path (checked against SLAB_FREE by the tests). */
export const enum SlabFreeCode {
  OK = 0,
  INVALID_ADDRESS = -1,
  NOT_ALLOCATED = -2,
  CORRUPTED = -4,
}

/** A cache of equal-sized objects with per-CPU magazines. Also a shrinker. */
export class SlabCache {
  // Every field is assigned once, in the constructor (`declare` emits no class-field initializer
  // that the constructor would overwrite), so V8 tracks the fields as constant with exact types:
  // no map checks, and the typed arrays' internals stay loop-invariant in a caller's loop. With
  // initializers the benchmark's alloc+free pair cost ~5.5 ns instead of ~3.5 ns.
  /** The cache's name. */
  declare readonly name: string;
  /** Object geometry. */
  declare readonly layout: SlabLayout;
  /** This cache's id in the owner table. */
  declare readonly id: number;
  /** CPUs with a magazine. */
  declare readonly cpuCount: number;
  declare private readonly magazineSize: number;
  /** Length of one CPU's record in both magazine arrays (slab-magazines.ts). */
  declare private readonly recordSize: number;
  declare private readonly batchSize: number;
  declare private readonly maxEmptySlabs: number;
  declare private readonly frames: FrameAllocator;
  declare private readonly owners: FrameOwnerTable;
  declare private readonly checker: SlabDebugger | undefined;
  declare private readonly tables: SlabTables;
  declare private readonly magazineObject: Int32Array;
  declare private readonly magazineAddress: Float64Array;
  // Hot-path copies of layout and owner-table fields (monomorphic own properties).
  declare private readonly stride: number;
  declare private readonly inverseStride: number;
  declare private readonly objectOffset: number;
  declare private readonly objectsPerSlab: number;
  declare private readonly frameOwner: Int32Array;
  declare private readonly frameDetail: Int32Array;
  /** First byte past the frames the owner table covers (below 2^43, so frame numbers fit an int32). */
  declare private readonly addressLimit: number;
  /** `tables.objectState` and `tables.slabFrame`, re-read whenever the tables grow. */
  declare private objectState: Uint8Array;
  declare private slabFrame: Int32Array;
  declare private busy: boolean;

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
    this.recordSize = magazineRecordSize(this.magazineSize);
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
    const magazines = createMagazines(this.cpuCount, this.recordSize);
    this.magazineObject = magazines.objects;
    this.magazineAddress = magazines.addresses;
    const debug = options.debug;
    this.checker = debug && new SlabDebugger(debug.memory, this.layout, this.name, debug.onReport);
    this.busy = false;
  }

  /** Objects currently allocated to callers. */
  get objectsInUse(): number {
    return objectsAllocated(this.magazineObject, this.magazineAddress, this.recordSize);
  }

  /** Debug-mode reports so far (always empty without debug mode). */
  get reports(): readonly SlabReport[] {
    return this.checker?.reports ?? [];
  }

  /** Allocates one object on `cpu`. Returns its physical address, or {@link ENOMEM}. */
  allocate(cpu = 0): number {
    if (!(cpu >= 0 && cpu < this.cpuCount)) throw new RangeError(`cpu ${cpu} out of range`);
    const head = cpu * this.recordSize;
    let count = (this.magazineObject[head + Magazine.COUNT]! - 1) | 0;
    if (count < 0) {
      // Not a tail call: the address below stays an unboxed float64 on every path.
      if (this.refillForAllocation(cpu) === 0) return SlabFastPath.ENOMEM;
      count = (this.magazineObject[head + Magazine.COUNT]! - 1) | 0;
    }
    this.magazineObject[head + Magazine.COUNT] = count;
    this.magazineAddress[head + Magazine.ALLOCS]!++;
    const entry = (head + Magazine.HEADER + count) | 0;
    this.objectState[this.magazineObject[entry]!] = SlabFastPath.OBJECT_ALLOCATED;
    const address = this.magazineAddress[entry]!;
    if (this.checker !== undefined) this.checker.onAllocate(address);
    return address;
  }

  /**
   * Frees the object at `address` on `cpu`. Never throws for a bad address.
   * Fast path: the object `allocate` popped last from this magazine, handed
   * straight back (see the scheme); anything else goes through `freeChecked`.
   */
  free(address: number, cpu = 0): SlabFreeResult {
    if (!(cpu >= 0 && cpu < this.cpuCount)) throw new RangeError(`cpu ${cpu} out of range`);
    const head = cpu * this.recordSize;
    const count = this.magazineObject[head + Magazine.COUNT]!;
    const entry = (head + Magazine.HEADER + count) | 0;
    // The guard entry keeps entry inside the record and its address NaN when the magazine is full.
    if (this.magazineAddress[entry] === address && this.checker === undefined) {
      const object = this.magazineObject[entry]!;
      if (this.objectState[object] === SlabFastPath.OBJECT_ALLOCATED) {
        this.objectState[object] = SlabFastPath.OBJECT_CACHED;
        this.magazineObject[head + Magazine.COUNT] = (count + 1) | 0;
        return SlabFreeCode.OK;
      }
    }
    return this.freeChecked(address, cpu);
  }

  /** Whether `address` is an object of this cache currently allocated to a caller. */
  isAllocated(address: number): boolean {
    const object = this.objectAt(address);
    return object !== SlabFastPath.NONE && this.objectState[object] === SlabFastPath.OBJECT_ALLOCATED;
  }

  /** Returns every object in `cpu`'s magazine to its slab. */
  drain(cpu: number): void {
    if (!(cpu >= 0 && cpu < this.cpuCount)) return;
    this.flush(cpu, this.magazineObject[cpu * this.recordSize + Magazine.COUNT]!);
  }

  /** Shrinker estimate: frames that `reclaim` could free now (empty slabs plus what draining may empty). */
  countReclaimable(): number {
    const cached = objectsInMagazines(this.magazineObject, this.recordSize);
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
    return this.tables.statistics(
      this.name,
      this.layout,
      this.objectsInUse,
      objectsInMagazines(this.magazineObject, this.recordSize),
      magazineStatistics(this.magazineObject, this.magazineAddress, this.recordSize),
    );
  }

  /** `allocate` on an empty magazine: refills it and counts the miss. Returns the objects now in it. */
  private refillForAllocation(cpu: number): number {
    const count = this.refill(cpu);
    if (count > 0) this.magazineAddress[cpu * this.recordSize + Magazine.ALLOC_MISSES]!++;
    return count;
  }

  /** `free` off the fast path: owner-table lookup, state and debug checks, flush when full. */
  private freeChecked(address: number, cpu: number): SlabFreeResult {
    const object = this.objectAt(address);
    if (object === SlabFastPath.NONE) return SlabFreeCode.INVALID_ADDRESS;
    if (this.objectState[object] !== SlabFastPath.OBJECT_ALLOCATED) {
      this.checker?.onDoubleFree(address);
      return SlabFreeCode.NOT_ALLOCATED;
    }
    const corrupted = this.checker?.onFree(address) === true;
    this.objectState[object] = SlabFastPath.OBJECT_CACHED;
    const head = cpu * this.recordSize;
    if (this.magazineObject[head + Magazine.COUNT] === this.magazineSize) {
      this.flush(cpu, this.batchSize);
      this.magazineAddress[head + Magazine.FREE_MISSES]!++;
    }
    const count = this.magazineObject[head + Magazine.COUNT]!;
    this.magazineObject[head + Magazine.HEADER + count] = object;
    this.magazineAddress[head + Magazine.HEADER + count] = address;
    this.magazineObject[head + Magazine.COUNT] = count + 1;
    return corrupted ? SlabFreeCode.CORRUPTED : SlabFreeCode.OK;
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

  /** Fills an empty magazine with up to `batchSize` objects; returns how many it now holds. */
  private refill(cpu: number): number {
    this.busy = true;
    const head = cpu * this.recordSize;
    const first = head + Magazine.HEADER;
    const tables = this.tables;
    const before = this.magazineObject[head + Magazine.COUNT]!;
    let count = before;
    while (count < this.batchSize) {
      let slab = tables.firstOf(SLAB_LIST.PARTIAL);
      if (slab === SlabFastPath.NONE) slab = tables.firstOf(SLAB_LIST.EMPTY);
      if (slab === SlabFastPath.NONE) slab = this.grow();
      if (slab === SlabFastPath.NONE) break;
      while (count < this.batchSize) {
        const slot = tables.takeFreeSlot(slab);
        if (slot === SlabFastPath.NONE) break;
        this.objectState[slab * this.objectsPerSlab + slot] = SlabFastPath.OBJECT_CACHED;
        this.magazineObject[first + count] = slab * this.objectsPerSlab + slot;
        this.magazineAddress[first + count] = this.addressOf(slab, slot);
        count++;
      }
    }
    this.magazineObject[head + Magazine.COUNT] = count;
    this.magazineAddress[head + Magazine.REFILLED]! += count - before;
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

  /** Returns the `wanted` oldest objects of `cpu`'s magazine to their slabs. */
  private flush(cpu: number, wanted: number): void {
    const head = cpu * this.recordSize;
    const first = head + Magazine.HEADER;
    const count = this.magazineObject[head + Magazine.COUNT]!;
    const moved = Math.min(wanted, count);
    for (let i = 0; i < moved; i++) this.tables.returnObject(this.magazineObject[first + i]!);
    this.magazineObject.copyWithin(first, first + moved, first + count);
    this.magazineAddress.copyWithin(first, first + moved, first + count);
    this.magazineObject[head + Magazine.COUNT] = count - moved;
    this.magazineAddress[head + Magazine.FLUSHED]! += moved;
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
    // Entries above a magazine's top may name the released slabs' objects.
    if (released > 0) forgetStaleEntries(this.magazineObject, this.magazineAddress, this.recordSize);
    return released;
  }
}
