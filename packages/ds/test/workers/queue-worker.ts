/**
 * Worker side of the MPSC / MPMC concurrent tests. A producer pushes
 * `(producer << 24) | sequence` for sequence 0..count-1. A consumer checks,
 * per producer, that sequences arrive strictly increasing (FIFO per
 * producer) and, for the single consumer, with no gap (nothing lost); an
 * MPMC consumer also counts each element in a shared tally so the test can
 * check every element was taken exactly once.
 */
import { parentPort, workerData } from "node:worker_threads";
import { MpmcQueue, MpscQueue } from "../../src/bounded-queue";
import { Backoff } from "./backoff";

/** Input of this worker. */
export interface QueueJob {
  readonly role: "producer" | "mpsc-consumer" | "mpmc-consumer";
  readonly kind: "mpsc" | "mpmc";
  readonly buffer: SharedArrayBuffer;
  /** Producer: its id (0..127). */
  readonly producer: number;
  readonly producers: number;
  /** Elements per producer. */
  readonly count: number;
  /** MPMC: Int32 tally, one slot per element `producer * count + sequence`; and a done counter at the end. */
  readonly tally?: SharedArrayBuffer;
  readonly timeLimitMs: number;
}

/** What the worker reports. */
export interface QueueOutcome {
  readonly moved: number;
  readonly orderViolations: number;
  readonly firstViolation: string | undefined;
  readonly timedOut: boolean;
}

const SEQUENCE_BITS = 24;
const SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1;

function attach(job: QueueJob): MpscQueue | MpmcQueue {
  return job.kind === "mpsc" ? MpscQueue.attach(job.buffer) : MpmcQueue.attach(job.buffer);
}

function produce(job: QueueJob): QueueOutcome {
  const queue = attach(job);
  const backoff = new Backoff(job.timeLimitMs);
  const tag = job.producer << SEQUENCE_BITS;
  let sequence = 0;
  while (sequence < job.count) {
    if (queue.push(tag | sequence)) {
      sequence++;
      backoff.reset();
    } else if (!backoff.wait()) {
      break;
    }
  }
  return { moved: sequence, orderViolations: 0, firstViolation: undefined, timedOut: sequence < job.count };
}

function consume(job: QueueJob): QueueOutcome {
  const queue = attach(job);
  const single = job.role === "mpsc-consumer";
  const tally = job.tally ? new Int32Array(job.tally) : undefined;
  const total = job.producers * job.count;
  const last = new Int32Array(job.producers).fill(-1);
  const backoff = new Backoff(job.timeLimitMs);
  let moved = 0;
  let orderViolations = 0;
  let firstViolation: string | undefined;
  for (;;) {
    if (single ? moved === total : Atomics.load(tally!, total) === total) break;
    const value = queue.pop();
    if (value === -1) {
      if (!backoff.wait()) break;
      continue;
    }
    backoff.reset();
    moved++;
    const producer = value >>> SEQUENCE_BITS;
    const sequence = value & SEQUENCE_MASK;
    const previous = producer < job.producers ? last[producer]! : Number.POSITIVE_INFINITY;
    const inOrder = single ? sequence === previous + 1 : sequence > previous;
    if (!inOrder && orderViolations++ === 0) {
      firstViolation = `producer ${producer}: sequence ${sequence} after ${previous}`;
    }
    if (producer < job.producers) last[producer] = sequence;
    if (tally) {
      Atomics.add(tally, producer * job.count + sequence, 1);
      Atomics.add(tally, total, 1);
    }
  }
  const timedOut = single ? moved < total : Atomics.load(tally!, total) < total;
  return { moved, orderViolations, firstViolation, timedOut };
}

const job = workerData as QueueJob;
parentPort!.postMessage(job.role === "producer" ? produce(job) : consume(job));
