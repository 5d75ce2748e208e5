/**
 * Concurrent tests: every structure driven by 2–4 worker_threads at once
 * over millions of operations in total, then checked exactly: nothing lost,
 * duplicated or reordered where order is promised, stack and table
 * invariants intact. Counts are fixed (×10 with TSOS_TIER=stress), so what is
 * checked is deterministic even though the interleaving is not; each worker
 * gives up at a time limit and the test then fails, so a bug cannot hang.
 * The tests in this file run one after another (one file = one vitest
 * worker), keeping the thread count at most 4 on a 2-core machine.
 */
import { describe, expect, it, vi } from "vitest";
import { MpmcQueue, MpscQueue } from "../src/bounded-queue";
import { HashTable } from "../src/hash-table";
import { PerCpuCounters } from "../src/per-cpu-counters";
import { SpscByteRing } from "../src/spsc-byte-ring";
import { SpscRecordRing } from "../src/spsc-record-ring";
import { TreiberStack } from "../src/treiber-stack";
import { runTsWorker, tierScale } from "./start-worker";
import type { CounterJob } from "./workers/counter-worker";
import type { QueueJob, QueueOutcome } from "./workers/queue-worker";
import type { SpscJob, SpscOutcome } from "./workers/spsc-worker";
import type { StackJob, StackOutcome } from "./workers/stack-worker";
import { valueFor } from "./workers/table-values";
import type { TableJob, TableOutcome } from "./workers/table-worker";

const scale = tierScale();
const TIME_LIMIT_MS = 30_000 * scale;
vi.setConfig({ testTimeout: 60_000 * scale });
const worker = (name: string) => new URL(`./workers/${name}.ts`, import.meta.url);
const spsc = (role: SpscJob["role"], job: Omit<SpscJob, "role">) =>
  runTsWorker<SpscOutcome>(worker("spsc-worker"), { ...job, role } satisfies SpscJob);

describe("SPSC rings across two threads", () => {
  it(`moves ${2 * scale}M records in order, none lost or duplicated (single and batch ops, blocking waits)`, async () => {
    const count = 2_000_000 * scale;
    const ring = SpscRecordRing.create({ capacity: 1024 });
    const job = { buffer: ring.buffer, count, timeLimitMs: TIME_LIMIT_MS };
    const [produced, consumed] = await Promise.all([
      spsc("record-producer", job),
      spsc("record-consumer", job),
    ]);
    expect(produced.timedOut || consumed.timedOut).toBe(false);
    expect(consumed.firstMismatch).toBeUndefined();
    expect([produced.moved, consumed.moved, consumed.mismatches]).toEqual([count, count, 0]);
    expect(ring.size()).toBe(0);
  });

  it(`fills, drains on the other thread and fills again, ${400 * scale} times: cached positions never go stale`, async () => {
    const rounds = 400 * scale;
    const ring = SpscRecordRing.create({ capacity: 64 });
    const gate = new SharedArrayBuffer(4);
    const job = { buffer: ring.buffer, gate, count: rounds, timeLimitMs: TIME_LIMIT_MS };
    const outcomes = await Promise.all([spsc("lockstep-producer", job), spsc("lockstep-consumer", job)]);
    const ok = { moved: 64 * rounds, mismatches: 0, firstMismatch: undefined, timedOut: false };
    expect(outcomes).toEqual([ok, ok]);
    expect(ring.size()).toBe(0);
  });

  it("wakes a side blocked without a short timeout while the other side moves records slowly", async () => {
    const [count, timeLimitMs] = [40, TIME_LIMIT_MS];
    const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
    const toConsumer = SpscRecordRing.create({ capacity: 4 });
    const consuming = spsc("blocking-consumer", { buffer: toConsumer.buffer, count, timeLimitMs });
    for (let value = 0; value < count; value++) {
      await pause(); // once the worker runs, it is (usually) asleep in popBlocking by now
      while (!toConsumer.push(value)) await pause(); // full only while the worker is starting
    }
    const consumed = await consuming;
    expect(consumed).toEqual({ moved: count, mismatches: 0, firstMismatch: undefined, timedOut: false });

    const fromProducer = SpscRecordRing.create({ capacity: 4 });
    const producing = spsc("blocking-producer", { buffer: fromProducer.buffer, count, timeLimitMs });
    const received: number[] = [];
    while (received.length < count) {
      await pause(); // the producer is (usually) asleep in pushBlocking on a full ring by now
      const value = fromProducer.pop();
      if (value !== -1) received.push(value);
    }
    expect((await producing).moved).toBe(count);
    expect(received).toEqual(Array.from({ length: count }, (_, index) => index));
  });

  it(`streams ${4 * scale}M bytes through a byte ring unchanged`, async () => {
    const count = 4_000_000 * scale;
    const ring = SpscByteRing.create({ capacity: 4096 });
    const job = { buffer: ring.buffer, count, timeLimitMs: TIME_LIMIT_MS };
    const [produced, consumed] = await Promise.all([spsc("byte-producer", job), spsc("byte-consumer", job)]);
    expect(consumed.firstMismatch).toBeUndefined();
    expect([produced.moved, consumed.moved, consumed.mismatches]).toEqual([count, count, 0]);
  });
});

