/**
 * The same-run comparison of SlabCache against @thi.ng/malloc's MemPool on
 * fixed-size (64-byte) workloads, each measured as interleaved rounds of
 * @tsos/testing's `compare` and reported as x = MemPool time / slab time
 * (higher = slab faster):
 * - `slab/vs-thi.ng-malloc`: one alloc immediately followed by its free.
 *   MemPool serves this by bumping its top pointer up and back down. Each
 *   timed operation runs {@link PAIRS} such pairs in a loop (the same loop for
 *   both allocators), so the ~5 ns of harness call per operation, equal for
 *   both and a large share of a ~4 ns pair, does not compress the ratio; the
 *   raw results are rescaled to ns per alloc+free pair.
 * - `slab/vs-thi.ng-malloc-ring1024`: 1024 live blocks, each op frees the
 *   oldest and allocates one (FIFO), so MemPool's sorted free list is long.
 * - `slab/vs-thi.ng-malloc-batch64`: the typical kernel pattern, 64 blocks
 *   allocated and then all freed in a seeded shuffled order (one of 16 fixed
 *   permutations per round, the same sequence for both allocators); one op =
 *   the 64 allocations and 64 frees.
 *
 * The slab cache is built by `makeCache` so that a baseline implementation
 * can be measured by the same code, back to back.
 */
import { MemPool } from "@thi.ng/malloc";
import { type BenchResult, compare, ratioResult } from "@tsos/testing";
import { BuddyAllocator, FrameOwnerTable } from "../src/index";

const MiB = 2 ** 20;
const OBJECT = 64;
const BATCH = 64;
const PERMUTATIONS = 16;
/** Alloc+free pairs per timed operation of the pair workload. */
const PAIRS = 64;

/** What the workloads need of a slab cache. */
export interface FixedSizeCache {
  allocate(cpu: number): number;
  free(address: number, cpu: number): number;
}

/** Builds the cache under test over a fresh 64 MiB buddy allocator. */
export type CacheFactory = (frames: BuddyAllocator, owners: FrameOwnerTable) => FixedSizeCache;

const OPTIONS = {
  batch: 1000,
  iterations: 300,
  minTime: 1500,
  warmupIterations: 50,
  maxRounds: 2000,
} as const;

/** `count` seeded permutations of [0, size) (xorshift32 + Fisher–Yates), laid end to end. */
function permutations(size: number, count: number, seed: number): Int32Array {
  const out = new Int32Array(size * count);
  let state = seed >>> 0 || 1;
  for (let round = 0; round < count; round++) {
    const base = round * size;
    for (let i = 0; i < size; i++) out[base + i] = i;
    for (let i = size - 1; i > 0; i--) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const j = (state >>> 0) % (i + 1);
      const swap = out[base + i]!;
      out[base + i] = out[base + j]!;
      out[base + j] = swap;
    }
  }
  return out;
}

/**
 * `result` (timed with `pairs` alloc+free pairs per operation) restated per
 * pair: every time in it divided by `pairs`, `opsPerSample` multiplied; the
 * `vs` ratio is unit-free and stays as it is.
 */
function perPair(result: BenchResult, pairs: number): BenchResult {
  const scale = (value: number) => value / pairs;
  return {
    ...result,
    opsPerSample: result.opsPerSample * pairs,
    min: scale(result.min),
    max: scale(result.max),
    mean: scale(result.mean),
    median: scale(result.median),
    stddev: scale(result.stddev),
    p90: scale(result.p90),
    p99: scale(result.p99),
    values: result.values.map(scale),
  };
}

/** The three workloads for the cache `makeCache` builds; `label` prefixes the raw timings. */
export function versusThiNg(makeCache: CacheFactory, label = "slab"): BenchResult[] {
  const buddy = new BuddyAllocator([{ base: 0, length: 64 * MiB, kind: "usable" }]);
  const cache = makeCache(buddy, new FrameOwnerTable(buddy.frameCount));
  const pool = new MemPool({ size: 16 * MiB });
  const pair = compare(
    `${label}-vs-thi.ng`,
    [
      {
        name: "slab-64",
        operation: () => {
          for (let i = 0; i < PAIRS; i++) cache.free(cache.allocate(0), 0);
        },
      },
      {
        name: "thi.ng-malloc-64",
        operation: () => {
          for (let i = 0; i < PAIRS; i++) pool.free(pool.malloc(OBJECT));
        },
      },
    ],
    { ...OPTIONS, batch: 50 },
  ).map((result) => perPair(result, PAIRS));

  const ringSize = 1024;
  const slabRing = new Float64Array(ringSize).map(() => cache.allocate(0));
  const poolRing = new Float64Array(ringSize).map(() => pool.malloc(OBJECT));
  const ring = compare(
    `${label}-vs-thi.ng-ring1024`,
    [
      {
        name: "slab-64",
        operation: (index) => {
          const slot = index & (ringSize - 1);
          cache.free(slabRing[slot]!, 0);
          slabRing[slot] = cache.allocate(0);
        },
      },
      {
        name: "thi.ng-malloc-64",
        operation: (index) => {
          const slot = index & (ringSize - 1);
          pool.free(poolRing[slot]!);
          poolRing[slot] = pool.malloc(OBJECT);
        },
      },
    ],
    { ...OPTIONS, batch: 100, iterations: 100, minTime: 1000, maxRounds: 400 },
  );
  for (let slot = 0; slot < ringSize; slot++) {
    cache.free(slabRing[slot]!, 0);
    pool.free(poolRing[slot]!);
  }

  const order = permutations(BATCH, PERMUTATIONS, 0x5eed);
  const slabLive = new Float64Array(BATCH);
  const poolLive = new Float64Array(BATCH);
  const batch = compare(
    `${label}-vs-thi.ng-batch64`,
    [
      {
        name: "slab-64",
        operation: (index) => {
          for (let i = 0; i < BATCH; i++) slabLive[i] = cache.allocate(0);
          const base = (index % PERMUTATIONS) * BATCH;
          for (let i = 0; i < BATCH; i++) cache.free(slabLive[order[base + i]!]!, 0);
        },
      },
      {
        name: "thi.ng-malloc-64",
        operation: (index) => {
          for (let i = 0; i < BATCH; i++) poolLive[i] = pool.malloc(OBJECT);
          const base = (index % PERMUTATIONS) * BATCH;
          for (let i = 0; i < BATCH; i++) pool.free(poolLive[order[base + i]!]!);
        },
      },
    ],
    { ...OPTIONS, batch: 20, iterations: 200, minTime: 1500, maxRounds: 1000 },
  );
  return [
    ...pair,
    ratioResult(`${label}/vs-thi.ng-malloc`, pair[1]!, pair[0]!),
    ...ring,
    ratioResult(`${label}/vs-thi.ng-malloc-ring1024`, ring[1]!, ring[0]!),
    ...batch,
    ratioResult(`${label}/vs-thi.ng-malloc-batch64`, batch[1]!, batch[0]!),
  ];
}
