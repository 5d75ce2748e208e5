/**
 * Worker side of the SPSC concurrent tests: one producer or one consumer of
 * an SpscRecordRing / SpscByteRing. Values are a known sequence, so the
 * consumer can check order, loss and duplication exactly.
 */
import { parentPort, workerData } from "node:worker_threads";
import { SpscByteRing } from "../../src/spsc-byte-ring";
import { SpscRecordRing } from "../../src/spsc-record-ring";
import { Backoff } from "./backoff";

/** Input of this worker. */
export interface SpscJob {
  readonly role: "record-producer" | "record-consumer" | "byte-producer" | "byte-consumer";
  readonly buffer: SharedArrayBuffer;
  /** Records or bytes to move. */
  readonly count: number;
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

const job = workerData as SpscJob;
const run = {
  "record-producer": produceRecords,
  "record-consumer": consumeRecords,
  "byte-producer": produceBytes,
  "byte-consumer": consumeBytes,
}[job.role];
parentPort!.postMessage(run(job));