function queueJob(kind: "mpsc" | "mpmc", buffer: SharedArrayBuffer, producers: number, count: number) {
  return { kind, buffer, producers, count, producer: 0, timeLimitMs: TIME_LIMIT_MS };
}

describe("bounded queues with several producers", () => {
  it(`MPSC: 3 producers × ${250 * scale}k, one consumer sees each producer's elements in order with no gap`, async () => {
    const producers = 3;
    const count = 250_000 * scale;
    const queue = MpscQueue.create({ capacity: 256 });
    const base = queueJob("mpsc", queue.buffer, producers, count);
    const outcomes = await Promise.all([
      runTsWorker<QueueOutcome>(worker("queue-worker"), {
        ...base,
        role: "mpsc-consumer",
      } satisfies QueueJob),
      ...Array.from({ length: producers }, (_, producer) =>
        runTsWorker<QueueOutcome>(worker("queue-worker"), {
          ...base,
          role: "producer",
          producer,
        } satisfies QueueJob),
      ),
    ]);
    const [consumer, ...producerOutcomes] = outcomes;
    expect(consumer!.firstViolation).toBeUndefined();
    expect(consumer!.timedOut).toBe(false);
    expect(consumer!.moved).toBe(producers * count);
    expect(producerOutcomes.map((outcome) => outcome.moved)).toEqual([count, count, count]);
    expect(queue.pop()).toBe(-1);
  });

  it(`MPMC: 2 producers × ${300 * scale}k, 2 consumers; per-producer order per consumer, each element taken once`, async () => {
    const producers = 2;
    const count = 300_000 * scale;
    const queue = MpmcQueue.create({ capacity: 128 });
    const tally = new SharedArrayBuffer((producers * count + 1) * 4);
    const base = { ...queueJob("mpmc", queue.buffer, producers, count), tally };
    const outcomes = await Promise.all([
      runTsWorker<QueueOutcome>(worker("queue-worker"), {
        ...base,
        role: "mpmc-consumer",
      } satisfies QueueJob),
      runTsWorker<QueueOutcome>(worker("queue-worker"), {
        ...base,
        role: "mpmc-consumer",
      } satisfies QueueJob),
      runTsWorker<QueueOutcome>(worker("queue-worker"), { ...base, role: "producer", producer: 0 }),
      runTsWorker<QueueOutcome>(worker("queue-worker"), { ...base, role: "producer", producer: 1 }),
    ]);
    expect(outcomes.map((outcome) => outcome.firstViolation)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(outcomes[0]!.moved + outcomes[1]!.moved).toBe(producers * count);
    const counts = new Int32Array(tally, 0, producers * count);
    expect(counts.every((seen) => seen === 1)).toBe(true);
  });
});

// The ABA case itself is replayed step by step in src/treiber-stack.test.ts: in trials, this
// test did not catch a build with the tag removed (a preemption must land inside the few
// instructions between reading TOP and the CAS), while the replay test does.
describe("Treiber stack under three threads", () => {
  it("never hands one node to two threads, conserves values, and keeps every node on one list", async () => {
    const capacity = 8;
    const rounds = 500_000 * scale;
    const stack = TreiberStack.create({ capacity, nodeWords: 2 });
    const owners = new SharedArrayBuffer(capacity * 4);
    const gate = new SharedArrayBuffer(4);
    const outcomes = await Promise.all(
      [0, 1, 2].map((index) =>
        runTsWorker<StackOutcome>(worker("stack-worker"), {
          buffer: stack.buffer,
          owners,
          worker: index,
          rounds,
          gate,
          parties: 3,
        } satisfies StackJob),
      ),
    );
    expect(outcomes.map((outcome) => outcome.doubleOwnership + outcome.payloadMismatches)).toEqual([0, 0, 0]);
    const report = stack.inspect();
    expect(report.problem).toBeUndefined();
    expect(report.stack.length + report.free.length).toBe(capacity);
    const leftSum = report.stack.reduce((sum, node) => sum + stack.data[node * 2]!, 0);
    const pushed = outcomes.reduce((sum, outcome) => sum + outcome.pushedSum, 0);
    const popped = outcomes.reduce((sum, outcome) => sum + outcome.poppedSum, 0);
    const pushedCount = outcomes.reduce((sum, outcome) => sum + outcome.pushedCount, 0);
    const poppedCount = outcomes.reduce((sum, outcome) => sum + outcome.poppedCount, 0);
    expect(pushed - popped).toBe(leftSum);
    expect(pushedCount - poppedCount).toBe(report.stack.length);
    expect(pushedCount).toBeGreaterThan(rounds);
  });
});

describe("hash table under concurrent writers and a reader", () => {
  it("2 writers + 1 reader: no duplicate keys, reads consistent per key, final values exact", async () => {
    const keys = 20_000;
    const rounds = 20 * scale;
    const table = HashTable.create({ capacity: 2 ** 15 });
    const running = new SharedArrayBuffer(4);
    new Int32Array(running)[0] = 2;
    const job = {
      buffer: table.buffer,
      keys,
      rounds,
      running,
      worker: 0,
      gate: new SharedArrayBuffer(4),
      parties: 3,
    };
    const [reader, ...writers] = await Promise.all([
      runTsWorker<TableOutcome>(worker("table-worker"), { ...job, role: "reader" } satisfies TableJob),
      runTsWorker<TableOutcome>(worker("table-worker"), {
        ...job,
        role: "writer",
        worker: 0,
      } satisfies TableJob),
      runTsWorker<TableOutcome>(worker("table-worker"), {
        ...job,
        role: "writer",
        worker: 1,
      } satisfies TableJob),
    ]);
    expect([reader!.firstViolation, ...writers.map((writer) => writer.firstViolation)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const slotKeys = new Map<number, number>();
    table.forEach((key) => {
      slotKeys.set(key, (slotKeys.get(key) ?? 0) + 1);
    });
    expect([...slotKeys.values()].every((copies) => copies === 1)).toBe(true);
    expect(table.usedSlots()).toBe(keys);
    for (let key = 1; key <= keys; key++) expect(table.get(key)).toBe(valueFor(key, rounds - 1));
  });

  async function fillTables(mode: "same" | "distinct", keys: number, capacity: number): Promise<HashTable[]> {
    const epochs = 40 * scale;
    const tables = Array.from({ length: epochs }, () => HashTable.create({ capacity, maxLoadFactor: 0.75 }));
    const shared = {
      role: "filler" as const,
      buffer: tables[0]!.buffer,
      tables: tables.map((table) => table.buffer),
      keys,
      rounds: 0,
      running: new SharedArrayBuffer(4),
      mode,
      parties: 2,
      gate: new SharedArrayBuffer(4),
    };
    const fillers = await Promise.all(
      [0, 1].map((index) =>
        runTsWorker<TableOutcome>(worker("table-worker"), { ...shared, worker: index } satisfies TableJob),
      ),
    );
    expect(fillers.map((filler) => filler.firstViolation)).toEqual([undefined, undefined]);
    tables.forEach((table, epoch) => {
      const inserted = fillers[0]!.insertedPerTable![epoch]! + fillers[1]!.insertedPerTable![epoch]!;
      const distinct = new Set<number>();
      table.forEach((key) => {
        distinct.add(key);
      });
      expect([inserted, table.usedSlots(), table.count(), distinct.size]).toEqual(
        Array(4).fill(mode === "same" ? keys : table.maxUsed),
      );
    });
    return tables;
  }

  it("2 fillers racing to insert the same keys, started together: each key claimed once, one INSERTED per key", async () => {
    await fillTables("same", 1000, 2048);
  });

  it("2 fillers past the load limit: FULL exactly at the limit, never a loop, INSERTED counts match the slots", async () => {
    await fillTables("distinct", 600, 1024);
  });
});

describe("per-CPU counters from two threads", () => {
  it.each(["padded", "packed"] as const)("%s: no increment is lost", async (layout) => {
    const count = 1_000_000 * scale;
    const counters = PerCpuCounters.create({ cpuCount: 2, counterCount: 2, layout });
    const gate = new SharedArrayBuffer(4);
    await Promise.all(
      [0, 1].map((cpu) =>
        runTsWorker(worker("counter-worker"), {
          buffer: counters.buffer,
          cpu,
          count,
          gate,
          parties: 2,
        } satisfies CounterJob),
      ),
    );
    expect([counters.read(0, 0), counters.read(1, 0)]).toEqual([count, count]);
    expect(counters.read(0, 1)).toBe(6 * count);
  });
});
