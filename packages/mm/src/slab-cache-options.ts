/**
 * Options of a slab cache (see slab-cache.ts for the scheme they tune).
 *
 * Invariants enforced by SlabCache: magazineSize ≥ 1, 1 ≤ batchSize ≤
 * magazineSize, every CPU id passed to allocate/free is below cpuCount.
 */
import type { FrameAllocator, PhysicalMemory } from "@tsos/hw-x86";
import type { SlabReport } from "./errors";
import type { FrameOwnerTable } from "./frame-owner-table";

/** Debug-mode settings: red zones and poison are written through `memory`. */
export interface SlabDebugOptions {
  /** The physical memory holding the slabs. */
  readonly memory: PhysicalMemory;
  /** Called with each report as it is made (they are also kept in `SlabCache.reports`). */
  readonly onReport?: (report: SlabReport) => void;
}

/** Options of a `SlabCache`. */
export interface SlabCacheOptions {
  /** Name for statistics and reports, e.g. `task_struct`. */
  readonly name: string;
  /** Object size in bytes. */
  readonly objectSize: number;
  /** Object alignment, a power of two from 8 (default) to 4096. */
  readonly align?: number;
  /** Where slabs come from. */
  readonly frames: FrameAllocator;
  /** The owner table shared by all caches drawing from `frames`. */
  readonly owners: FrameOwnerTable;
  /** CPUs with a magazine (default 1). */
  readonly cpuCount?: number;
  /** Objects per magazine (default 32). */
  readonly magazineSize?: number;
  /** Objects moved per refill or flush (default half a magazine). */
  readonly batchSize?: number;
  /** Slab order (default: chosen from the object size). */
  readonly slabOrder?: number;
  /** Empty slabs kept for reuse before returning them to the frame allocator (default 1). */
  readonly maxEmptySlabs?: number;
  /** Enables red zones and poisoning. */
  readonly debug?: SlabDebugOptions;
}
