/**
 * `runStressWorkers`: runs an operation exported by a module in N
 * worker_threads at once — for operations that are thread-safe by design
 * (the SharedArrayBuffer + Atomics structures of `@tsos/ds`).
 *
 * Scheme: each worker imports `modulePath`, takes the function exported as
 * `exportName` (default `operation`), and calls it `(index, worker, shared)`
 * for its share of the operation indices (worker w gets indices w, w+N,
 * w+2N, ...) until its share or the time bound is exhausted. `shared` is the
 * optional `SharedArrayBuffer` passed to every worker. Each worker sends
 * back its latencies (ns), error count and loop time; the main thread merges
 * them into one HDR histogram. Throughput is total operations / loop time of
 * the slowest worker (worker start-up and module loading excluded).
 *
 * The worker body is evaluated from a string (`eval: true`) so it works the
 * same from sources and from the built package. The operation module is
 * loaded by plain Node (JavaScript), or with `typescript: true` through tsx's
 * `tsImport` (tsx must be installed where the process runs; `--import tsx`
 * in `execArgv` does not reach an eval'd worker on Node 20).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  createLatencyHistogram,
  type Gauge,
  GaugeTracker,
  latencySummary,
  processGauges,
  rememberError,
  type StressResult,
} from "./stress-result";

/** Options of {@link runStressWorkers}. */
export interface WorkerStressOptions {
  /** Module exporting the operation; absolute, or relative to the current directory. */
  readonly modulePath: string;
  /** Name of the exported function (default `operation`). */
  readonly exportName?: string;
  /** Number of worker threads (default 2). */
  readonly workers?: number;
  /** Count bound over all workers (default 10000). */
  readonly operations?: number;
  /** Time bound in ms (default 10000). */
  readonly durationMs?: number;
  /** Memory every worker's operation receives as its third argument. */
  readonly shared?: SharedArrayBuffer;
  /** Gauges sampled in the main thread at start and end (e.g. a counter in `shared`). */
  readonly gauges?: Readonly<Record<string, Gauge>>;
  /** Load the module through tsx (a `.ts` operation module); default false. */
  readonly typescript?: boolean;
  /** Extra Node flags for the workers (e.g. `["--expose-gc"]`). */
  readonly execArgv?: readonly string[];
}

