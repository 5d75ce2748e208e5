/**
 * `@tsos/mm`: physical memory management for tsos.
 *
 * - {@link BuddyAllocator}: frames in orders 0–10 from a memory map, with
 *   zones; implements hw-x86's `FrameAllocator`.
 * - {@link SlabCache}: fixed-size objects with per-CPU magazines, shrinkable,
 *   with a red-zone/poison debug mode.
 * - {@link Kmalloc}: kmalloc/kfree by size over slab caches and frames.
 * - {@link PerCpuFrameCache}: per-CPU order-0 frame lists in front of the
 *   buddy allocator (Linux's pcp lists).
 * - {@link MemoryPressure}: watermarks, shrinkers and an OOM hook, as a
 *   `FrameAllocator` wrapper.
 * - {@link PageTable}: x86-64 4-level page tables in physical memory (4 KiB
 *   and 2 MiB pages, a direct map), with TLB-flush obligations collected in
 *   a {@link TlbFlushBatch}.
 * - {@link AddressSpace}: VMAs, brk / mmap / munmap / mprotect, demand-zero
 *   and copy-on-write page faults, stack growth, fork; {@link copyFromUser},
 *   {@link copyToUser} and {@link strncpyFromUser}.
 *
 * @packageDocumentation
 */

export { AddressSpace } from "./address-space";
export { BuddyAllocator, type BuddyAllocatorOptions } from "./buddy-allocator";
export {
  type BuddyStatistics,
  buddyStatistics,
  fragmentationIndex,
  unusableFreeSpaceIndex,
} from "./buddy-statistics";
export {
  EEXIST,
  EFAULT,
  EINVAL,
  ENOENT,
  ENOMEM,
  ENOSYS,
  EPERM,
  SLAB_FREE,
  type SlabFreeResult,
  type SlabReport,
  type SlabReportKind,
} from "./errors";
export { FaultCounters, type FaultCountersSnapshot } from "./fault-counters";
export {
  FRAME_SHIFT,
  FRAME_SIZE,
  MAX_ORDER,
  ORDER_COUNT,
  orderForBytes,
  orderForFrames,
} from "./frame-constants";
export { FRAME_OWNER, type FrameOwner, FrameOwnerTable } from "./frame-owner-table";
export { FrameRefCounts } from "./frame-ref-counts";
export { KMALLOC_MAX_CACHE_SIZE, KMALLOC_MIN_SIZE, Kmalloc, type KmallocOptions } from "./kmalloc";
export {
  buildFrameZoneTable,
  type FrameZoneTable,
  type MemoryRegion,
  SINGLE_ZONE,
  UNMANAGED,
  type ZoneSpec,
} from "./memory-map";
export {
  type AddressSpaceOptions,
  FAULT,
  type FaultResult,
  MAP,
  PROT,
  USER_END,
} from "./mman";
export { NOT_MAPPED, PageTable } from "./page-table";
export { PerCpuFrameCache, type PerCpuFrameCacheOptions } from "./per-cpu-frame-cache";
export {
  type CountingFrameAllocator,
  defaultWatermarks,
  MemoryPressure,
  type MemoryPressureOptions,
  type OomCandidate,
  type OomHook,
  type OomRequest,
  type OomVictim,
  type PressureStatistics,
  type Shrinker,
  selectOomVictim,
  type Watermarks,
} from "./pressure";
export { SlabCache } from "./slab-cache";
export type { SlabCacheOptions, SlabDebugOptions } from "./slab-cache-options";
export { SLAB_POISON } from "./slab-debug";
export {
  computeSlabLayout,
  DEFAULT_SLAB_ALIGN,
  MAX_SLAB_ORDER,
  MIN_OBJECTS_PER_SLAB,
  MIN_RED_ZONE,
  type SlabLayout,
} from "./slab-layout";
export type { MagazineStatistics, SlabCacheStatistics } from "./slab-tables";
export {
  TLB_FLUSH,
  TLB_FLUSH_CEILING,
  TlbFlushBatch,
  type TlbShootdown,
} from "./tlb-flush-batch";
export { copyFromUser, copyToUser, strncpyFromUser } from "./user-copy";
export { VmaList } from "./vma-list";
