/**
 * `pnpm --filter @tsos/ds bench`: throughput of the lock-free structures,
 * on the host clock, with comparisons measured in the same run.
 * - spsc: 4-byte records across two threads, ours vs ringbuf.js, one message
 *   per call and 64 per call (`spsc/throughput`, `spsc/vs-ringbuf.js`), and
 *   the ring alone: `ring.push`/`ring.pop` called in the worker loop itself
 *   instead of through the harness closure (`spsc/throughput-direct`,
 *   `spsc/direct-vs-closure`: whether the harness costs anything);
 * - mpsc: 2 producers + 1 consumer, lock-free vs the same ring under an
 *   Atomics mutex (`mpsc/vs-mutex`);
 * - counters: two threads incrementing their own counter, padded vs packed
 *   layout (`counters/padded-vs-packed`, the false-sharing cost);
 * - treiber: push/pop pairs on two threads, and on one;
 * - hash-table: lookups at 50 % and 90 % load (one thread).
 * Cross-thread samples are messages/s over interleaved rounds; reported
 * values are medians. Ratios `x` are median(per-round variant) /
 * median(per-round reference) with a paired bootstrap 95 % interval.
 * On a shared 2-core machine the figures are noisy: read them as measured.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BenchResult,
  bench,
  compare,
  pairedRatioOfMedians,
  reportBenchResults,
  summarize,
} from "@tsos/testing";
import { RingBuffer } from "ringbuf.js";
import { MpscQueue } from "../src/bounded-queue";
import { HashTable } from "../src/hash-table";
import { PerCpuCounters } from "../src/per-cpu-counters";
import { SpscRecordRing } from "../src/spsc-record-ring";
import { TreiberStack } from "../src/treiber-stack";
import { MutexQueue } from "./mutex-queue";
import { sampleInterleaved, ThreadPool, type ThreadVariant } from "./thread-pool";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const ROUNDS = Number(process.env.TSOS_BENCH_ROUNDS ?? 11);
const WARMUP_ROUNDS = 2;
const RING_CAPACITY = 16_384;
/** Optional comma list of groups to run (spsc, mpsc, counters, single); all by default. */
const GROUPS = new Set((process.env.TSOS_BENCH_GROUPS ?? "spsc,mpsc,counters,single").split(","));

function rateResult(name: string, values: number[], opsPerSample: number): BenchResult {
  return { name, unit: "ops/s", clock: "host", better: "higher", opsPerSample, ...summarize(values), values };
}

/** Per-round ratios `numerator / denominator` as an `x` result, with the paired interval of the medians' ratio. */
function ratioResult(name: string, numerator: BenchResult, denominator: BenchResult): BenchResult {
  const ratios = numerator.values.map((value, index) => value / denominator.values[index]!);
  const estimate = pairedRatioOfMedians(numerator.values, denominator.values);
  return {
    name,
    unit: "x",
    clock: "host",
    better: "higher",
    opsPerSample: 1,
    ...summarize(ratios),
    median: estimate.ratio,
    values: ratios,
    vs: { name: denominator.name, ratio: estimate.ratio, low: estimate.low, high: estimate.high },
  };
}

async function runGroup(poolSize: number, variants: ThreadVariant[]): Promise<BenchResult[]> {
  const pool = new ThreadPool(poolSize);
  try {
    const samples = await sampleInterleaved(pool, variants, ROUNDS, WARMUP_ROUNDS);
    return variants.map((variant, index) => rateResult(variant.name, samples[index]!, variant.messages));
  } finally {
    await pool.close();
  }
}

function spscVariant(
  name: string,
  batch: number,
  messages: number,
  library: "ours" | "ours-direct" | "ringbuf.js",
): ThreadVariant {
  return {
    name,
    messages,
    jobs: () => {
      const buffer =
        library !== "ringbuf.js"
          ? SpscRecordRing.create({ capacity: RING_CAPACITY }).buffer
          : (RingBuffer.getStorageForCapacity(RING_CAPACITY, Int32Array) as SharedArrayBuffer);
      const prefix = ({ ours: "spsc", "ours-direct": "spsc-direct", "ringbuf.js": "ringbuf" } as const)[
        library
      ];
      const common = { buffer, count: messages, batch, cpu: 0 };
      return [
        { ...common, scenario: `${prefix}-producer` },
        { ...common, scenario: `${prefix}-consumer` },
      ];
    },
  };
}

