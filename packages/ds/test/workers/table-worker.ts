/**
 * Worker side of the HashTable concurrent tests.
 * - writer w (of 2): for round r = 0..rounds-1 sets every key it owns to
 *   `valueFor(key, r)`; keys with key % 3 === 0 belong to both writers, the
 *   others to writer (key % 3) - 1. Keys with key % 7 === 0 are deleted and
 *   re-inserted each round.
 * - reader: reads all keys until the writers finish, checking that every
 *   value seen belongs to its key, that single-writer keys never go back to
 *   an older round (per-key linearizability), and that a key that is never
 *   deleted never disappears once seen.
 * - filler: for each of `tables` (one per epoch, all threads released
 *   together by a barrier) inserts keys 1..keys ("same": every filler the
 *   same keys, racing for the same slots) or its own key range ("distinct",
 *   past the load limit), counting INSERTED and FULL outcomes per table.
 */
import { parentPort, workerData } from "node:worker_threads";
import { HASH_ABSENT, HASH_SET, HashTable } from "../../src/hash-table";
import { awaitBarrier } from "./backoff";
import { KEY_BITS, ROUND_SHIFT, valueFor } from "./table-values";

/** Input of this worker. */
export interface TableJob {
  readonly role: "writer" | "reader" | "filler";
  readonly buffer: SharedArrayBuffer;
  readonly worker: number;
  readonly keys: number;
  readonly rounds: number;
  /** Int32[1]: writers still running (readers stop at 0). */
  readonly running: SharedArrayBuffer;
  /** Filler: one table buffer per epoch. */
  readonly tables?: readonly SharedArrayBuffer[];
  /** Filler: "same" keys for every filler, or a "distinct" range each. */
  readonly mode?: "same" | "distinct";
  /** Parties of the start barrier (every role). */
  readonly parties: number;
  /** Int32[1] start barrier counter. */
  readonly gate: SharedArrayBuffer;
}

/** What the worker reports. */
export interface TableOutcome {
  readonly operations: number;
  readonly violations: number;
  readonly firstViolation: string | undefined;
  readonly inserted: number;
  readonly full: number;
  /** Filler: INSERTED outcomes per table. */
  readonly insertedPerTable?: number[];
}

function ownsKey(worker: number, key: number): boolean {
  return key % 3 === 0 || key % 3 === worker + 1;
}

function write(job: TableJob, table: HashTable): TableOutcome {
  let operations = 0;
  let violations = 0;
  let firstViolation: string | undefined;
  for (let round = 0; round < job.rounds; round++) {
    for (let key = 1; key <= job.keys; key++) {
      if (!ownsKey(job.worker, key)) continue;
      if (key % 7 === 0) table.delete(key);
      const outcome = table.set(key, valueFor(key, round));
      operations += 2;
      if (outcome !== HASH_SET.INSERTED && outcome !== HASH_SET.UPDATED && violations++ === 0) {
        firstViolation = `set(${key}) returned ${outcome}`;
      }
    }
  }
  Atomics.sub(new Int32Array(job.running), 0, 1);
  return { operations, violations, firstViolation, inserted: 0, full: 0 };
}

function read(job: TableJob, table: HashTable): TableOutcome {
  const running = new Int32Array(job.running);
  const lastRound = new Int32Array(job.keys + 1).fill(-1);
  let operations = 0;
  let violations = 0;
  let firstViolation: string | undefined;
  const fail = (message: string) => {
    if (violations++ === 0) firstViolation = message;
  };
  while (Atomics.load(running, 0) > 0) {
    for (let key = 1; key <= job.keys; key++) {
      const value = table.get(key);
      operations++;
      if (value === HASH_ABSENT) {
        if (key % 7 !== 0 && lastRound[key]! >= 0)
          fail(`key ${key} disappeared after round ${lastRound[key]}`);
        continue;
      }
      const round = value >>> ROUND_SHIFT;
      if ((value & KEY_BITS) !== (key & KEY_BITS) || round >= job.rounds) fail(`key ${key} holds ${value}`);
      if (key % 3 !== 0 && round < lastRound[key]!)
        fail(`key ${key} went back from ${lastRound[key]} to ${round}`);
      if (round > lastRound[key]!) lastRound[key] = round;
    }
  }
  return { operations, violations, firstViolation, inserted: 0, full: 0 };
}

function fill(job: TableJob): TableOutcome {
  const gate = new Int32Array(job.gate);
  const insertedPerTable: number[] = [];
  let full = 0;
  let violations = 0;
  let firstViolation: string | undefined;
  job.tables!.forEach((buffer, epoch) => {
    const table = HashTable.attach(buffer);
    let inserted = 0;
    awaitBarrier(gate, job.parties, epoch);
    for (let index = 1; index <= job.keys; index++) {
      const key = job.mode === "same" ? index : job.worker * job.keys + index;
      const outcome = table.set(key, key);
      if (outcome === HASH_SET.INSERTED) inserted++;
      else if (outcome === HASH_SET.FULL) full++;
      else if (outcome !== HASH_SET.UPDATED && violations++ === 0)
        firstViolation = `set(${key}) returned ${outcome}`;
    }
    insertedPerTable.push(inserted);
  });
  const inserted = insertedPerTable.reduce((sum, count) => sum + count, 0);
  return {
    operations: job.keys * job.tables!.length,
    violations,
    firstViolation,
    inserted,
    full,
    insertedPerTable,
  };
}

const job = workerData as TableJob;
if (job.role !== "filler") awaitBarrier(new Int32Array(job.gate), job.parties, 0);
if (job.role === "filler") parentPort!.postMessage(fill(job));
else parentPort!.postMessage((job.role === "writer" ? write : read)(job, HashTable.attach(job.buffer)));
