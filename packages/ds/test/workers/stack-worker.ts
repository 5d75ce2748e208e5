/**
 * Worker side of the Treiber stack concurrent test. Each round a worker
 * takes a node (popped from the stack, or allocated from the free list),
 * claims it in a shared owner table with a CAS that must succeed (a node
 * handed to two threads at once, the symptom of ABA, makes it fail), checks
 * its scratch word survives, then pushes it back with a new value or
 * releases it. Values popped and pushed are summed, so the test can check
 * conservation: pushed - popped = what is left on the stack.
 * Payload per node: word 0 = value, word 1 = scratch (claimer id).
 */
import { parentPort, workerData } from "node:worker_threads";
import { TreiberStack } from "../../src/treiber-stack";
import { awaitBarrier } from "./backoff";

/** Input of this worker. */
export interface StackJob {
  readonly buffer: SharedArrayBuffer;
  /** Int32 per node: 0 = unclaimed, else worker id + 1. */
  readonly owners: SharedArrayBuffer;
  readonly worker: number;
  readonly rounds: number;
  /** Int32[1] start barrier shared by the `parties` workers. */
  readonly gate: SharedArrayBuffer;
  readonly parties: number;
}

/** What the worker reports. */
export interface StackOutcome {
  readonly doubleOwnership: number;
  readonly payloadMismatches: number;
  readonly pushedSum: number;
  readonly pushedCount: number;
  readonly poppedSum: number;
  readonly poppedCount: number;
}

const job = workerData as StackJob;
const stack = TreiberStack.attach(job.buffer);
const owners = new Int32Array(job.owners);
const me = job.worker + 1;
let doubleOwnership = 0;
let payloadMismatches = 0;
let pushedSum = 0;
let pushedCount = 0;
let poppedSum = 0;
let poppedCount = 0;

function claim(node: number): void {
  if (Atomics.compareExchange(owners, node, 0, me) !== 0) doubleOwnership++;
  stack.data[node * 2 + 1] = me;
}

function unclaim(node: number): void {
  if (stack.data[node * 2 + 1] !== me) payloadMismatches++;
  if (Atomics.compareExchange(owners, node, me, 0) !== me) doubleOwnership++;
}

awaitBarrier(new Int32Array(job.gate), job.parties, 0);
for (let round = 0; round < job.rounds; round++) {
  const fromStack = (round & 1) === 0;
  const node = fromStack ? stack.pop() : stack.allocate();
  if (node < 0) continue;
  if (fromStack) {
    poppedSum += stack.data[node * 2]!;
    poppedCount++;
  }
  claim(node);
  unclaim(node);
  if ((round & 6) !== 6) {
    const value = job.worker * 2 ** 22 + (round & (2 ** 22 - 1));
    stack.data[node * 2] = value;
    stack.push(node);
    pushedSum += value;
    pushedCount++;
  } else {
    stack.release(node);
  }
}

const outcome: StackOutcome = {
  doubleOwnership,
  payloadMismatches,
  pushedSum,
  pushedCount,
  poppedSum,
  poppedCount,
};
parentPort!.postMessage(outcome);
