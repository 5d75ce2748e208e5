/**
 * `bench`: times one operation, in batches of N operations per sample, on the
 * host clock (process.hrtime.bigint through tinybench) or on a counter the
 * caller supplies (guest instructions, virtual cycles).
 *
 * tinybench runs the warm-up, the iteration / minimum-time loop and keeps the
 * samples; this file only turns a batch into one sample:
 * - host clock: tinybench times the batch; cost/op = batch time / N;
 * - counter clock: the batch returns `overriddenDuration` = counter delta,
 *   and `overriddenIterationCost` = the host milliseconds it took, so the
 *   time budget still means host time.
 *
 * Invariants: the operation is called exactly `batch` times per sample with
 * a running operation index; results never depend on tinybench's sorting
 * (samples are summarized by {@link makeResult}).
 */
import { Bench, type FnReturnedObject, hrtimeNowTimestampProvider } from "tinybench";
import {
  type BenchResult,
  type CounterClock,
  type HostUnit,
  makeResult,
  unitConversion,
} from "./bench-result";

/** The operation being measured; `index` counts calls from 0 across the whole run. */
export type BenchOperation = (index: number) => void;

/** Sampling options shared by {@link bench} and `compare`. */
export interface BenchOptions {
  /** Operations per sample (default 1); use ≥ 100 for operations under ~1 µs. */
  readonly batch?: number;
  /** Minimum number of samples (default 64). */
  readonly iterations?: number;
  /** Minimum host time in ms spent sampling (default 300 on the host clock, 0 on a counter clock: counts are exact). */
  readonly minTime?: number;
  /** Warm-up samples before measuring (default 16); 0 disables warm-up. */
  readonly warmupIterations?: number;
  /** Minimum warm-up time in ms (default 50 on the host clock, 0 on a counter clock). */
  readonly warmupTime?: number;
  /** Counter to use as the clock; the host clock when absent. */
  readonly clock?: CounterClock;
  /** Unit for host-clock results (default `ns/op`). Ignored with a counter clock. */
  readonly unit?: HostUnit;
}

/** Resolved sampling options with their defaults. */
export interface ResolvedBenchOptions {
  readonly batch: number;
  readonly iterations: number;
  readonly minTime: number;
  readonly warmupIterations: number;
  readonly warmupTime: number;
  readonly clock: CounterClock | undefined;
  readonly unit: HostUnit;
}

/** Applies the documented defaults; throws `RangeError` for a batch below 1 (a caller bug). */
export function resolveBenchOptions(options: BenchOptions = {}): ResolvedBenchOptions {
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1)
    throw new RangeError(`bench: batch ${batch} must be an integer ≥ 1`);
  return {
    batch,
    iterations: options.iterations ?? 64,
    minTime: options.minTime ?? (options.clock ? 0 : 300),
    warmupIterations: options.warmupIterations ?? 16,
    warmupTime: options.warmupTime ?? (options.clock ? 0 : 50),
    clock: options.clock,
    unit: options.unit ?? "ns/op",
  };
}

const NS_PER_MS = 1e6;

/**
 * Times `operation` and returns its result named `name` (use `group/case`).
 * Synchronous: the operation must be synchronous too.
 */
export function bench(name: string, operation: BenchOperation, options: BenchOptions = {}): BenchResult {
  const resolved = resolveBenchOptions(options);
  const { batch, clock } = resolved;
  let nextIndex = 0;
  const runner = new Bench({
    iterations: resolved.iterations,
    time: resolved.minTime,
    warmup: resolved.warmupIterations > 0,
    warmupIterations: resolved.warmupIterations,
    warmupTime: resolved.warmupTime,
    retainSamples: true,
    throws: true,
    timestampProvider: hrtimeNowTimestampProvider,
  });
  const runBatch = () => {
    const end = nextIndex + batch;
    for (let index = nextIndex; index < end; index++) operation(index);
    nextIndex = end;
  };
  const task = clock
    ? (): FnReturnedObject => {
        const hostStart = process.hrtime.bigint();
        const counterStart = clock.read();
        runBatch();
        const counterDelta = clock.read() - counterStart;
        const hostMs = Number(process.hrtime.bigint() - hostStart) / NS_PER_MS;
        return { overriddenDuration: counterDelta, overriddenIterationCost: hostMs };
      }
    : runBatch;
  runner.add(name, task, { async: false });
  const [ran] = runner.runSync();
  const result = ran!.result;
  if (result.state !== "completed") {
    throw new Error(`bench ${name}: ${result.state === "errored" ? result.error.message : result.state}`);
  }
  const samples = result.latency.samples ?? [];
  // Host samples are ms per batch; counter samples are counts per batch.
  const perBatchToCost = clock ? 1 / batch : NS_PER_MS / batch;
  const costs = samples.map((sample) => sample * perBatchToCost);
  return makeResult(name, costs, unitConversion(clock, resolved.unit), batch);
}
