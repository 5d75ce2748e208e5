/**
 * Turns per-round measurements of the guest benchmark into @tsos/testing
 * `BenchResult`s (summary statistics from the testing package's
 * `summarize`, raw values kept for baselines).
 *
 * @tsos/testing is imported by relative path: it depends on @tsos/hw-x86,
 * so hw-x86 cannot list it as a workspace dependency without a cycle.
 *
 * Invariants:
 * - One value per round (a round runs every case once), in round order, so
 *   a baseline comparison resamples comparable units.
 * - Host-clock rates (`MIPS`) are better higher; costs and ratios (`x`,
 *   `ns/op`, `instructions`) are better lower.
 */
import {
  type BenchClockKind,
  type BenchDirection,
  type BenchResult,
  summarize,
} from "../../testing/src/index";

/** How one result is labelled. */
export interface RecordLabel {
  /** `group/case`, e.g. `mips/sieve-O2-gpr`. */
  readonly name: string;
  /** `MIPS`, `x`, `ns/op` or `instructions`. */
  readonly unit: string;
  /** Host wall-clock or the guest's own instruction counter (DESIGN §5). */
  readonly clock: BenchClockKind;
  /** Which direction is an improvement. */
  readonly better: BenchDirection;
  /** Operations behind one value (guest instructions for MIPS, 1 otherwise). */
  readonly opsPerSample: number;
}

/** A result from `values` (at least one), labelled by `label`. */
export function benchRecord(label: RecordLabel, values: readonly number[]): BenchResult {
  if (values.length === 0) throw new RangeError(`${label.name}: no values`);
  return { ...label, ...summarize(values), values: [...values] };
}

/** `mips/<case>`: retired guest instructions per host microsecond, one value per round. */
export function mipsRecord(name: string, instructions: number, seconds: readonly number[]): BenchResult {
  const values = seconds.map((runSeconds) => instructions / runSeconds / 1e6);
  return benchRecord(
    { name, unit: "MIPS", clock: "host", better: "higher", opsPerSample: instructions },
    values,
  );
}

/** `instructions/<case>`: the virtual clock, identical in every round by construction (asserted by the caller). */
export function instructionsRecord(name: string, counts: readonly number[]): BenchResult {
  return benchRecord(
    { name, unit: "instructions", clock: "virtual", better: "lower", opsPerSample: 1 },
    counts,
  );
}

/** A host-clock ratio (`x`), one value per round. */
export function ratioRecord(name: string, ratios: readonly number[]): BenchResult {
  return benchRecord({ name, unit: "x", clock: "host", better: "lower", opsPerSample: 1 }, ratios);
}

/** A host-clock duration in ns/op, one value per sample (seconds in, nanoseconds out). */
export function durationRecord(name: string, seconds: readonly number[]): BenchResult {
  return benchRecord(
    { name, unit: "ns/op", clock: "host", better: "lower", opsPerSample: 1 },
    seconds.map((value) => value * 1e9),
  );
}

/** A host-clock speed-up (`x`, higher is better), one value per round. */
export function speedupRecord(name: string, ratios: readonly number[]): BenchResult {
  return benchRecord({ name, unit: "x", clock: "host", better: "higher", opsPerSample: 1 }, ratios);
}
