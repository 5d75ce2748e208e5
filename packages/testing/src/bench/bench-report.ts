/**
 * Markdown reports of benchmark results and regression findings, and
 * `reportBenchResults`, the one call a package's `bench/index.ts` ends with:
 * print the table, write `bench-results.json`, compare with a stored baseline
 * if there is one, optionally save a new baseline and append to a history.
 *
 * Numbers are printed with 4 significant digits; ratios as `0.52×` with
 * their confidence interval.
 */
import { join } from "node:path";
import { appendBenchHistory, loadBaseline, saveBaseline, writeBenchResults } from "./bench-files";
import type { BenchRecord, BenchResult } from "./bench-result";
import { detectRegressions, type RegressionFinding, type RegressionOptions } from "./regression";

const numberFormat = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });
const ratioFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 3 });

/** Formats one measured value (4 significant digits, thousands separators). */
export function formatValue(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  return numberFormat.format(value);
}

function formatVs(record: BenchRecord): string {
  if (!record.vs) return "";
  const { ratio, low, high, name } = record.vs;
  const reference = name.slice(name.lastIndexOf("/") + 1);
  return `${ratioFormat.format(ratio)}× ${reference} (${ratioFormat.format(low)}–${ratioFormat.format(high)})`;
}

/** A Markdown table of results: name, clock, unit, median, min, max, p99, samples × ops, vs. */
export function formatBenchTable(results: readonly (BenchRecord | BenchResult)[]): string {
  const lines = [
    "| benchmark | clock | unit | median | min | max | p99 | samples × ops | vs (95% CI) |",
    "|---|---|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const record of results) {
    const cells = [
      record.name,
      record.clock,
      record.unit,
      formatValue(record.median),
      formatValue(record.min),
      formatValue(record.max),
      formatValue(record.p99),
      `${record.samples} × ${record.opsPerSample}`,
      formatVs(record),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** A Markdown table of regression findings (slowdown > 1 means slower than the baseline). */
export function formatRegressionTable(findings: readonly RegressionFinding[]): string {
  const lines = [
    "| benchmark | unit | baseline | current | slowdown (95% CI) | verdict |",
    "|---|---|---:|---:|---|---|",
  ];
  for (const finding of findings) {
    const slowdown = finding.slowdown
      ? `${ratioFormat.format(finding.slowdown.ratio)}× (${ratioFormat.format(finding.slowdown.low)}–${ratioFormat.format(finding.slowdown.high)})`
      : "";
    const verdict = finding.verdict === "regression" ? "**regression**" : finding.verdict;
    lines.push(
      `| ${finding.name} | ${finding.unit} | ${formatValue(finding.baselineMedian)} | ${formatValue(finding.currentMedian)} | ${slowdown} | ${verdict} |`,
    );
  }
  return lines.join("\n");
}

/** Options of {@link reportBenchResults}. */
export interface ReportOptions extends RegressionOptions {
  /** Baseline file (default `<packageDir>/bench-baseline.json`); compared against when it exists. */
  readonly baselinePath?: string;
  /** Save this run as the new baseline (default: env `TSOS_BENCH_BASELINE=save`). */
  readonly saveBaseline?: boolean;
  /** Append this run to a JSONL history at this path (default: env `TSOS_BENCH_HISTORY`, else none). */
  readonly historyPath?: string;
  /** Where lines go (default `console.log`). */
  readonly log?: (text: string) => void;
}

/** What {@link reportBenchResults} did. */
export interface BenchReport {
  /** Path of the written `bench-results.json`. */
  readonly resultsPath: string;
  /** Findings against the baseline, empty when there was none. */
  readonly findings: readonly RegressionFinding[];
  /** Number of `regression` findings. */
  readonly regressions: number;
}

/**
 * Prints the Markdown table, writes `bench-results.json` into `packageDir`,
 * checks against the baseline when present, saves a baseline / appends
 * history when asked. Never exits the process: the caller decides what a
 * regression means (`process.exitCode = report.regressions > 0 ? 1 : 0`).
 */
export function reportBenchResults(
  packageDir: string,
  results: readonly BenchResult[],
  options: ReportOptions = {},
): BenchReport {
  const log = options.log ?? ((text: string) => console.log(text));
  log(formatBenchTable(results));
  const resultsPath = writeBenchResults(packageDir, results);
  const baselinePath = options.baselinePath ?? join(packageDir, "bench-baseline.json");
  const loaded = loadBaseline(baselinePath);
  const findings = loaded.ok ? detectRegressions(results, loaded.baseline.results, options) : [];
  if (loaded.ok) log(`\nAgainst baseline of ${loaded.baseline.date}:\n\n${formatRegressionTable(findings)}`);
  if (options.saveBaseline ?? process.env.TSOS_BENCH_BASELINE === "save") {
    saveBaseline(baselinePath, results);
    log(`\nSaved baseline ${baselinePath}`);
  }
  const historyPath = options.historyPath ?? process.env.TSOS_BENCH_HISTORY;
  if (historyPath) appendBenchHistory(historyPath, results);
  const regressions = findings.filter((finding) => finding.verdict === "regression").length;
  return { resultsPath, findings, regressions };
}
