/**
 * The per-CPU magazine records of a slab cache (see slab-cache.ts for the
 * scheme): where each CPU's stack of free objects and its counters sit in the
 * cache's two magazine arrays, and the statistics derived from them.
 *
 * Layout. CPU c owns the record [c * recordSize, (c + 1) * recordSize) of
 * BOTH arrays, recordSize = HEADER + magazineSize + 1, so one index names an
 * entry's object and its address:
 * - `magazineObject` (Int32Array): [COUNT] the magazine's fill, then from
 *   HEADER the stacked object numbers.
 * - `magazineAddress` (Float64Array): [unused, ALLOCS, ALLOC_MISSES,
 *   FREE_MISSES, REFILLED, FLUSHED] counters, then from HEADER the stacked
 *   objects' addresses.
 * The entry past the last (index HEADER + magazineSize) is never filled: its
 * address stays NaN, so the fast path of `free`, which compares the entry
 * just above the top with the freed address, needs no bounds test even on a
 * full magazine.
 *
 * Why so few counters: the fast path bumps one counter per allocation and
 * none per free. Objects enter a magazine only by refill and frees, and leave
 * only by allocations and flushes, so for every CPU
 *   COUNT = REFILLED − FLUSHED − ALLOCS + frees,
 * which gives the frees (and the objects allocated, REFILLED − FLUSHED −
 * COUNT) exactly; every counter is a float64 integer, exact below 2^53.
 */
import type { MagazineStatistics } from "./slab-tables";

/** Offsets inside a CPU's magazine record (literals on the fast path; see the file comment). */
export const enum MagazineRecord {
  /** `magazineObject`: objects in the magazine. */
  COUNT = 0,
  /** `magazineAddress`: allocations on this CPU. */
  ALLOCS = 1,
  /** `magazineAddress`: allocations that refilled the magazine first. */
  ALLOC_MISSES = 2,
  /** `magazineAddress`: frees that flushed part of the magazine first. */
  FREE_MISSES = 3,
  /** `magazineAddress`: objects moved from slabs into the magazine. */
  REFILLED = 4,
  /** `magazineAddress`: objects moved from the magazine back to slabs. */
  FLUSHED = 5,
  /** First entry of the stack in both arrays. */
  HEADER = 8,
}

/** Record length for `magazineSize` entries: header, entries and the never-filled guard entry. */
export function magazineRecordSize(magazineSize: number): number {
  return MagazineRecord.HEADER + magazineSize + 1;
}

/**
 * Fresh magazine arrays for `cpuCount` CPUs: every magazine empty, every
 * counter 0, every entry's address NaN (matches no address).
 */
export function createMagazines(
  cpuCount: number,
  recordSize: number,
): { objects: Int32Array; addresses: Float64Array } {
  const objects = new Int32Array(cpuCount * recordSize);
  const addresses = new Float64Array(cpuCount * recordSize).fill(Number.NaN);
  for (let cpu = 0; cpu < cpuCount; cpu++) {
    addresses.fill(0, cpu * recordSize, cpu * recordSize + MagazineRecord.HEADER);
  }
  return { objects, addresses };
}

/** Objects allocated to callers through the magazine whose record starts at `head` (negative when other CPUs freed them). */
function objectsAllocatedThrough(objects: Int32Array, addresses: Float64Array, head: number): number {
  return (
    addresses[head + MagazineRecord.REFILLED]! -
    addresses[head + MagazineRecord.FLUSHED]! -
    objects[head + MagazineRecord.COUNT]!
  );
}

/** Objects allocated to callers through all magazines: the cache's objects in use. */
export function objectsAllocated(objects: Int32Array, addresses: Float64Array, recordSize: number): number {
  let allocated = 0;
  for (let head = 0; head < objects.length; head += recordSize) {
    allocated += objectsAllocatedThrough(objects, addresses, head);
  }
  return allocated;
}

/** Free objects sitting in all magazines. */
export function objectsInMagazines(objects: Int32Array, recordSize: number): number {
  let cached = 0;
  for (let head = 0; head < objects.length; head += recordSize)
    cached += objects[head + MagazineRecord.COUNT]!;
  return cached;
}

/** Hit and miss counters of every CPU, index = CPU id (cold path: allocates). */
export function magazineStatistics(
  objects: Int32Array,
  addresses: Float64Array,
  recordSize: number,
): MagazineStatistics[] {
  const perCpu: MagazineStatistics[] = [];
  for (let head = 0; head < objects.length; head += recordSize) {
    const allocs = addresses[head + MagazineRecord.ALLOCS]!;
    const allocMisses = addresses[head + MagazineRecord.ALLOC_MISSES]!;
    const freeMisses = addresses[head + MagazineRecord.FREE_MISSES]!;
    const frees = allocs - objectsAllocatedThrough(objects, addresses, head);
    perCpu.push({ allocHits: allocs - allocMisses, allocMisses, freeHits: frees - freeMisses, freeMisses });
  }
  return perCpu;
}

/** Sets the address of every entry at or above a magazine's top to NaN (after slabs were released). */
export function forgetStaleEntries(objects: Int32Array, addresses: Float64Array, recordSize: number): void {
  for (let head = 0; head < objects.length; head += recordSize) {
    const top = head + MagazineRecord.HEADER + objects[head + MagazineRecord.COUNT]!;
    addresses.fill(Number.NaN, top, head + recordSize);
  }
}
