/**
 * What a stress run reports, and the pieces both runners share: latency
 * histograms (hdr-histogram-js, nanoseconds, 3 significant digits), resource
 * sampling (heap, RSS, user gauges) and the JSON / Markdown forms.
 *
 * Invariants: `operations` counts completed calls, failed ones included;
 * `errorRate = errors / operations` (0 when nothing ran); throughput is
 * operations per second of the run's own clock; latency values are in ns.
 */
import * as hdr from "hdr-histogram-js";
import { type RecorderSnapshot, summarizeHistogram } from "../sample-recorder";

/** Latency distribution of a run, in nanoseconds. */
export interface LatencySummary extends RecorderSnapshot {
  readonly unit: "ns";
}

/** A resource's value at the start and end of the run, and its extremes over the samples. */
export interface GaugeSummary {
  readonly start: number;
  readonly end: number;
  readonly min: number;
  readonly max: number;
}

/** A user gauge sampled during the run (e.g. free frames). */
export type Gauge = () => number;

/** The typed result of a stress run. */
export interface StressResult {
  readonly name: string;
  /** `async`: interleaved in this thread; `workers`: N worker_threads. */
  readonly mode: "async" | "workers";
  readonly concurrency: number;
  /** Completed operations (successful + failed). */
  readonly operations: number;
  readonly errors: number;
  /** errors / operations. */
  readonly errorRate: number;
  /** Up to 5 distinct error messages, first seen first. */
  readonly sampleErrors: readonly string[];
  /** Whether the run ended on the count bound or the time bound. */
  readonly stoppedBy: "count" | "time";
  readonly durationMs: number;
  /** Operations per second. */
  readonly throughput: number;
  readonly latency: LatencySummary;
  /** Heap used and RSS of this process, in bytes. */
  readonly resources: { readonly heapUsed: GaugeSummary; readonly rss: GaugeSummary };
  /** User gauges, by name. */
  readonly gauges: Readonly<Record<string, GaugeSummary>>;
}

/** A new latency histogram (ns, 3 significant digits, auto-resizing). */
export function createLatencyHistogram(): hdr.Histogram {
  return hdr.build({ numberOfSignificantValueDigits: 3 });
}

/** The latency summary of a histogram. */
export function latencySummary(histogram: hdr.Histogram): LatencySummary {
  return { unit: "ns", ...summarizeHistogram(histogram) };
}

/** Tracks start / end / min / max of a set of gauges; `sample()` is cheap but not free (call it every N ops). */
export class GaugeTracker {
  private readonly summaries = new Map<string, { start: number; end: number; min: number; max: number }>();

  constructor(private readonly gauges: Readonly<Record<string, Gauge>>) {
    this.sample();
    for (const summary of this.summaries.values()) summary.start = summary.end;
  }

  /** Reads every gauge once. */
  sample(): void {
    for (const [name, gauge] of Object.entries(this.gauges)) {
      const value = gauge();
      const summary = this.summaries.get(name);
      if (!summary) this.summaries.set(name, { start: value, end: value, min: value, max: value });
      else {
        summary.end = value;
        summary.min = Math.min(summary.min, value);
        summary.max = Math.max(summary.max, value);
      }
    }
  }

  /** The summaries, by name. */
  result(): Record<string, GaugeSummary> {
    return Object.fromEntries([...this.summaries].map(([name, summary]) => [name, { ...summary }]));
  }
}

/** Gauges for this process's heap used and RSS. */
export function processGauges(): Record<"heapUsed" | "rss", Gauge> {
  return { heapUsed: () => process.memoryUsage().heapUsed, rss: () => process.memoryUsage.rss() };
}

/** Collects up to `limit` distinct error messages. */
export function rememberError(samples: string[], error: unknown, limit = 5): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (samples.length < limit && !samples.includes(message)) samples.push(message);
}

/** The result as pretty JSON. */
export function stressResultJson(result: StressResult): string {
  return JSON.stringify(result, null, 2);
}

const format = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

/** The result as a short Markdown report. */
export function formatStressReport(result: StressResult): string {
  const latency = result.latency;
  const lines = [
    `### stress: ${result.name} (${result.mode}, concurrency ${result.concurrency})`,
    "",
    `${format.format(result.operations)} ops in ${format.format(result.durationMs)} ms (stopped by ${result.stoppedBy}): ` +
      `**${format.format(result.throughput)} ops/s**, ${result.errors} errors (${format.format(result.errorRate * 100)}%)`,
    "",
    "| min | p50 | p90 | p99 | p99.9 | max (ns) |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${[latency.min, latency.p50, latency.p90, latency.p99, latency.p999, latency.max].map((value) => format.format(value)).join(" | ")} |`,
    "",
    "| resource | start | end | min | max |",
    "|---|---:|---:|---:|---:|",
  ];
  const all = { ...result.resources, ...result.gauges };
  for (const [name, gauge] of Object.entries(all)) {
    lines.push(
      `| ${name} | ${[gauge.start, gauge.end, gauge.min, gauge.max].map((value) => format.format(value)).join(" | ")} |`,
    );
  }
  if (result.sampleErrors.length > 0) lines.push("", ...result.sampleErrors.map((message) => `- ${message}`));
  return lines.join("\n");
}
