/**
 * Worker side of the SPSC concurrent tests: one producer or one consumer of
 * an SpscRecordRing / SpscByteRing. Values are a known sequence, so the
 * consumer can check order, loss and duplication exactly. Roles: streaming
 * (record / byte), lockstep (fill until full, drain until empty, in turns
 * through a phase word) and blocking (every call may sleep).
 */
import { parentPort, workerData } from "node:worker_threads";
import { SpscByteRing } from "../../src/spsc-byte-ring";
import { SpscRecordRing } from "../../src/spsc-record-ring";
import { Backoff } from "./backoff";

/** Input of this worker. */
export interface SpscJob {
  readonly role:
    | "record-producer"
    | "record-consumer"
    | "byte-producer"
    | "byte-consumer"
    | "lockstep-producer"
    | "lockstep-consumer"
    | "blocking-producer"
    | "blocking-consumer";
  readonly buffer: SharedArrayBuffer;
  /** Records or bytes to move (lockstep roles: rounds of one full ring each). */
  readonly count: number;
  /** Lockstep roles: Int32[1], the phase (2r: producer fills round r; 2r + 1: consumer drains it). */
  readonly gate?: SharedArrayBuffer;
  readonly timeLimitMs: number;
}

/** What the worker reports. */
export interface SpscOutcome {
  readonly moved: number;
  readonly mismatches: number;
  readonly firstMismatch: string | undefined;
  readonly timedOut: boolean;
}

/** The byte at stream position `index`. */
export function streamByte(index: number): number {
  return (Math.imul(index, 31) + (index >>> 8)) & 255;
}

function produceRecords(job: SpscJob): SpscOutcome {
  const ring = SpscRecordRing.attach(job.buffer);
  const batch = new Int32Array(37);
  const backoff = new Backoff(job.timeLimitMs);
  let next = 0;
  while (next < job.count) {
    let accepted: number;
    if ((next & 1) === 0) {
      accepted = ring.push(next) ? 1 : 0;
    } else {
      const want = Math.min(batch.length, job.count - next);
      for (let index = 0; index < want; index++) batch[index] = next + index;
      accepted = ring.pushBatch(batch, 0, want);
    }
    next += accepted;
    if (accepted > 0) backoff.reset();
    else if (!ring.waitUntilWritable(1) && !backoff.wait()) break;
  }
  return { moved: next, mismatches: 0, firstMismatch: undefined, timedOut: next < job.count };
}

function consumeRecords(job: SpscJob): SpscOutcome {
  const ring = SpscRecordRing.attach(job.buffer);
  const batch = new Int32Array(53);
  const backoff = new Backoff(job.timeLimitMs);
  let expected = 0;
  let mismatches = 0;
  let firstMismatch: string | undefined;
  const check = (value: number) => {
    if (value !== expected && mismatches++ === 0) firstMismatch = `got ${value}, expected ${expected}`;
    expected++;
  };
  while (expected < job.count) {
    let taken = 0;
    if ((expected & 3) === 0) {
      const value = ring.pop();
      if (value !== -1) {
        check(value);
        taken = 1;
      }
    } else {
      taken = ring.popBatch(batch, 0, batch.length);
      for (let index = 0; index < taken; index++) check(batch[index]!);
    }
    if (taken > 0) backoff.reset();
    else if (!ring.waitUntilReadable(1) && !backoff.wait()) break;
  }
  const extra = ring.pop();
  if (extra !== -1 && mismatches++ === 0) firstMismatch = `extra record ${extra}`;
  return { moved: expected, mismatches, firstMismatch, timedOut: expected < job.count };
}

function produceBytes(job: SpscJob): SpscOutcome {
  const ring = SpscByteRing.attach(job.buffer);
  const chunk = new Uint8Array(301);
  const backoff = new Backoff(job.timeLimitMs);
  let position = 0;
  while (position < job.count) {
    // Chunk sizes vary from 1 to 301 bytes, deterministically.
    const want = Math.min(1 + (position % chunk.length), job.count - position);
    for (let index = 0; index < want; index++) chunk[index] = streamByte(position + index);
    const written = ring.write(chunk, 0, want);
    position += written;
    if (written > 0) backoff.reset();
    else if (!backoff.wait()) break;
  }
  return { moved: position, mismatches: 0, firstMismatch: undefined, timedOut: position < job.count };
}

