/**
 * Noise-aware regression detection.
 *
 * Method (stated in the README): for each benchmark present in both the
 * baseline and the current run, compute the SLOWDOWN ratio of medians —
 * current/baseline for lower-is-better units (ns/op, cycles/op),
 * baseline/current for higher-is-better units (ops/s, MIPS) — with a seeded
 * bootstrap 95% confidence interval `[low, high]` over the raw samples.
 * - regression   iff low  > 1 + threshold (even the optimistic end is slower);
 * - improvement  iff high < 1 / (1 + threshold);
 * - unchanged    otherwise (the difference is within noise or the threshold).
 * The default threshold is 5%. A 2× slowdown with any sane noise is a
 * regression; a 2% one never is with the default threshold.
 */
import type { BenchDirection, BenchResult } from "./bench-result";
import { type BootstrapOptions, type RatioEstimate, ratioOfMedians } from "./statistics";

/** Verdict on one benchmark. */
export type RegressionVerdict = "regression" | "improvement" | "unchanged" | "new" | "missing";

/** One benchmark's comparison against the baseline. */
export interface RegressionFinding {
  readonly name: string;
  readonly unit: string;
  readonly verdict: RegressionVerdict;
  /** Baseline median (absent for `new`). */
  readonly baselineMedian?: number;
  /** Current median (absent for `missing`). */
  readonly currentMedian?: number;
  /** Slowdown ratio with its interval (> 1 is slower); absent for `new` / `missing`. */
  readonly slowdown?: RatioEstimate;
}

/** Options of {@link detectRegressions}. */
export interface RegressionOptions extends BootstrapOptions {
  /** Relative change ignored even when significant (default 0.05). */
  readonly threshold?: number;
}

/** Applies the rule above to a slowdown estimate. */
export function judgeSlowdown(slowdown: RatioEstimate, threshold = 0.05): RegressionVerdict {
  if (slowdown.low > 1 + threshold) return "regression";
  if (slowdown.high < 1 / (1 + threshold)) return "improvement";
  return "unchanged";
}

/**
 * Turns a within-run comparison ratio (result.vs, in the result's unit) into
 * a slowdown of the variant relative to its reference.
 */
export function slowdownOf(ratio: RatioEstimate, better: BenchDirection): RatioEstimate {
  if (better === "lower") return ratio;
  return { ratio: 1 / ratio.ratio, low: 1 / ratio.high, high: 1 / ratio.low, confidence: ratio.confidence };
}

/** The verdict on a `compare` result against its reference variant; `undefined` for the reference itself. */
export function judgeComparison(result: BenchResult, threshold = 0.05): RegressionVerdict | undefined {
  if (!result.vs) return undefined;
  const { ratio, low, high } = result.vs;
  return judgeSlowdown(slowdownOf({ ratio, low, high, confidence: 0.95 }, result.better), threshold);
}

/** Compares a run with a baseline, benchmark by benchmark (matched by name). */
export function detectRegressions(
  current: readonly BenchResult[],
  baseline: readonly BenchResult[],
  options: RegressionOptions = {},
): RegressionFinding[] {
  const threshold = options.threshold ?? 0.05;
  const byName = new Map(baseline.map((result) => [result.name, result]));
  const findings: RegressionFinding[] = [];
  for (const result of current) {
    const before = byName.get(result.name);
    byName.delete(result.name);
    if (!before || before.unit !== result.unit) {
      findings.push({ name: result.name, unit: result.unit, verdict: "new", currentMedian: result.median });
      continue;
    }
    const slowdown =
      result.better === "lower"
        ? ratioOfMedians(result.values, before.values, options)
        : ratioOfMedians(before.values, result.values, options);
    findings.push({
      name: result.name,
      unit: result.unit,
      verdict: judgeSlowdown(slowdown, threshold),
      baselineMedian: before.median,
      currentMedian: result.median,
      slowdown,
    });
  }
  for (const missing of byName.values()) {
    findings.push({
      name: missing.name,
      unit: missing.unit,
      verdict: "missing",
      baselineMedian: missing.median,
    });
  }
  return findings;
}
