/**
 * A derived `x` result: how two variants measured in the same interleaved
 * rounds compare, as per-round ratios plus the paired ratio of medians with
 * its bootstrap interval (see {@link pairedRatioOfMedians}). Benchmarks use
 * it for results such as `slab/vs-thi.ng-malloc` or `interrupt/fast-vs-naive`.
 */
import type { BenchDirection, BenchResult } from "./bench-result";
import { pairedRatioOfMedians, summarize } from "./statistics";

/**
 * `numerator / denominator`, round by round. With `ns/op` inputs,
 * `ratioResult(name, slow, fast)` says how many times faster `fast` is; with
 * `ops/s` inputs, `ratioResult(name, fast, slow)` says the same. The median is
 * the ratio of the two medians; `vs` names the denominator and carries the
 * paired 95 % interval. Throws `RangeError` if either result has no samples.
 */
export function ratioResult(
  name: string,
  numerator: BenchResult,
  denominator: BenchResult,
  better: BenchDirection = "higher",
): BenchResult {
  const rounds = Math.min(numerator.values.length, denominator.values.length);
  const ratios = Array.from(
    { length: rounds },
    (_, index) => numerator.values[index]! / denominator.values[index]!,
  );
  const estimate = pairedRatioOfMedians(numerator.values, denominator.values);
  return {
    name,
    unit: "x",
    clock: numerator.clock,
    better,
    opsPerSample: 1,
    ...summarize(ratios),
    median: estimate.ratio,
    values: ratios,
    vs: { name: denominator.name, ratio: estimate.ratio, low: estimate.low, high: estimate.high },
  };
}
