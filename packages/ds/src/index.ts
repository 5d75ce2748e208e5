/**
 * `@tsos/ds`: lock-free data structures on SharedArrayBuffer and Atomics,
 * each created in one thread and attached from others with a checked layout
 * header: SPSC rings (records and bytes), bounded MPSC / MPMC queues, a
 * Treiber stack with tagged tops, an open-addressing hash table and per-CPU
 * counters.
 *
 * @packageDocumentation
 */

export { BoundedQueueBase, type BoundedQueueOptions, MpmcQueue, MpscQueue } from "./bounded-queue";
export { DsLayoutError } from "./errors";
export {
  HASH_ABSENT,
  HASH_EMPTY_KEY,
  HASH_SET,
  type HashSetResult,
  HashTable,
  type HashTableOptions,
  hashInt32,
} from "./hash-table";
export {
  CACHE_LINE_BYTES,
  LAYOUT_MAGIC,
  LAYOUT_VERSION,
  STRUCTURE_KIND,
  type StructureKind,
} from "./layout-header";
export { type CounterLayout, PerCpuCounters, type PerCpuCountersOptions } from "./per-cpu-counters";
export { SpscByteRing, type SpscByteRingOptions } from "./spsc-byte-ring";
export { SpscRecordRing, type SpscRecordRingOptions } from "./spsc-record-ring";
export { SpscRingBase } from "./spsc-ring-base";
export { TreiberStack, type TreiberStackOptions, type TreiberStackReport } from "./treiber-stack";
