/**
 * The benchmark result types shared by `bench`, `compare`, baselines and
 * reports, and the conversion of raw per-operation costs into the unit a
 * result reports.
 *
 * Invariants:
 * - A raw measurement is always a COST per operation in the clock's unit
 *   (nanoseconds on the host clock; guest cycles, instructions, ... on a
 *   virtual counter). Rate units (`ops/s`, `MIPS`) are derived from it, so
 *   `better` tells which direction is an improvement.
 * - `values` keeps the samples in the reported unit, in measurement order
 *   (at most {@link MAX_KEPT_SAMPLES}; beyond that, evenly spaced order
 *   statistics); the summary fields are computed from every sample.
 */
import { type SampleSummary, summarize } from "./statistics";

/** Which clock produced a result (DESIGN §5: every benchmark says which). */
export type BenchClockKind = "host" | "virtual";

/** Whether a lower or a higher value is better in a result's unit. */
export type BenchDirection = "lower" | "higher";

/**
 * A caller-supplied counter used as the clock of a virtual-time benchmark:
 * guest instructions retired, virtual cycles, frames touched, ...
 */
export interface CounterClock {
  /** Unit of one count per operation, e.g. `"cycles/op"` or `"instructions/op"`. */
  readonly unit: string;
  /** The current counter value; must not decrease while a benchmark runs. */
  read(): number;
}

/** Units a host-clock benchmark can report: cost per op, or a rate. */
export type HostUnit = "ns/op" | "ops/s" | "MIPS";

/** Comparison of a result against a reference variant of the same run. */
export interface BenchVs {
  /** Full name of the reference result. */
  readonly name: string;
  /** median(this) / median(reference), in this result's unit. */
  readonly ratio: number;
  /** Lower bound of the bootstrap confidence interval of `ratio`. */
  readonly low: number;
  /** Upper bound of the bootstrap confidence interval of `ratio`. */
  readonly high: number;
}

/** One benchmark result as written to `bench-results.json`. */
export interface BenchRecord extends SampleSummary {
  /** `group/case`. */
  readonly name: string;
  /** Unit of every value: `ns/op`, `ops/s`, `MIPS`, `cycles/op`, ... */
  readonly unit: string;
  /** Host (wall) time or a virtual counter. */
  readonly clock: BenchClockKind;
  /** Which direction is an improvement. */
  readonly better: BenchDirection;
  /** Operations timed together in one sample. */
  readonly opsPerSample: number;
  /** Ratio against the reference variant of an interleaved comparison. */
  readonly vs?: BenchVs;
}

/** A result with its raw samples (kept for baselines and regression checks). */
export interface BenchResult extends BenchRecord {
  /** The samples in `unit`, in measurement order (at most 2000: evenly spaced order statistics beyond). */
  readonly values: readonly number[];
}

/** How raw per-op costs become reported values. */
export interface UnitConversion {
  readonly unit: string;
  readonly clock: BenchClockKind;
  readonly better: BenchDirection;
  /** Maps a raw cost per op to the reported value. */
  readonly convert: (cost: number) => number;
}

const NS_PER_SECOND = 1e9;
const NS_PER_MICROSECOND = 1e3;

/** The conversion for a benchmark on `clock` (a counter, or the host clock when absent) reporting `hostUnit`. */
export function unitConversion(
  clock: CounterClock | undefined,
  hostUnit: HostUnit = "ns/op",
): UnitConversion {
  if (clock) return { unit: clock.unit, clock: "virtual", better: "lower", convert: (cost) => cost };
  switch (hostUnit) {
    case "ops/s":
      return { unit: "ops/s", clock: "host", better: "higher", convert: (ns) => NS_PER_SECOND / ns };
    case "MIPS":
      // Millions of operations per second = 1e6 / (ns/op · 1e-9) / 1e6.
      return { unit: "MIPS", clock: "host", better: "higher", convert: (ns) => NS_PER_MICROSECOND / ns };
    default:
      return { unit: "ns/op", clock: "host", better: "lower", convert: (ns) => ns };
  }
}

/** Samples a result keeps in `values` at most (bounds baseline size and bootstrap cost). */
export const MAX_KEPT_SAMPLES = 2000;

/**
 * At most {@link MAX_KEPT_SAMPLES} values: all of them, or when there are
 * more, evenly spaced order statistics (which keep the distribution's shape,
 * not the measurement order).
 */
function keptValues(values: number[]): number[] {
  if (values.length <= MAX_KEPT_SAMPLES) return values;
  const sorted = [...values].sort((left, right) => left - right);
  const step = (sorted.length - 1) / (MAX_KEPT_SAMPLES - 1);
  return Array.from({ length: MAX_KEPT_SAMPLES }, (_, index) => sorted[Math.round(index * step)]!);
}

/** Builds a result from raw per-op costs; the summary covers every sample. */
export function makeResult(
  name: string,
  costs: ArrayLike<number>,
  conversion: UnitConversion,
  opsPerSample: number,
  vs?: BenchVs,
): BenchResult {
  const values: number[] = [];
  for (let index = 0; index < costs.length; index++) values.push(conversion.convert(costs[index]!));
  const record: BenchResult = {
    name,
    unit: conversion.unit,
    clock: conversion.clock,
    better: conversion.better,
    opsPerSample,
    ...summarize(values),
    values: keptValues(values),
  };
  return vs ? { ...record, vs } : record;
}

/** The result without its raw samples, as `bench-results.json` stores it. */
export function toBenchRecord(result: BenchResult | BenchRecord): BenchRecord {
  const { values: _values, ...record } = result as BenchResult;
  return record;
}
