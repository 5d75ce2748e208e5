/**
 * Fresh-process figures of one case, in three kinds of child process run in
 * rotating order, round after round: the current tree's bundle with
 * compiled blocks, the baseline commit's bundle (baseline.ts) with compiled
 * blocks, and the current bundle with the interpreter alone.
 *
 * A blocks child runs the program BLOCK_RUNS times: its first run is the
 * cold figure (every block compiled during the run, V8 cold), the rest are
 * the warm figure (same process, code cache and V8 warm). An interpreter
 * child runs it once (cold; the warm interpreter figure is the in-process
 * `mips/<case>-interpreter`).
 *
 * Results (host clock; one value per round; speed-ups are ratios of the
 * seconds the two kinds took to run the same program in the same round):
 * - `mips/<case>-cold`, `mips/<case>-warm-child`: current, blocks.
 * - `mips/<case>-baseline-cold`, `mips/<case>-baseline`: the baseline.
 * - `mips/<case>-interpreter-cold`: current, interpreter alone.
 * - `speedup-vs-baseline/<case>` and `speedup-vs-baseline-cold/<case>`:
 *   baseline seconds / current seconds (warm: medians of the warm runs).
 * - `cold-blocks-vs-interpreter/<case>`: interpreter seconds / blocks
 *   seconds of the cold runs (below 1: compiling did not pay back).
 */
import { type BenchResult, median } from "../../testing/src/index";
import type { Baseline } from "./baseline";
import { mipsRecord, speedupRecord } from "./bench-records";
import { runChild } from "./bundled-mips";
import type { GuestCase } from "./guest-cases";
import { checkOutcome, type EmulatedOutcome, type EmulationMode } from "./guest-process";

/** Rounds of the three child kinds per case. */
export const CHILD_ROUNDS = 3;
/** Runs of the program in one blocks child (1 cold + the warm ones). */
const BLOCK_RUNS = 3;

interface Kind {
  readonly label: string;
  readonly bundle: string;
  readonly mode: EmulationMode;
  readonly runs: number;
  /** Per round: the cold run and the warm runs (seconds), and the instructions. */
  readonly cold: number[];
  readonly warm: number[];
  instructions: number;
}

/** The comparison records of `guestCase`, or a failure reason. */
export function compareInChildren(
  guestCase: GuestCase,
  currentBundle: string,
  baseline: Baseline | undefined,
): { records: BenchResult[] } | { reason: string } {
  const kinds: Kind[] = [
    {
      label: "blocks",
      bundle: currentBundle,
      mode: "blocks",
      runs: BLOCK_RUNS,
      cold: [],
      warm: [],
      instructions: 0,
    },
    {
      label: "interpreter",
      bundle: currentBundle,
      mode: "interpreter",
      runs: 1,
      cold: [],
      warm: [],
      instructions: 0,
    },
  ];
  if (baseline?.ok) {
    kinds.push({
      label: "baseline",
      bundle: baseline.bundle,
      mode: "blocks",
      runs: BLOCK_RUNS,
      cold: [],
      warm: [],
      instructions: 0,
    });
  }
  for (let round = 0; round < CHILD_ROUNDS; round++) {
    for (let turn = 0; turn < kinds.length; turn++) {
      const kind = kinds[(round + turn) % kinds.length]!;
      const plan = {
        packageDir: "",
        binaryPath: guestCase.binary.path,
        args: guestCase.args,
        warmups: 0,
        repeats: kind.runs,
        childrenPerKind: 1,
      };
      const runs = runChild(process.execPath, [kind.bundle], plan, kind.mode);
      if (typeof runs === "string") return { reason: `${kind.label} child: ${runs}` };
      const failed = checked(runs, guestCase);
      if (failed !== undefined) return { reason: `${kind.label} child: ${failed}` };
      kind.instructions = runs[0]!.instructions;
      kind.cold.push(runs[0]!.seconds);
      if (runs.length > 1) kind.warm.push(median(runs.slice(1).map((run) => run.seconds)));
    }
  }
  const [blocks, interpreter, base] = kinds as [Kind, Kind, Kind | undefined];
  const name = guestCase.name;
  const perRound = (over: readonly number[], under: readonly number[]) =>
    over.map((value, round) => value / under[round]!);
  const records = [
    mipsRecord(`mips/${name}-cold`, blocks.instructions, blocks.cold),
    mipsRecord(`mips/${name}-warm-child`, blocks.instructions, blocks.warm),
    mipsRecord(`mips/${name}-interpreter-cold`, interpreter.instructions, interpreter.cold),
    speedupRecord(`cold-blocks-vs-interpreter/${name}`, perRound(interpreter.cold, blocks.cold)),
  ];
  if (base !== undefined) {
    records.push(
      mipsRecord(`mips/${name}-baseline`, base.instructions, base.warm),
      mipsRecord(`mips/${name}-baseline-cold`, base.instructions, base.cold),
      speedupRecord(`speedup-vs-baseline/${name}`, perRound(base.warm, blocks.warm)),
      speedupRecord(`speedup-vs-baseline-cold/${name}`, perRound(base.cold, blocks.cold)),
    );
  }
  return { records };
}

/** Why one of `runs` does not meet the case's expectation (or its instruction counts differ), else undefined. */
function checked(runs: readonly EmulatedOutcome[], guestCase: GuestCase): string | undefined {
  for (const run of runs) {
    const verdict = checkOutcome(run, guestCase.expected);
    if (!verdict.ok) return verdict.reason;
  }
  const counts = new Set(runs.map((run) => run.instructions));
  return counts.size === 1 ? undefined : `instruction counts differ: ${[...counts].join(", ")}`;
}