function consumeBytes(job: SpscJob): SpscOutcome {
  const ring = SpscByteRing.attach(job.buffer);
  const chunk = new Uint8Array(173);
  const backoff = new Backoff(job.timeLimitMs);
  let position = 0;
  let mismatches = 0;
  let firstMismatch: string | undefined;
  while (position < job.count) {
    const read = ring.read(chunk);
    for (let index = 0; index < read; index++) {
      const expected = streamByte(position + index);
      if (chunk[index] !== expected && mismatches++ === 0) {
        firstMismatch = `byte ${position + index}: got ${chunk[index]}, expected ${expected}`;
      }
    }
    position += read;
    if (read > 0) backoff.reset();
    else if (!ring.waitUntilReadable(1) && !backoff.wait()) break;
  }
  return { moved: position, mismatches, firstMismatch, timedOut: position < job.count };
}

/** Waits until the lockstep phase is `phase`; false at the deadline. */
function awaitPhase(gate: Int32Array, phase: number, backoff: Backoff): boolean {
  for (let seen = Atomics.load(gate, 0); seen !== phase; seen = Atomics.load(gate, 0)) {
    if (backoff.expired()) return false;
    Atomics.wait(gate, 0, seen, 1);
  }
  return true;
}

function advancePhase(gate: Int32Array, phase: number): void {
  Atomics.store(gate, 0, phase);
  Atomics.notify(gate, 0);
}

/**
 * Lockstep: each round the producer fills the idle ring until `push` says
 * full, then the consumer (another thread, its own handle) drains it until
 * empty. Every round must move exactly `capacity` records in order, which a
 * handle that stopped reloading the other side's cached position fails.
 */
function lockstep(job: SpscJob, producing: boolean): SpscOutcome {
  const ring = SpscRecordRing.attach(job.buffer);
  const gate = new Int32Array(job.gate!);
  const batch = new Int32Array(5);
  const backoff = new Backoff(job.timeLimitMs);
  let mismatches = 0;
  let firstMismatch: string | undefined;
  let next = 0;
  for (let round = 0; round < job.count; round++) {
    if (!awaitPhase(gate, 2 * round + (producing ? 0 : 1), backoff)) {
      return { moved: next, mismatches, firstMismatch, timedOut: true };
    }
    const roundStart = next;
    if (producing && round % 2 === 0) {
      while (ring.push(next)) next++;
    } else if (producing) {
      for (let accepted = -1; accepted !== 0; next += accepted) {
        for (let index = 0; index < batch.length; index++) batch[index] = next + index;
        accepted = ring.pushBatch(batch, 0, batch.length);
      }
    } else if (round % 2 === 0) {
      for (let value = ring.pop(); value !== -1; value = ring.pop()) {
        if (value !== next++ && mismatches++ === 0) firstMismatch = `round ${round}: got ${value}`;
      }
    } else {
      for (let taken = ring.popBatch(batch, 0, 3); taken > 0; taken = ring.popBatch(batch, 0, 3)) {
        for (let index = 0; index < taken; index++) {
          if (batch[index] !== next++ && mismatches++ === 0)
            firstMismatch = `round ${round}: got ${batch[index]}`;
        }
      }
    }
    if (next - roundStart !== ring.capacity && mismatches++ === 0) {
      firstMismatch = `round ${round}: ${producing ? "pushed" : "popped"} ${next - roundStart} of ${ring.capacity}`;
    }
    advancePhase(gate, 2 * round + (producing ? 1 : 2));
  }
  return { moved: next, mismatches, firstMismatch, timedOut: false };
}

/**
 * Blocking roles: every call may sleep as long as the time limit, so progress
 * depends on the sleeping side being woken (notify, or its 1 ms re-check)
 * while the test's main thread moves records slowly on the other side.
 */
function blockingRole(job: SpscJob, producing: boolean): SpscOutcome {
  const ring = SpscRecordRing.attach(job.buffer);
  let mismatches = 0;
  let firstMismatch: string | undefined;
  let moved = 0;
  for (; moved < job.count; moved++) {
    if (producing) {
      if (!ring.pushBlocking(moved, job.timeLimitMs)) break;
    } else {
      const value = ring.popBlocking(job.timeLimitMs);
      if (value === -1) break;
      if (value !== moved && mismatches++ === 0) firstMismatch = `got ${value}, expected ${moved}`;
    }
  }
  return { moved, mismatches, firstMismatch, timedOut: moved < job.count };
}

const job = workerData as SpscJob;
const run = {
  "record-producer": produceRecords,
  "record-consumer": consumeRecords,
  "byte-producer": produceBytes,
  "byte-consumer": consumeBytes,
  "lockstep-producer": (lockstepJob: SpscJob) => lockstep(lockstepJob, true),
  "lockstep-consumer": (lockstepJob: SpscJob) => lockstep(lockstepJob, false),
  "blocking-producer": (blockingJob: SpscJob) => blockingRole(blockingJob, true),
  "blocking-consumer": (blockingJob: SpscJob) => blockingRole(blockingJob, false),
}[job.role];
parentPort!.postMessage(run(job));
