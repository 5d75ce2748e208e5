/**
 * The interleaved measurement loop of the guest benchmark: a warm-up pass,
 * then rounds in which every live case runs once emulated and a few times
 * natively, each native run paired with one run of the spawn-overhead
 * probe. The starting case rotates each round, so slow drift of the shared
 * machine spreads over all cases.
 *
 * Invariants:
 * - A case is failed (and measured no further) as soon as one run's output
 *   differs from its expectation, or its retired-instruction count differs
 *   from its first timed run's (the virtual clock must be exact).
 * - Native samples are kept only from runs whose output matched; a case
 *   whose native runs fail keeps its emulated figures and loses only its
 *   native ones (`nativeFailure` says why).
 */
import type { GuestCase, OverheadProbe } from "./guest-cases";
import { checkOutcome, runEmulated, runNative } from "./guest-process";

/** Everything measured for one case. */
export interface CaseMeasurement {
  readonly guestCase: GuestCase;
  /** Why the case failed (emulated output wrong, nondeterministic count); undefined when it did not. */
  failure: string | undefined;
  /** Why the native comparison is missing; undefined when it is present. */
  nativeFailure: string | undefined;
  /** Host seconds of each timed emulated run. */
  readonly emulatedSeconds: number[];
  /** Retired instructions of each timed emulated run (all equal unless `failure`). */
  readonly instructions: number[];
  /** Per round: median host seconds of the native runs of this case. */
  readonly nativeRoundSeconds: number[];
  /** Per round: median host seconds of the overhead probe runs paired with them. */
  readonly overheadRoundSeconds: number[];
}

/** How much to measure. */
export interface RoundPlan {
  /** Timed rounds. */
  readonly rounds: number;
  /** Native runs (and as many probe runs) per case per round; 0 skips native runs. */
  readonly nativeRunsPerRound: number;
  /** The spawn-overhead probe, required when `nativeRunsPerRound > 0`. */
  readonly probe: OverheadProbe | undefined;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A fresh measurement record for `guestCase`. */
export function newMeasurement(guestCase: GuestCase): CaseMeasurement {
  return {
    guestCase,
    failure: undefined,
    nativeFailure: undefined,
    emulatedSeconds: [],
    instructions: [],
    nativeRoundSeconds: [],
    overheadRoundSeconds: [],
  };
}

/** Runs every case once with its quick arguments (JIT warm-up), checked against the recorded native output. */
export function warmUp(measurements: readonly CaseMeasurement[]): void {
  for (const measurement of measurements) {
    const { elf, name, quickArgs, quickExpected } = measurement.guestCase;
    const verdict = checkOutcome(runEmulated(elf, name, quickArgs), quickExpected);
    if (!verdict.ok) measurement.failure = `quick run (${quickArgs.join(" ")}): ${verdict.reason}`;
  }
}

function emulatedStep(measurement: CaseMeasurement): void {
  const { elf, name, args, expected } = measurement.guestCase;
  const outcome = runEmulated(elf, name, args);
  const verdict = checkOutcome(outcome, expected);
  if (!verdict.ok) {
    measurement.failure = `run with ${args.join(" ")}: ${verdict.reason}`;
    return;
  }
  const first = measurement.instructions[0];
  if (first !== undefined && first !== outcome.instructions) {
    measurement.failure = `retired ${outcome.instructions} instructions, the first run ${first}: the virtual clock is not exact`;
    return;
  }
  measurement.emulatedSeconds.push(outcome.seconds);
  measurement.instructions.push(outcome.instructions);
}

function nativeStep(measurement: CaseMeasurement, plan: RoundPlan, probe: OverheadProbe): void {
  const { binary, args, expected } = measurement.guestCase;
  const native: number[] = [];
  const overhead: number[] = [];
  for (let run = 0; run < plan.nativeRunsPerRound; run++) {
    const outcome = runNative(binary.path, args);
    const verdict = checkOutcome(outcome, expected);
    if (!verdict.ok) {
      measurement.nativeFailure = `native run: ${verdict.reason}`;
      return;
    }
    native.push(outcome.seconds);
    const probeOutcome = runNative(probe.path, probe.args);
    const probeVerdict = checkOutcome(probeOutcome, probe.expected);
    if (!probeVerdict.ok) {
      measurement.nativeFailure = `overhead probe ${probe.name}: ${probeVerdict.reason}`;
      return;
    }
    overhead.push(probeOutcome.seconds);
  }
  measurement.nativeRoundSeconds.push(median(native));
  measurement.overheadRoundSeconds.push(median(overhead));
}

/** The timed rounds; `onRound` reports progress after each. */
export function measureRounds(
  measurements: readonly CaseMeasurement[],
  plan: RoundPlan,
  onRound: (round: number) => void,
): void {
  for (let round = 0; round < plan.rounds; round++) {
    for (let step = 0; step < measurements.length; step++) {
      const measurement = measurements[(round + step) % measurements.length]!;
      if (measurement.failure !== undefined) continue;
      emulatedStep(measurement);
      if (measurement.failure !== undefined || measurement.nativeFailure !== undefined) continue;
      if (plan.nativeRunsPerRound > 0 && plan.probe) nativeStep(measurement, plan, plan.probe);
    }
    onRound(round);
  }
}
