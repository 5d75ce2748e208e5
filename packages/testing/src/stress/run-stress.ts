/**
 * `runStress`: runs an operation repeatedly under a count bound and a time
 * bound, with `concurrency` interleaved lanes in this thread, and reports
 * throughput, the latency distribution, errors and resource use.
 *
 * Scheme: `concurrency` async lanes each claim the next operation index
 * until `operations` have been claimed or `durationMs` has elapsed on the
 * run's clock. Every call is awaited (a synchronous result too), so lanes
 * interleave at every operation: with async operations that means up to
 * `concurrency` in flight. A thrown error or rejected promise counts as an
 * error and the run goes on. Resources and gauges are sampled every
 * `sampleEvery` operations and at the end.
 *
 * Determinism: with an injected `now` (ns) the whole result except
 * `resources` is a function of the operation, so tests can assert on it.
 */
import {
  createLatencyHistogram,
  type Gauge,
  GaugeTracker,
  latencySummary,
  processGauges,
  rememberError,
  type StressResult,
} from "./stress-result";

/** The operation under stress; `index` is unique per call, `lane` is 0 .. concurrency-1. */
export type StressOperation = (index: number, lane: number) => unknown;

/** Options of {@link runStress}. */
export interface StressOptions {
  /** Count bound (default 10000). */
  readonly operations?: number;
  /** Time bound in ms (default 10000). */
  readonly durationMs?: number;
  /** Interleaved lanes (default 1). */
  readonly concurrency?: number;
  /** User gauges sampled with the resources, e.g. `{ freeFrames: () => mm.freeFrames }`. */
  readonly gauges?: Readonly<Record<string, Gauge>>;
  /** Resource / gauge sampling interval in operations (default 1000). */
  readonly sampleEvery?: number;
  /** Clock in nanoseconds (default process.hrtime.bigint); inject one for deterministic tests. */
  readonly now?: () => number;
}

const NS_PER_MS = 1e6;
const NS_PER_SECOND = 1e9;

/** Host nanoseconds as a number (differences stay exact for runs far below 104 days). */
export function hostNanoseconds(): number {
  return Number(process.hrtime.bigint());
}

/** Runs the stress test; never rejects because the operation failed (failures are counted). */
export async function runStress(
  name: string,
  operation: StressOperation,
  options: StressOptions = {},
): Promise<StressResult> {
  const limit = options.operations ?? 10_000;
  const durationNs = (options.durationMs ?? 10_000) * NS_PER_MS;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const sampleEvery = Math.max(1, options.sampleEvery ?? 1000);
  const now = options.now ?? hostNanoseconds;
  const histogram = createLatencyHistogram();
  const resources = new GaugeTracker(processGauges());
  const gauges = new GaugeTracker(options.gauges ?? {});
  const sampleErrors: string[] = [];
  let claimed = 0;
  let completed = 0;
  let errors = 0;
  let stoppedBy: "count" | "time" = "count";
  const started = now();

  const lane = async (laneIndex: number) => {
    for (;;) {
      if (claimed >= limit) return;
      if (now() - started >= durationNs) {
        stoppedBy = "time";
        return;
      }
      const index = claimed++;
      const before = now();
      try {
        await operation(index, laneIndex);
      } catch (error) {
        errors++;
        rememberError(sampleErrors, error);
      }
      histogram.recordValue(Math.max(0, Math.round(now() - before)));
      completed++;
      if (completed % sampleEvery === 0) {
        resources.sample();
        gauges.sample();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => lane(index)));
  const elapsedNs = now() - started;
  resources.sample();
  gauges.sample();
  const resourceSummary = resources.result();
  const result: StressResult = {
    name,
    mode: "async",
    concurrency,
    operations: completed,
    errors,
    errorRate: completed === 0 ? 0 : errors / completed,
    sampleErrors,
    stoppedBy,
    durationMs: elapsedNs / NS_PER_MS,
    throughput: elapsedNs > 0 ? (completed * NS_PER_SECOND) / elapsedNs : 0,
    latency: latencySummary(histogram),
    resources: { heapUsed: resourceSummary.heapUsed!, rss: resourceSummary.rss! },
    gauges: gauges.result(),
  };
  histogram.destroy();
  return result;
}
