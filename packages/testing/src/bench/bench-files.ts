/**
 * Benchmark results on disk: `bench-results.json` (the latest run of a
 * package), a baseline JSON file (a run kept WITH its raw samples, for
 * noise-aware regression checks) and a JSONL history (one run per line).
 *
 * File format of `bench-results.json` and of each history line:
 * `{ "date": ISO-8601, "host": { "cpu", "cores", "node" }, "results": BenchRecord[] }`.
 * A baseline has the same shape with `BenchResult` entries (records plus
 * `values`, the samples in the record's unit).
 *
 * Expected failures are values: a missing or unreadable baseline loads as
 * `undefined` with a reason, not an exception.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { type BenchRecord, type BenchResult, toBenchRecord } from "./bench-result";

/** The machine a run was measured on. */
export interface BenchHost {
  /** CPU model string as the OS reports it. */
  readonly cpu: string;
  /** Logical CPU count. */
  readonly cores: number;
  /** Node.js version, e.g. `v20.20.0`. */
  readonly node: string;
}

/** The content of `bench-results.json` and of one history line. */
export interface BenchResultsFile {
  /** When the run finished (ISO 8601). */
  readonly date: string;
  readonly host: BenchHost;
  readonly results: readonly BenchRecord[];
}

/** A stored baseline: results with their raw samples. */
export interface BenchBaselineFile {
  readonly date: string;
  readonly host: BenchHost;
  readonly results: readonly BenchResult[];
}

/** Name of the results file `writeBenchResults` writes in a package folder. */
export const BENCH_RESULTS_FILE = "bench-results.json";

/** Describes the host this process runs on. */
export function hostInfo(): BenchHost {
  const all = cpus();
  return { cpu: all[0]?.model.trim() ?? "unknown", cores: all.length, node: process.version };
}

/** Builds the results document for `results` (raw samples dropped). */
export function benchResultsFile(
  results: readonly (BenchResult | BenchRecord)[],
  date = new Date(),
): BenchResultsFile {
  return { date: date.toISOString(), host: hostInfo(), results: results.map(toBenchRecord) };
}

/** Writes `bench-results.json` into `packageDir`; returns the file's path. */
export function writeBenchResults(
  packageDir: string,
  results: readonly (BenchResult | BenchRecord)[],
): string {
  const path = join(packageDir, BENCH_RESULTS_FILE);
  writeFileSync(path, `${JSON.stringify(benchResultsFile(results), null, 2)}\n`);
  return path;
}

/** Appends one line `{date, host, results}` to the JSONL history at `path` (folders are created). */
export function appendBenchHistory(path: string, results: readonly (BenchResult | BenchRecord)[]): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(benchResultsFile(results))}\n`);
}

/** Reads every run of a JSONL history (blank lines skipped). Throws on a malformed line (the file is ours). */
export function readBenchHistory(path: string): BenchResultsFile[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as BenchResultsFile);
}

/** Stores `results` with their raw samples as the baseline at `path`. */
export function saveBaseline(path: string, results: readonly BenchResult[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const file: BenchBaselineFile = { date: new Date().toISOString(), host: hostInfo(), results };
  writeFileSync(path, `${JSON.stringify(file)}\n`);
}

/** Outcome of {@link loadBaseline}. */
export type LoadedBaseline =
  | { readonly ok: true; readonly baseline: BenchBaselineFile }
  | { readonly ok: false; readonly reason: string };

/** Loads a baseline; a missing file or one without samples is a value, not an exception. */
export function loadBaseline(path: string): LoadedBaseline {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { ok: false, reason: `no baseline at ${path}` };
  }
  try {
    const parsed = JSON.parse(text) as BenchBaselineFile;
    if (!Array.isArray(parsed.results)) return { ok: false, reason: `${path}: no results array` };
    const withoutSamples = parsed.results.find((result) => !Array.isArray(result.values));
    if (withoutSamples) return { ok: false, reason: `${path}: ${withoutSamples.name} has no raw samples` };
    return { ok: true, baseline: parsed };
  } catch (error) {
    return { ok: false, reason: `${path}: ${(error as Error).message}` };
  }
}
