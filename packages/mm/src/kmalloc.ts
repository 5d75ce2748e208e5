/**
 * kmalloc: general-purpose kernel allocation by size, as Linux's
 * kmalloc/kfree, over slab caches and the frame allocator.
 *
 * Scheme: sizes 1–8192 bytes are rounded up to a power of two from 8 B to
 * 8 KiB and served by one slab cache per size class (`kmalloc-8` …
 * `kmalloc-8192`); an object of class 2^k is aligned to min(2^k, 4096), as
 * Linux guarantees for its power-of-two caches. Larger sizes take a block of
 * 2^order frames straight from the frame allocator, order = the smallest that
 * holds the size. `kfree` needs only the address: the shared
 * {@link FrameOwnerTable} says whether the frame belongs to a slab cache (and
 * which) or heads a large block (and its order).
 *
 * Invariants: every live kmalloc block is recorded in the owner table;
 * `kfree` of anything else (an interior address, a never-allocated or
 * already-freed block) is an error value and changes nothing.
 */
import { FRAME_FREE, type FrameAllocator, type PhysicalMemory } from "@tsos/hw-x86";
import { EINVAL, ENOMEM, SLAB_FREE, type SlabFreeResult, type SlabReport } from "./errors";
import { FRAME_SIZE, MAX_ORDER, orderForBytes } from "./frame-constants";
import { FRAME_OWNER, type FrameOwnerTable } from "./frame-owner-table";
import { SlabCache } from "./slab-cache";
import type { SlabCacheStatistics } from "./slab-tables";

/** Size-class bounds as literals for the hot path (module constants cost a context load per use in V8). */
const enum SizeClass {
  MIN_SHIFT = 3,
  MIN_SIZE = 8,
  MAX_CACHE_SIZE = 8192,
  /** FRAME_SIZE, for the inline frame computation in kfree. */
  FRAME_BYTES = 4096,
}

/** Smallest kmalloc size class in bytes. */
export const KMALLOC_MIN_SIZE: number = SizeClass.MIN_SIZE;
/** Largest size served from a slab cache; larger requests go to the frame allocator. */
export const KMALLOC_MAX_CACHE_SIZE: number = SizeClass.MAX_CACHE_SIZE;
const CLASS_COUNT = 11;

/** Options of {@link Kmalloc}. */
export interface KmallocOptions {
  /** Where slabs and large blocks come from. */
  readonly frames: FrameAllocator;
  /** The owner table shared by every slab cache drawing from `frames`. */
  readonly owners: FrameOwnerTable;
  /** CPUs with magazines (default 1). */
  readonly cpuCount?: number;
  /** Debug mode for every size class: red zones and poison written through `memory`. */
  readonly debug?: { readonly memory: PhysicalMemory; readonly onReport?: (report: SlabReport) => void };
}

/** Size-class index for `size` bytes (1 ≤ size ≤ 8192). */
function classOf(size: number): number {
  if (size <= SizeClass.MIN_SIZE) return 0;
  return 32 - Math.clz32(size - 1) - SizeClass.MIN_SHIFT;
}

/** kmalloc / kfree over power-of-two slab caches and the frame allocator. */
export class Kmalloc {
  /** The size-class caches, `kmalloc-8` first. */
  readonly caches: readonly SlabCache[];
  private readonly frames: FrameAllocator;
  private readonly owners: FrameOwnerTable;
  /** This instance's caches by owner id, so kfree finds them without a type test. */
  private readonly cacheById: (SlabCache | undefined)[] = [];
  private largeFrames = 0;

  /** Creates the eleven size-class caches (no memory is taken until first use). */
  constructor(options: KmallocOptions) {
    this.frames = options.frames;
    this.owners = options.owners;
    const caches: SlabCache[] = [];
    for (let index = 0; index < CLASS_COUNT; index++) {
      const size = 1 << (index + SizeClass.MIN_SHIFT);
      caches.push(
        new SlabCache({
          name: `kmalloc-${size}`,
          objectSize: size,
          align: Math.min(size, FRAME_SIZE),
          frames: options.frames,
          owners: options.owners,
          cpuCount: options.cpuCount ?? 1,
          debug: options.debug,
        }),
      );
    }
    this.caches = caches;
    for (const cache of caches) this.cacheById[cache.id] = cache;
  }

  /** Frames currently held by large (frame-allocator) blocks. */
  get largeFramesInUse(): number {
    return this.largeFrames;
  }

  /**
   * Allocates `size` bytes on `cpu`. Returns a physical address, {@link ENOMEM}
   * when memory is exhausted, or {@link EINVAL} for a size that is not a
   * positive integer or exceeds the largest block (4 MiB).
   */
  kmalloc(size: number, cpu = 0): number {
    if (size <= SizeClass.MAX_CACHE_SIZE && size >= 1) return this.caches[classOf(size)]!.allocate(cpu);
    if (!(size > SizeClass.MAX_CACHE_SIZE) || !Number.isSafeInteger(size)) return EINVAL;
    const order = orderForBytes(size);
    if (order > MAX_ORDER) return EINVAL;
    const address = this.frames.allocate(order);
    if (address < 0) return ENOMEM;
    this.owners.claimLarge(address / FRAME_SIZE, order);
    this.largeFrames += 2 ** order;
    return address;
  }

  /** Frees a block from {@link Kmalloc.kmalloc}, found from its address alone. */
  kfree(address: number, cpu = 0): SlabFreeResult {
    const frame = Math.floor(address / SizeClass.FRAME_BYTES);
    if (!(frame >= 0 && frame < this.owners.frameCount)) return SLAB_FREE.INVALID_ADDRESS;
    const owner = this.owners.owner[frame]!;
    if (owner > 0) {
      const own = this.cacheById[owner];
      if (own !== undefined) return own.free(address, cpu);
      const other = this.owners.ownerById(owner);
      return other instanceof SlabCache ? other.free(address, cpu) : SLAB_FREE.INVALID_ADDRESS;
    }
    if (owner !== FRAME_OWNER.LARGE_HEAD || address !== frame * FRAME_SIZE) {
      return owner === FRAME_OWNER.NONE ? SLAB_FREE.NOT_ALLOCATED : SLAB_FREE.INVALID_ADDRESS;
    }
    const order = this.owners.detail[frame]!;
    const result = this.frames.free(address, order);
    if (result !== FRAME_FREE.OK) throw new Error(`kfree: frame allocator refused a live block (${result})`);
    this.owners.release(frame, 2 ** order);
    this.largeFrames -= 2 ** order;
    return SLAB_FREE.OK;
  }

  /** Usable size of the live block at `address` (its size class or block size), or 0 if none. */
  ksize(address: number): number {
    const frame = this.owners.frameOf(address);
    if (frame < 0) return 0;
    const owner = this.owners.owner[frame]!;
    if (owner > 0) {
      const cache = this.owners.ownerById(owner);
      return cache instanceof SlabCache && cache.isAllocated(address) ? cache.layout.objectSize : 0;
    }
    if (owner === FRAME_OWNER.LARGE_HEAD && address === frame * FRAME_SIZE) {
      return FRAME_SIZE * 2 ** this.owners.detail[frame]!;
    }
    return 0;
  }

  /** Shrinks every size class (drain magazines, free empty slabs). Returns frames freed. */
  reclaim(): number {
    let freed = 0;
    for (const cache of this.caches) freed += cache.reclaim();
    return freed;
  }

  /** Statistics of every size class (cold path). */
  statistics(): SlabCacheStatistics[] {
    return this.caches.map((cache) => cache.statistics());
  }
}
