/**
 * The interleaved measurement loop of the guest benchmark: a warm-up pass,
 * then rounds in which every live case runs once emulated and a few times
 * natively, each native run paired with one run of the spawn-overhead
 * probe. The starting case rotates each round, so slow drift of the shared
 * machine spreads over all cases.
 *
 * Invariants:
 * - Every round runs each case twice emulated: with compiled blocks (the
 *   default machine) and with the interpreter alone, in alternating order.
 * - A case is failed (and measured no further) as soon as one run's output
 *   differs from its expectation, or its retired-instruction count differs
 *   from its first timed run's, in either mode (the virtual clock must be
 *   exact, and the same with and without blocks).
 * - Native samples are kept only from runs whose output matched; a case
 *   whose native runs fail keeps its emulated figures and loses only its
 *   native ones (`nativeFailure` says why).
 */
import type { GuestCase, OverheadProbe } from "./guest-cases";
import { checkOutcome, type EmulationMode, runEmulated, runNative } from "./guest-process";

/** Everything measured for one case. */
export interface CaseMeasurement {
  readonly guestCase: GuestCase;
  /** Why the case failed (emulated output wrong, nondeterministic count); undefined when it did not. */
  failure: string | undefined;
  /** Why the native comparison is missing; undefined when it is present. */
  nativeFailure: string | undefined;
  /** Host seconds of each timed emulated run (compiled blocks, the default machine). */
  readonly emulatedSeconds: number[];
  /** Retired instructions of the first timed run (either mode); every run must match it. */
  referenceInstructions: number | undefined;
  /** Host seconds of each timed run of the interpreter alone (block compilation off), same rounds. */
  readonly interpreterSeconds: number[];
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
    interpreterSeconds: [],
    referenceInstructions: undefined,
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

function emulatedRun(measurement: CaseMeasurement, mode: EmulationMode): void {
  const { elf, name, args, expected } = measurement.guestCase;
  const outcome = runEmulated(elf, name, args, mode);
  const verdict = checkOutcome(outcome, expected);
  if (!verdict.ok) {
    measurement.failure = `${mode} run with ${args.join(" ")}: ${verdict.reason}`;
    return;
  }
  measurement.referenceInstructions ??= outcome.instructions;
  if (outcome.instructions !== measurement.referenceInstructions) {
    measurement.failure = `${mode} run retired ${outcome.instructions} instructions, the first run ${measurement.referenceInstructions}: the virtual clock is not exact`;
    return;
  }
  if (mode === "interpreter") {
    measurement.interpreterSeconds.push(outcome.seconds);
    return;
  }
  measurement.instructions.push(outcome.instructions);
  measurement.emulatedSeconds.push(outcome.seconds);
}

/** One run in each mode, the order alternating with the round so drift hits both alike. */
function emulatedStep(measurement: CaseMeasurement, round: number): void {
  const modes: readonly EmulationMode[] =
    round % 2 === 0 ? ["blocks", "interpreter"] : ["interpreter", "blocks"];
  for (const mode of modes) {
    if (measurement.failure === undefined) emulatedRun(measurement, mode);
  }
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
      emulatedStep(measurement, round);
      if (measurement.failure !== undefined || measurement.nativeFailure !== undefined) continue;
      if (plan.nativeRunsPerRound > 0 && plan.probe) nativeStep(measurement, plan, plan.probe);
    }
    onRound(round);
  }
}
