/**
 * `compare`: measures two or more variants of one operation in the same run,
 * INTERLEAVED, and reports each variant's ratio to a reference variant with a
 * bootstrap confidence interval.
 *
 * Scheme (tinybench runs one task to completion before the next, which lets
 * drift — CPU frequency, GC, a neighbour process — bias one variant; this is
 * the part written by hand):
 * 1. Warm-up: `warmupIterations` interleaved rounds (and at least
 *    `warmupTime` ms), discarded.
 * 2. Rounds: each round times one batch of every variant, the starting
 *    variant rotating each round so no variant always runs first. Rounds
 *    continue until both `iterations` rounds and `minTime` ms are reached.
 * 3. Ratio: median(variant) / median(reference); the interval is a seeded
 *    percentile bootstrap that resamples whole ROUNDS (paired), so slow
 *    phases shared by both variants largely cancel.
 *
 * Invariants: every variant gets exactly the same number of samples; the
 * same counter-clock operations and seed give the same ratios and intervals.
 */
import { type BenchOperation, type BenchOptions, resolveBenchOptions } from "./bench";
import { type BenchResult, type CounterClock, makeResult, unitConversion } from "./bench-result";
import { pairedRatioOfMedians } from "./statistics";

/** One variant of a comparison. */
export interface BenchVariant {
  /** Case name; the result is named `group/name`. */
  readonly name: string;
  /** The operation; `index` counts this variant's calls from 0. */
  readonly operation: BenchOperation;
}

/** Options of {@link compare}: sampling options plus the statistics of the ratio. */
export interface CompareOptions extends BenchOptions {
  /** Name of the reference variant (default: the first). */
  readonly reference?: string;
  /** Bootstrap seed (default 1). */
  readonly seed?: number;
  /** Confidence level of the ratio interval (default 0.95). */
  readonly confidence?: number;
  /** Bootstrap resamples (default 1000). */
  readonly resamples?: number;
  /** Upper bound on rounds whatever `minTime` says (default 2000; bounds the bootstrap cost). */
  readonly maxRounds?: number;
}

const NS_PER_MS = 1e6;

interface VariantState {
  readonly variant: BenchVariant;
  nextIndex: number;
  readonly costs: number[];
}

/** Runs one batch of a variant and returns its cost per op in the clock's unit. */
function timeBatch(state: VariantState, batch: number, clock: CounterClock | undefined): number {
  const { operation } = state.variant;
  const start = state.nextIndex;
  const end = start + batch;
  if (clock) {
    const before = clock.read();
    for (let index = start; index < end; index++) operation(index);
    state.nextIndex = end;
    return (clock.read() - before) / batch;
  }
  const before = process.hrtime.bigint();
  for (let index = start; index < end; index++) operation(index);
  const elapsed = Number(process.hrtime.bigint() - before);
  state.nextIndex = end;
  return elapsed / batch;
}

function runRounds(
  states: VariantState[],
  rounds: number,
  minTimeMs: number,
  maxRounds: number,
  batch: number,
  clock: CounterClock | undefined,
  keep: boolean,
): void {
  const started = process.hrtime.bigint();
  const minTimeNs = BigInt(Math.round(minTimeMs * NS_PER_MS));
  for (let round = 0; round < maxRounds; round++) {
    if (round >= rounds && process.hrtime.bigint() - started >= minTimeNs) return;
    for (let step = 0; step < states.length; step++) {
      const state = states[(round + step) % states.length]!;
      const cost = timeBatch(state, batch, clock);
      if (keep) state.costs.push(cost);
    }
  }
}

/**
 * Measures `variants` interleaved and returns one result per variant, named
 * `group/variant`; every non-reference result carries `vs` (ratio to the
 * reference, in the result's unit, with its confidence interval).
 * Throws `RangeError` for fewer than two variants or an unknown reference.
 */
export function compare(
  group: string,
  variants: readonly BenchVariant[],
  options: CompareOptions = {},
): BenchResult[] {
  if (variants.length < 2) throw new RangeError("compare: needs at least two variants");
  const resolved = resolveBenchOptions(options);
  const referenceName = options.reference ?? variants[0]!.name;
  const referenceIndex = variants.findIndex((variant) => variant.name === referenceName);
  if (referenceIndex < 0) throw new RangeError(`compare: no variant named ${referenceName}`);
  const maxRounds = options.maxRounds ?? 2000;
  const states: VariantState[] = variants.map((variant) => ({ variant, nextIndex: 0, costs: [] }));
  const { batch, clock } = resolved;
  if (resolved.warmupIterations > 0) {
    runRounds(states, resolved.warmupIterations, resolved.warmupTime, maxRounds, batch, clock, false);
  }
  runRounds(states, resolved.iterations, resolved.minTime, maxRounds, batch, clock, true);
  const conversion = unitConversion(clock, resolved.unit);
  const converted = states.map((state) => state.costs.map(conversion.convert));
  const referenceFullName = `${group}/${referenceName}`;
  return states.map((state, index) => {
    const name = `${group}/${state.variant.name}`;
    if (index === referenceIndex) return makeResult(name, state.costs, conversion, batch);
    const estimate = pairedRatioOfMedians(converted[index]!, converted[referenceIndex]!, {
      seed: options.seed ?? 1,
      confidence: options.confidence ?? 0.95,
      resamples: options.resamples ?? 1000,
    });
    return makeResult(name, state.costs, conversion, batch, {
      name: referenceFullName,
      ratio: estimate.ratio,
      low: estimate.low,
      high: estimate.high,
    });
  });
}