async function spscResults(): Promise<BenchResult[]> {
  const [ours, theirs, oursBatch, theirsBatch, direct] = await runGroup(2, [
    spscVariant("spsc/throughput", 1, 2_000_000, "ours"),
    spscVariant("spsc/ringbuf.js", 1, 2_000_000, "ringbuf.js"),
    spscVariant("spsc/throughput-batch-64", 64, 8_000_000, "ours"),
    spscVariant("spsc/ringbuf.js-batch-64", 64, 8_000_000, "ringbuf.js"),
    spscVariant("spsc/throughput-direct", 1, 2_000_000, "ours-direct"),
  ]);
  return [
    ours!,
    theirs!,
    ratioResult("spsc/vs-ringbuf.js", ours!, theirs!),
    oursBatch!,
    theirsBatch!,
    ratioResult("spsc/vs-ringbuf.js-batch-64", oursBatch!, theirsBatch!),
    direct!,
    ratioResult("spsc/direct-vs-closure", direct!, ours!),
  ];
}

function queueVariant(name: string, kind: "mpsc" | "mutex", perProducer: number): ThreadVariant {
  return {
    name,
    messages: 2 * perProducer,
    jobs: () => {
      const buffer =
        kind === "mpsc"
          ? MpscQueue.create({ capacity: RING_CAPACITY }).buffer
          : new MutexQueue(RING_CAPACITY).buffer;
      const common = { buffer, batch: 1, cpu: 0 };
      return [
        { ...common, scenario: `${kind}-consumer`, count: 2 * perProducer },
        { ...common, scenario: `${kind}-producer`, count: perProducer },
        { ...common, scenario: `${kind}-producer`, count: perProducer },
      ];
    },
  };
}

async function mpscResults(): Promise<BenchResult[]> {
  const [lockFree, locked] = await runGroup(3, [
    queueVariant("mpsc/2-producers", "mpsc", 500_000),
    queueVariant("mpsc/mutex-2-producers", "mutex", 500_000),
  ]);
  return [lockFree!, locked!, ratioResult("mpsc/vs-mutex", lockFree!, locked!)];
}

function counterVariant(name: string, layout: "padded" | "packed", perThread: number): ThreadVariant {
  return {
    name,
    messages: 2 * perThread,
    jobs: () => {
      const buffer = PerCpuCounters.create({ cpuCount: 2, layout }).buffer;
      return [0, 1].map((cpu) => ({ scenario: "counter" as const, buffer, count: perThread, batch: 1, cpu }));
    },
  };
}

async function counterAndStackResults(): Promise<BenchResult[]> {
  const [padded, packed, pairs] = await runGroup(2, [
    counterVariant("counters/padded", "padded", 5_000_000),
    counterVariant("counters/packed", "packed", 5_000_000),
    {
      name: "treiber/push-pop-pairs-2-threads",
      messages: 1_000_000,
      jobs: () => {
        const buffer = TreiberStack.create({ capacity: 64 }).buffer;
        return [0, 1].map((cpu) => ({
          scenario: "treiber-pairs" as const,
          buffer,
          count: 500_000,
          batch: 1,
          cpu,
        }));
      },
    },
  ]);
  return [padded!, packed!, ratioResult("counters/padded-vs-packed", padded!, packed!), pairs!];
}

function singleThreadResults(): BenchResult[] {
  const ring = SpscRecordRing.create({ capacity: RING_CAPACITY });
  const stack = TreiberStack.create({ capacity: 64 });
  const options = { batch: 1000, iterations: 40, minTime: 200 };
  const singles = [
    bench("spsc/one-thread-push-pop", (index) => void (ring.push(index & 1023) && ring.pop()), options),
    bench(
      "treiber/one-thread-push-pop",
      (index) => void (stack.pushValue(index & 1023) && stack.popValue()),
      options,
    ),
  ];
  const capacity = 2 ** 16;
  const tables = [0.5, 0.9].map((load) => {
    const table = HashTable.create({ capacity, maxLoadFactor: 0.95 });
    const keys = Math.floor(capacity * load);
    for (let key = 1; key <= keys; key++) table.set(key * 7919, key);
    return { table, keys };
  });
  let sink = 0;
  const lookups = compare(
    "hash-table/lookup",
    tables.map(({ table, keys }, index) => ({
      name: index === 0 ? "load-50" : "load-90",
      operation: (operation: number) => {
        sink ^= table.get(((operation % keys) + 1) * 7919);
      },
    })),
    options,
  );
  if (sink === 0.5) console.log(sink);
  return [...singles, ...lookups];
}

const results = [
  ...(GROUPS.has("spsc") ? await spscResults() : []),
  ...(GROUPS.has("mpsc") ? await mpscResults() : []),
  ...(GROUPS.has("counters") ? await counterAndStackResults() : []),
  ...(GROUPS.has("single") ? singleThreadResults() : []),
];
console.log(
  `@tsos/ds bench: ${ROUNDS} interleaved rounds per cross-thread variant; host clock; noisy on shared cores.\n`,
);
reportBenchResults(packageDir, results);
