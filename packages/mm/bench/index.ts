/**
 * `pnpm bench` for @tsos/mm: host-time costs of the allocators, measured as
 * medians of INTERLEAVED rounds (@tsos/testing's `compare`), a same-run
 * comparison against @thi.ng/malloc's MemPool, and the external
 * fragmentation left by a mixed workload with and without coalescing.
 *
 * Results: a Markdown table on stdout and packages/mm/bench-results.json in
 * the format of issue 3. Cases (stable names):
 * - `slab/alloc-free`: one 64-byte object allocated and freed on CPU 0, the
 *   per-CPU magazine fast path (ns per pair).
 * - `buddy/order0-alloc-free`: one order-0 frame allocated and freed in a
 *   steady state where isolated free frames exist (pop + push, no split or
 *   merge); `buddy/order0-alloc-free-split-merge`: the same from fully free
 *   memory, so each pair splits a 4 MiB block down and merges it back;
 *   `buddy/order0-alloc-free-pcp`: the same fully free memory behind a
 *   PerCpuFrameCache (Linux's per-CPU lists).
 * - `kmalloc/alloc-free-64`: kmalloc(64) + kfree.
 * - `slab/vs-thi.ng-malloc`, `slab/vs-thi.ng-malloc-ring1024`,
 *   `slab/vs-thi.ng-malloc-batch64`: x = MemPool time / slab time on three
 *   fixed-size workloads (immediate pair, 1024 live FIFO, 64 allocated then
 *   freed shuffled); see versus-thi-ng.ts. The pair is timed 64 pairs per
 *   harness call and reported in ns per pair, so unlike `slab/alloc-free`
 *   it carries almost no harness overhead.
 * - `kmalloc-vs-buddy/*`: a fixed-size request from its slab cache vs a
 *   frame from the buddy allocator for the same request.
 * - `fragmentation/*`: unusable free space index at order 4 (64 KiB) after
 *   the mixed workload (virtual: deterministic, not a time), and the ratio
 *   no-coalescing / coalescing.
 */
import { fileURLToPath } from "node:url";
import { type BenchResult, compare, reportBenchResults, summarize } from "@tsos/testing";
import { BuddyAllocator, FrameOwnerTable, Kmalloc, PerCpuFrameCache, SlabCache } from "../src/index";
import { fragmentationAfterMixedWorkload } from "./fragmentation";
import { versusThiNg } from "./versus-thi-ng";

const MiB = 2 ** 20;
const OPTIONS = {
  batch: 1000,
  iterations: 300,
  minTime: 1500,
  warmupIterations: 50,
  maxRounds: 2000,
} as const;

function freshHeap() {
  const buddy = new BuddyAllocator([{ base: 0, length: 64 * MiB, kind: "usable" }]);
  const owners = new FrameOwnerTable(buddy.frameCount);
  return { buddy, owners };
}

/** A buddy allocator where every other frame is allocated: free order-0 blocks that cannot merge. */
function fragmentedBuddy(): BuddyAllocator {
  const buddy = new BuddyAllocator([{ base: 0, length: 16 * MiB, kind: "usable" }]);
  const frames: number[] = [];
  for (let address = buddy.allocate(0); address >= 0; address = buddy.allocate(0)) frames.push(address);
  for (let index = 0; index < frames.length; index += 2) buddy.free(frames[index]!, 0);
  return buddy;
}

function renamed(result: BenchResult, name: string): BenchResult {
  const { vs: _vs, ...rest } = result;
  return { ...rest, name };
}

function coreCosts(): BenchResult[] {
  const heap = freshHeap();
  const cache = new SlabCache({ name: "bench-64", objectSize: 64, frames: heap.buddy, owners: heap.owners });
  const kmalloc = new Kmalloc({ frames: heap.buddy, owners: heap.owners });
  const steady = fragmentedBuddy();
  const coalescing = new BuddyAllocator([{ base: 0, length: 16 * MiB, kind: "usable" }]);
  const pcp = new PerCpuFrameCache(new BuddyAllocator([{ base: 0, length: 16 * MiB, kind: "usable" }]));
  const results = compare(
    "mm",
    [
      { name: "slab", operation: () => cache.free(cache.allocate(0), 0) },
      { name: "buddy", operation: () => steady.free(steady.allocate(0), 0) },
      { name: "buddy-split", operation: () => coalescing.free(coalescing.allocate(0), 0) },
      { name: "buddy-pcp", operation: () => pcp.free(pcp.allocate(0), 0) },
      { name: "kmalloc", operation: () => kmalloc.kfree(kmalloc.kmalloc(64)) },
    ],
    OPTIONS,
  );
  const names = [
    "slab/alloc-free",
    "buddy/order0-alloc-free",
    "buddy/order0-alloc-free-split-merge",
    "buddy/order0-alloc-free-pcp",
    "kmalloc/alloc-free-64",
  ];
  return results.map((result, index) => renamed(result, names[index]!));
}

function kmallocVersusBuddy(): BenchResult[] {
  const results: BenchResult[] = [];
  for (const size of [64, 4096]) {
    const heap = freshHeap();
    const kmalloc = new Kmalloc({ frames: heap.buddy, owners: heap.owners });
    const buddy = fragmentedBuddy();
    results.push(
      ...compare(
        `kmalloc-vs-buddy`,
        [
          { name: `slab-${size}`, operation: () => kmalloc.kfree(kmalloc.kmalloc(size)) },
          { name: `buddy-${size}`, operation: () => buddy.free(buddy.allocate(0), 0) },
        ],
        OPTIONS,
      ),
    );
  }
  return results;
}

function fragmentation(): BenchResult[] {
  const order = 4;
  const with_: number[] = [];
  const without: number[] = [];
  for (let seed = 1; seed <= 7; seed++) {
    const { coalescing, noCoalescing } = fragmentationAfterMixedWorkload(seed, order);
    with_.push(coalescing);
    without.push(noCoalescing);
  }
  const record = (name: string, unit: string, values: number[]): BenchResult => ({
    name,
    unit,
    clock: "virtual",
    better: unit === "x" ? "higher" : "lower",
    opsPerSample: 1,
    ...summarize(values),
    values,
  });
  return [
    record(`fragmentation/unusable-index-order${order}-coalescing`, "index", with_),
    record(`fragmentation/unusable-index-order${order}-no-coalescing`, "index", without),
    record(
      "fragmentation/no-coalescing-vs-coalescing",
      "x",
      without.map((value, i) => value / Math.max(with_[i]!, Number.EPSILON)),
    ),
  ];
}

const packageDir = fileURLToPath(new URL("..", import.meta.url));
console.log("@tsos/mm benchmarks: host clock unless marked virtual; the machine may be shared and noisy.\n");
const slabCache = (frames: BuddyAllocator, owners: FrameOwnerTable) =>
  new SlabCache({ name: "bench-64", objectSize: 64, frames, owners });
const results = [...coreCosts(), ...versusThiNg(slabCache), ...kmallocVersusBuddy(), ...fragmentation()];
reportBenchResults(packageDir, results);
