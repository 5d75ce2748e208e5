/**
 * A small pool of benchmark worker threads and the sampling loop of the
 * cross-thread benchmarks: each sample starts every worker of a variant at
 * the same instant (a shared gate), and its value is the total number of
 * messages divided by the wall time from the first start to the last end,
 * on the host clock (process.hrtime).
 *
 * Variants of one comparison are sampled in interleaved rounds (rotating
 * which goes first), so drift in machine load hits all of them alike; the
 * per-round values are paired for the ratio's bootstrap interval.
 */
import type { Worker } from "node:worker_threads";
import { startTsWorker } from "../test/start-worker";
import type { BenchJob, BenchTiming } from "./bench-worker";

const READY = 0;
const GO = 1;
const NS_PER_SECOND = 1e9;

/** Fresh workers for one group of benchmarks (fresh, so call sites are only shared within the group). */
export class ThreadPool {
  private readonly workers: Worker[];

  constructor(size: number) {
    const entry = new URL("./bench-worker.ts", import.meta.url);
    this.workers = Array.from({ length: size }, () => startTsWorker(entry, undefined));
  }

  /** Runs one sample: `jobs[i]` on worker i, all released together. Returns messages per second. */
  async sample(jobs: readonly Omit<BenchJob, "gate">[], messages: number): Promise<number> {
    const gateBuffer = new SharedArrayBuffer(8);
    const gate = new Int32Array(gateBuffer);
    const results = jobs.map((job, index) => {
      const worker = this.workers[index]!;
      return new Promise<BenchTiming>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.postMessage({ ...job, gate: gateBuffer } satisfies BenchJob);
      });
    });
    for (let ready = Atomics.load(gate, READY); ready < jobs.length; ready = Atomics.load(gate, READY)) {
      Atomics.wait(gate, READY, ready, 50);
    }
    Atomics.store(gate, GO, 1);
    const timings = await Promise.all(results);
    for (const worker of this.workers) worker.removeAllListeners("error");
    const start = Math.min(...timings.map((timing) => timing.start));
    const end = Math.max(...timings.map((timing) => timing.end));
    return (messages * NS_PER_SECOND) / (end - start);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** One variant of an interleaved cross-thread comparison. */
export interface ThreadVariant {
  readonly name: string;
  /** Messages one sample moves in total. */
  readonly messages: number;
  /** Builds the jobs of one sample (a fresh structure each time). */
  readonly jobs: () => Omit<BenchJob, "gate">[];
}

/**
 * Samples `variants` in `rounds` interleaved rounds (after `warmupRounds`
 * unrecorded ones); returns messages/s per variant, in round order.
 */
export async function sampleInterleaved(
  pool: ThreadPool,
  variants: readonly ThreadVariant[],
  rounds: number,
  warmupRounds: number,
): Promise<number[][]> {
  const samples = variants.map(() => [] as number[]);
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (let step = 0; step < variants.length; step++) {
      const index = (round + step) % variants.length;
      const variant = variants[index]!;
      const value = await pool.sample(variant.jobs(), variant.messages);
      if (round >= warmupRounds) samples[index]!.push(value);
    }
  }
  return samples;
}