interface WorkerReport {
  readonly type: "done" | "fatal";
  readonly message?: string;
  readonly completed: number;
  readonly errors: number;
  readonly sampleErrors: string[];
  readonly latencies: Float64Array;
  readonly stoppedByTime: boolean;
  /** Nanoseconds from the first operation's start to the last one's end. */
  readonly elapsedNs: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { moduleUrl, exportName, worker, workers, operations, durationMs, shared, tsxApiUrl, parentUrl } = workerData;
  let operation;
  try {
    const loaded = tsxApiUrl ? await (await import(tsxApiUrl)).tsImport(moduleUrl, parentUrl) : await import(moduleUrl);
    operation = loaded[exportName];
  } catch (error) {
    parentPort.postMessage({ type: "fatal", message: String(error && error.stack || error) });
    return;
  }
  if (typeof operation !== "function") {
    parentPort.postMessage({ type: "fatal", message: moduleUrl + " exports no function " + exportName });
    return;
  }
  const share = Math.max(0, Math.ceil((operations - worker) / workers));
  const latencies = new Float64Array(share);
  const sampleErrors = [];
  const deadline = process.hrtime.bigint() + BigInt(Math.round(durationMs * 1e6));
  let completed = 0, errors = 0, stoppedByTime = false;
  const loopStart = process.hrtime.bigint();
  for (let step = 0; step < share; step++) {
    if (process.hrtime.bigint() >= deadline) { stoppedByTime = true; break; }
    const before = process.hrtime.bigint();
    try {
      const outcome = operation(worker + step * workers, worker, shared);
      if (outcome && typeof outcome.then === "function") await outcome;
    } catch (error) {
      errors++;
      const message = error instanceof Error ? error.name + ": " + error.message : String(error);
      if (sampleErrors.length < 5 && !sampleErrors.includes(message)) sampleErrors.push(message);
    }
    latencies[completed++] = Number(process.hrtime.bigint() - before);
  }
  const elapsedNs = Number(process.hrtime.bigint() - loopStart);
  const used = latencies.slice(0, completed);
  parentPort.postMessage({ type: "done", completed, errors, sampleErrors, latencies: used, stoppedByTime, elapsedNs }, [used.buffer]);
})();
`;

/** URL of tsx's ESM API (`tsImport`), resolved from the current directory; throws when tsx is not installed. */
function resolveTsxApi(): string {
  const resolved = createRequire(`${process.cwd()}/`).resolve("tsx/esm/api");
  const esm = resolved.replace(/\.cjs$/, ".mjs");
  return pathToFileURL(existsSync(esm) ? esm : resolved).href;
}

function runWorker(workerData: Record<string, unknown>, execArgv: readonly string[]): Promise<WorkerReport> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData, execArgv: [...execArgv] });
    let report: WorkerReport | undefined;
    worker.once("message", (message: WorkerReport) => {
      report = message;
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (report) resolvePromise(report);
      else reject(new Error(`stress worker exited with code ${code} before reporting`));
    });
  });
}

/**
 * Runs the module's operation in worker threads. Rejects only for a harness
 * failure (module missing, export not a function, a worker crashing); an
 * operation that throws is counted as an error.
 */
export async function runStressWorkers(name: string, options: WorkerStressOptions): Promise<StressResult> {
  const workers = Math.max(1, options.workers ?? 2);
  const operations = options.operations ?? 10_000;
  const modulePath = isAbsolute(options.modulePath) ? options.modulePath : resolve(options.modulePath);
  const resources = new GaugeTracker(processGauges());
  const gauges = new GaugeTracker(options.gauges ?? {});
  const reports = await Promise.all(
    Array.from({ length: workers }, (_, worker) =>
      runWorker(
        {
          moduleUrl: pathToFileURL(modulePath).href,
          exportName: options.exportName ?? "operation",
          worker,
          workers,
          operations,
          durationMs: options.durationMs ?? 10_000,
          shared: options.shared,
          tsxApiUrl: options.typescript ? resolveTsxApi() : undefined,
          parentUrl: pathToFileURL(`${process.cwd()}/`).href,
        },
        options.execArgv ?? [],
      ),
    ),
  );
  const fatal = reports.find((report) => report.type === "fatal");
  if (fatal) throw new Error(`runStressWorkers ${name}: ${fatal.message}`);
  resources.sample();
  gauges.sample();
  const histogram = createLatencyHistogram();
  const sampleErrors: string[] = [];
  let completed = 0;
  let errors = 0;
  let elapsedNs = 0;
  for (const report of reports) {
    elapsedNs = Math.max(elapsedNs, report.elapsedNs);
    for (const latency of report.latencies) histogram.recordValue(Math.max(0, Math.round(latency)));
    completed += report.completed;
    errors += report.errors;
    for (const message of report.sampleErrors) rememberError(sampleErrors, message);
  }
  const resourceSummary = resources.result();
  const result: StressResult = {
    name,
    mode: "workers",
    concurrency: workers,
    operations: completed,
    errors,
    errorRate: completed === 0 ? 0 : errors / completed,
    sampleErrors,
    stoppedBy: reports.some((report) => report.stoppedByTime) ? "time" : "count",
    durationMs: elapsedNs / 1e6,
    throughput: elapsedNs > 0 ? (completed * 1e9) / elapsedNs : 0,
    latency: latencySummary(histogram),
    resources: { heapUsed: resourceSummary.heapUsed!, rss: resourceSummary.rss! },
    gauges: gauges.result(),
  };
  histogram.destroy();
  return result;
}
