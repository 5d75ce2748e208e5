/**
 * Worker side of the per-CPU counter test: adds to its own CPU's counter 0
 * and to the shared CPU 0's counter 1 from every thread (contended
 * Atomics.add), `count` times each.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PerCpuCounters } from "../../src/per-cpu-counters";
import { awaitBarrier } from "./backoff";

/** Input of this worker. */
export interface CounterJob {
  readonly buffer: SharedArrayBuffer;
  readonly cpu: number;
  readonly count: number;
  /** Int32[1] start barrier shared by the `parties` workers. */
  readonly gate: SharedArrayBuffer;
  readonly parties: number;
}

const job = workerData as CounterJob;
const counters = PerCpuCounters.attach(job.buffer);
awaitBarrier(new Int32Array(job.gate), job.parties, 0);
for (let index = 0; index < job.count; index++) {
  counters.increment(job.cpu, 0);
  counters.add(0, 1, 3);
}
parentPort!.postMessage({ done: job.count });
