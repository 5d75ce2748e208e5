/**
 * Sample statistics and seeded resampling for the benchmark harness.
 *
 * Invariants:
 * - Every function is pure: the input arrays are never reordered (sorting
 *   works on a copy) and the same inputs and seed give the same outputs.
 * - Quantiles interpolate linearly between order statistics (the "R-7" rule
 *   used by most statistics packages), so `quantile(xs, 0.5)` is the median.
 * - The bootstrap uses {@link createRandom}, a 32-bit mulberry PRNG, so a
 *   confidence interval is reproducible from its seed.
 */

/** Descriptive statistics of one set of samples, in the samples' unit. */
export interface SampleSummary {
  /** Number of samples. */
  readonly samples: number;
  /** Smallest sample. */
  readonly min: number;
  /** Largest sample. */
  readonly max: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** 50th percentile. */
  readonly median: number;
  /** Sample standard deviation (n − 1 denominator; 0 for one sample). */
  readonly stddev: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
}

/** A seeded generator of uniform numbers in `[0, 1)`. */
export type RandomSource = () => number;

/** A deterministic PRNG (mulberry32) seeded with a 32-bit integer. */
export function createRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sorted copy of `values` (ascending). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(values as ArrayLike<number>);
  sorted.sort();
  return sorted;
}

/** The `q`-quantile (0 ≤ q ≤ 1) of already sorted values, linearly interpolated. `NaN` when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const count = sorted.length;
  if (count === 0) return Number.NaN;
  const position = (count - 1) * Math.min(1, Math.max(0, q));
  const below = Math.floor(position);
  const above = Math.min(count - 1, below + 1);
  const fraction = position - below;
  const lower = sorted[below]!;
  const upper = sorted[above]!;
  // Equal neighbours (including two infinities) need no interpolation, which would give NaN for ∞ − ∞.
  if (fraction === 0 || lower === upper) return lower;
  return lower + (upper - lower) * fraction;
}

/** The `q`-quantile of unsorted values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

/** The median of unsorted values. */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Summarizes samples. Throws `RangeError` for an empty set (a harness bug: every run takes ≥ 1 sample). */
export function summarize(values: ArrayLike<number>): SampleSummary {
  const count = values.length;
  if (count === 0) throw new RangeError("summarize: no samples");
  const sorted = sortedCopy(values);
  let sum = 0;
  for (let index = 0; index < count; index++) sum += sorted[index]!;
  const mean = sum / count;
  let squares = 0;
  for (let index = 0; index < count; index++) squares += (sorted[index]! - mean) ** 2;
  return {
    samples: count,
    min: sorted[0]!,
    max: sorted[count - 1]!,
    mean,
    median: quantileSorted(sorted, 0.5),
    stddev: count > 1 ? Math.sqrt(squares / (count - 1)) : 0,
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
  };
}

/** A point estimate with a two-sided confidence interval. */
export interface RatioEstimate {
  /** The ratio of medians over all samples. */
  readonly ratio: number;
  /** Lower bound of the confidence interval. */
  readonly low: number;
  /** Upper bound of the confidence interval. */
  readonly high: number;
  /** Confidence level of `[low, high]`, e.g. 0.95. */
  readonly confidence: number;
}

/** Options of the bootstrap estimators. */
export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly confidence?: number;
  /** PRNG seed (default 1). */
  readonly seed?: number;
}

function medianOfResample(source: ArrayLike<number>, picks: Int32Array, scratch: Float64Array): number {
  for (let index = 0; index < picks.length; index++) scratch[index] = source[picks[index]!]!;
  scratch.sort();
  return quantileSorted(scratch, 0.5);
}

function interval(ratios: Float64Array, ratio: number, confidence: number): RatioEstimate {
  ratios.sort();
  const tail = (1 - confidence) / 2;
  return { ratio, low: quantileSorted(ratios, tail), high: quantileSorted(ratios, 1 - tail), confidence };
}

/**
 * Ratio of medians `median(numerator) / median(denominator)` for PAIRED
 * samples (round `i` of an interleaved run produced `numerator[i]` and
 * `denominator[i]`), with a percentile-bootstrap interval that resamples
 * whole rounds, so drift shared by both variants in a round cancels.
 */
export function pairedRatioOfMedians(
  numerator: ArrayLike<number>,
  denominator: ArrayLike<number>,
  options: BootstrapOptions = {},
): RatioEstimate {
  const rounds = Math.min(numerator.length, denominator.length);
  if (rounds === 0) throw new RangeError("pairedRatioOfMedians: no rounds");
  const resamples = options.resamples ?? 1000;
  const random = createRandom(options.seed ?? 1);
  const picks = new Int32Array(rounds);
  const scratch = new Float64Array(rounds);
  const ratios = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample++) {
    for (let index = 0; index < rounds; index++) picks[index] = Math.floor(random() * rounds);
    ratios[resample] =
      medianOfResample(numerator, picks, scratch) / medianOfResample(denominator, picks, scratch);
  }
  return interval(ratios, median(numerator) / median(denominator), options.confidence ?? 0.95);
}

/**
 * Ratio of medians for two INDEPENDENT sample sets (a new run against a
 * stored baseline): each resample draws from each set separately.
 */
export function ratioOfMedians(
  numerator: ArrayLike<number>,
  denominator: ArrayLike<number>,
  options: BootstrapOptions = {},
): RatioEstimate {
  if (numerator.length === 0 || denominator.length === 0) throw new RangeError("ratioOfMedians: no samples");
  const resamples = options.resamples ?? 1000;
  const random = createRandom(options.seed ?? 1);
  const top = { picks: new Int32Array(numerator.length), scratch: new Float64Array(numerator.length) };
  const bottom = { picks: new Int32Array(denominator.length), scratch: new Float64Array(denominator.length) };
  const ratios = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample++) {
    for (let index = 0; index < top.picks.length; index++)
      top.picks[index] = Math.floor(random() * numerator.length);
    for (let index = 0; index < bottom.picks.length; index++) {
      bottom.picks[index] = Math.floor(random() * denominator.length);
    }
    ratios[resample] =
      medianOfResample(numerator, top.picks, top.scratch) /
      medianOfResample(denominator, bottom.picks, bottom.scratch);
  }
  return interval(ratios, median(numerator) / median(denominator), options.confidence ?? 0.95);
}
