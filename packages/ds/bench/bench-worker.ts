/**
 * Worker side of the cross-thread benchmarks. The worker stays alive for the
 * whole run (so its code stays optimised) and serves jobs posted by
 * `thread-pool.ts`: attach the structure, report ready on the gate, spin
 * until the gate opens, run the loop, post `{ start, end, checksum }` in
 * host nanoseconds (process.hrtime, one monotonic clock for all threads).
 */
import { parentPort } from "node:worker_threads";
import { RingBuffer } from "ringbuf.js";
import { MpscQueue } from "../src/bounded-queue";
import { PerCpuCounters } from "../src/per-cpu-counters";
import { SpscRecordRing } from "../src/spsc-record-ring";
import { TreiberStack } from "../src/treiber-stack";
import { MutexQueue } from "./mutex-queue";

/** One job for one worker. */
export interface BenchJob {
  readonly scenario:
    | "spsc-producer"
    | "spsc-consumer"
    | "spsc-direct-producer"
    | "spsc-direct-consumer"
    | "ringbuf-producer"
    | "ringbuf-consumer"
    | "mpsc-producer"
    | "mpsc-consumer"
    | "mutex-producer"
    | "mutex-consumer"
    | "counter"
    | "treiber-pairs";
  readonly buffer: SharedArrayBuffer;
  /** Int32[2]: ready count, go flag. */
  readonly gate: SharedArrayBuffer;
  /** Messages / operations this worker performs. */
  readonly count: number;
  /** Elements per push/pop call (SPSC scenarios). */
  readonly batch: number;
  /** CPU index (counter scenario). */
  readonly cpu: number;
}

/** What a worker reports for one job. */
export interface BenchTiming {
  readonly start: number;
  readonly end: number;
  readonly checksum: number;
}

const READY = 0;
const GO = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const SPINS_BEFORE_YIELD = 4096;

/** Called after a failed attempt: spins, then yields the core briefly (3 threads share 2 cores). */
function backoff(failures: number): number {
  if (failures > SPINS_BEFORE_YIELD) {
    Atomics.wait(sleeper, 0, 0, 0.02);
    return 0;
  }
  return failures + 1;
}

type Loop = (job: BenchJob) => number;

function produceValues(push: (value: number) => boolean, count: number): number {
  let failures = 0;
  for (let index = 0; index < count; ) {
    if (push(index)) {
      index++;
      failures = 0;
    } else failures = backoff(failures);
  }
  return count;
}

function consumeValues(pop: () => number, count: number): number {
  let checksum = 0;
  let failures = 0;
  for (let index = 0; index < count; ) {
    const value = pop();
    if (value !== -1) {
      checksum = (checksum + value) | 0;
      index++;
      failures = 0;
    } else failures = backoff(failures);
  }
  return checksum;
}

function transferBatches(move: (batch: Int32Array, size: number) => number, job: BenchJob): number {
  const batch = new Int32Array(job.batch);
  let checksum = 0;
  let failures = 0;
  for (let done = 0; done < job.count; ) {
    const moved = move(batch, Math.min(job.batch, job.count - done));
    if (moved > 0) {
      checksum = (checksum + batch[0]!) | 0;
      done += moved;
      failures = 0;
    } else failures = backoff(failures);
  }
  return checksum;
}

/** The ring alone: `ring.push` called in the loop itself, no closure between harness and ring. */
function produceDirect(job: BenchJob): number {
  const ring = SpscRecordRing.attach(job.buffer);
  let failures = 0;
  for (let index = 0; index < job.count; ) {
    if (ring.push(index)) {
      index++;
      failures = 0;
    } else failures = backoff(failures);
  }
  return job.count;
}

/** The ring alone, consumer side. */
function consumeDirect(job: BenchJob): number {
  const ring = SpscRecordRing.attach(job.buffer);
  let checksum = 0;
  let failures = 0;
  for (let index = 0; index < job.count; ) {
    const value = ring.pop();
    if (value !== -1) {
      checksum = (checksum + value) | 0;
      index++;
      failures = 0;
    } else failures = backoff(failures);
  }
  return checksum;
}

const loops: Record<BenchJob["scenario"], Loop> = {
  "spsc-producer": (job) => {
    const ring = SpscRecordRing.attach(job.buffer);
    if (job.batch === 1) return produceValues((value) => ring.push(value), job.count);
    return transferBatches((batch, size) => ring.pushBatch(batch, 0, size), job);
  },
  "spsc-consumer": (job) => {
    const ring = SpscRecordRing.attach(job.buffer);
    if (job.batch === 1) return consumeValues(() => ring.pop(), job.count);
    return transferBatches((batch, size) => ring.popBatch(batch, 0, size), job);
  },
  "spsc-direct-producer": produceDirect,
  "spsc-direct-consumer": consumeDirect,
  "ringbuf-producer": (job) => {
    const ring = new RingBuffer(job.buffer, Int32Array);
    return transferBatches((batch, size) => ring.push(batch, size), job);
  },
  "ringbuf-consumer": (job) => {
    const ring = new RingBuffer(job.buffer, Int32Array);
    return transferBatches((batch, size) => ring.pop(batch, size), job);
  },
  "mpsc-producer": (job) => {
    const queue = MpscQueue.attach(job.buffer);
    return produceValues((value) => queue.push(value), job.count);
  },
  "mpsc-consumer": (job) => {
    const queue = MpscQueue.attach(job.buffer);
    return consumeValues(() => queue.pop(), job.count);
  },
  "mutex-producer": (job) => {
    const queue = new MutexQueue(job.buffer);
    return produceValues((value) => queue.push(value), job.count);
  },
  "mutex-consumer": (job) => {
    const queue = new MutexQueue(job.buffer);
    return consumeValues(() => queue.pop(), job.count);
  },
  counter: (job) => {
    const counters = PerCpuCounters.attach(job.buffer);
    for (let index = 0; index < job.count; index++) counters.increment(job.cpu, 0);
    return counters.read(job.cpu, 0);
  },
  "treiber-pairs": (job) => {
    const stack = TreiberStack.attach(job.buffer);
    let checksum = 0;
    for (let index = 0; index < job.count; index++) {
      stack.pushValue(index);
      checksum = (checksum + stack.popValue()) | 0;
    }
    return checksum;
  },
};

parentPort!.on("message", (job: BenchJob) => {
  const gate = new Int32Array(job.gate);
  const loop = loops[job.scenario];
  Atomics.add(gate, READY, 1);
  Atomics.notify(gate, READY);
  while (Atomics.load(gate, GO) === 0) {
    // Spin: the main thread opens the gate as soon as every worker is ready.
  }
  const start = Number(process.hrtime.bigint());
  const checksum = loop(job);
  const end = Number(process.hrtime.bigint());
  const timing: BenchTiming = { start, end, checksum };
  parentPort!.postMessage(timing);
});
