/**
 * `pnpm bench` for @tsos/hw-x86: speed of the CPU interpreter on real
 * guest programs (issue 4's benchmark), against the same binaries run
 * natively on this host in the same run.
 *
 * Cases: sieve, crc32, sha256, matmul at -O2, `gpr` and `sse` builds
 * (`guest-cases.ts` has the fixed argv[1] of each). Each run executes the
 * ELF on the emulated CPU under the minimal test kernel
 * (test/cpu-test-kernel.ts) and must print exactly what the native binary
 * prints and exit with the same status; a run that does not is reported as
 * FAILED and yields no figure.
 *
 * Results:
 * - `mips/<case>` (MIPS, host clock): retired guest instructions / host
 *   seconds of `TestKernel.run` with compiled blocks (the default CPU), one
 *   value per round, median reported. Each run is a fresh machine, but the
 *   process has run the program before (warm-up, earlier rounds): compiled
 *   block functions come from the process-wide code cache and V8's
 *   optimised code is warm.
 * - Fresh-process figures (child-comparison.ts), every case, in bundled
 *   child processes: `mips/<case>-cold` (first run: every block compiled
 *   during the run, V8 cold), `mips/<case>-warm-child`,
 *   `mips/<case>-interpreter-cold`, `cold-blocks-vs-interpreter/<case>`,
 *   and against the BASELINE commit (default the previous commit, built
 *   beside this tree; baseline.ts) `mips/<case>-baseline`,
 *   `mips/<case>-baseline-cold`, `speedup-vs-baseline/<case>` and
 *   `speedup-vs-baseline-cold/<case>` (x, higher is better): the speed
 *   claims of issue 17 are these ratios, measured in the same run.
 * - `mips/<case>-interpreter` (MIPS, host): the same binary and arguments
 *   with block compilation off (the interpreter alone), in the same rounds,
 *   the two runs of a round in alternating order.
 * - `blocks-vs-interpreter/<case>` (x, host, higher is better): per round,
 *   interpreter seconds / blocks seconds.
 * - `instructions/<case>` (instructions, VIRTUAL clock): retired guest
 *   instructions per run, asserted identical in every round; it moves only
 *   when guest-visible behaviour (or the arguments) change.
 * - `native/<case>` (ns/op, host): wall-clock of one native `spawnSync`
 *   of the same binary and arguments, process start and exit included.
 * - `native-spawn-overhead/<probe>` (ns/op, host): the same for a guest
 *   that does almost nothing (`sieve-O2-gpr 0`, ~1200 instructions), i.e.
 *   what spawning a static binary costs from this Node process.
 * - `slowdown-vs-native/<case>` (x, host): RAW ratio, emulated seconds /
 *   native spawn wall-clock, per round. Flatters the emulator, because the
 *   native time includes the spawn.
 * - `slowdown-vs-native-net/<case>` (x, host): the same with the median
 *   spawn overhead of the round subtracted from the native time.
 * - `mips/<case>-bundled` and `mips/<case>-tsx-child` (MIPS, host): one
 *   case in fresh child processes, an esbuild bundle against tsx.
 *
 * tsx's module transform and loader hooks cost speed against a bundled
 * build (the CPU engineer measured ~20 %); the in-process `mips/*` figures
 * are measured under tsx, so the `-bundled` / `-tsx-child` pair says how
 * much. Host-clock figures come from a shared 2-core machine: compare them
 * within one run, not across machines (DESIGN §5).
 *
 * Environment: TSOS_BENCH_ROUNDS (default 5) timed rounds;
 * TSOS_BENCH_BASELINE (default HEAD~1, `none` to skip) the baseline revision.
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchResult, median, reportBenchResults } from "../../testing/src/index";
import { type Baseline, baselineRevision, prepareBaseline } from "./baseline";
import { durationRecord, instructionsRecord, mipsRecord, ratioRecord, speedupRecord } from "./bench-records";
import { bundleChild, measureChildren } from "./bundled-mips";
import { compareInChildren } from "./child-comparison";
import { type GuestCase, overheadProbe, setupCases } from "./guest-cases";
import { checkOutcome, type EmulatedOutcome, nativeUnsupportedReason } from "./guest-process";
import { type CaseMeasurement, measureRounds, newMeasurement, warmUp } from "./guest-rounds";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const ROUNDS = Number(process.env.TSOS_BENCH_ROUNDS ?? 5);
const NATIVE_RUNS_PER_ROUND = 7;
/** Below this share of the spawn overhead, the native work left after subtracting it is flagged as unreliable. */
const NET_RELIABLE_SHARE = 0.25;
const BUNDLED_CASE = "sieve-O2-gpr";
const failures: string[] = [];
/** The baseline commit's bundled emulator (baseline.ts), prepared at the start of `main`. */
let baselineInfo: Baseline | undefined;
const notes: string[] = [];
const startedAt = process.hrtime.bigint();

function elapsed(): string {
  return `${(Number(process.hrtime.bigint() - startedAt) / 1e9).toFixed(1)} s`;
}

/** The records of one measured case (nothing for a failed case). */
function caseRecords(measurement: CaseMeasurement): BenchResult[] {
  const { guestCase, emulatedSeconds, instructions } = measurement;
  if (measurement.failure !== undefined) {
    failures.push(`${guestCase.name}: FAILED: ${measurement.failure}`);
    return [];
  }
  if (emulatedSeconds.length === 0) return [];
  const count = instructions[0]!;
  const records = [mipsRecord(`mips/${guestCase.name}`, count, emulatedSeconds)];
  const interpreter = measurement.interpreterSeconds;
  if (interpreter.length === emulatedSeconds.length) {
    records.push(mipsRecord(`mips/${guestCase.name}-interpreter`, count, interpreter));
    records.push(
      speedupRecord(
        `blocks-vs-interpreter/${guestCase.name}`,
        emulatedSeconds.map((seconds, round) => interpreter[round]! / seconds),
      ),
    );
  }
  records.push(instructionsRecord(`instructions/${guestCase.name}`, instructions));
  if (measurement.nativeFailure !== undefined) {
    failures.push(`${guestCase.name}: no native comparison: ${measurement.nativeFailure}`);
    return records;
  }
  const native = measurement.nativeRoundSeconds;
  if (native.length !== emulatedSeconds.length) return records;
  records.push(durationRecord(`native/${guestCase.name}`, native));
  const raw = emulatedSeconds.map((seconds, round) => seconds / native[round]!);
  records.push(ratioRecord(`slowdown-vs-native/${guestCase.name}`, raw));
  const net = emulatedSeconds.map((seconds, round) => {
    const work = native[round]! - measurement.overheadRoundSeconds[round]!;
    return work > 0 ? seconds / work : Number.NaN;
  });
  const valid = net.filter((ratio) => Number.isFinite(ratio));
  if (valid.length * 2 > net.length) {
    records.push(ratioRecord(`slowdown-vs-native-net/${guestCase.name}`, valid));
    const spawn = median(measurement.overheadRoundSeconds);
    const work = median(native) - spawn;
    if (work < spawn * NET_RELIABLE_SHARE) {
      const ms = (seconds: number) => `${(seconds * 1e3).toFixed(2)} ms`;
      notes.push(
        `${guestCase.name}: native work ${ms(work)} vs spawn overhead ${ms(spawn)}: the net slowdown is a small difference of noisy times, read it as an order of magnitude`,
      );
    }
  } else {
    notes.push(
      `${guestCase.name}: native run not measurably longer than the spawn overhead; no net slowdown`,
    );
  }
  return records;
}

/** The bundled-vs-tsx child measurement of one case. */
function childRecords(guestCase: GuestCase): BenchResult[] {
  const measured = measureChildren({
    packageDir,
    binaryPath: guestCase.binary.path,
    args: guestCase.args,
    warmups: 2,
    repeats: 4,
    childrenPerKind: 3,
  });
  if (!measured.ok) {
    failures.push(`${guestCase.name}-bundled: not measured: ${measured.reason}`);
    return [];
  }
  const records: BenchResult[] = [];
  for (const [suffix, runs] of [
    ["tsx-child", measured.tsx],
    ["bundled", measured.bundled],
  ] as const) {
    const record = checkedMipsRecord(guestCase, suffix, runs);
    if (record !== undefined) records.push(record);
  }
  return records;
}

/**
 * `mips/<case>-<suffix>` from child-process runs, or undefined (with the
 * failure recorded) when a run's output is wrong or the runs retired
 * different instruction counts.
 */
function checkedMipsRecord(
  guestCase: GuestCase,
  suffix: string,
  runs: readonly EmulatedOutcome[],
): BenchResult | undefined {
  const bad = runs.map((run) => checkOutcome(run, guestCase.expected)).find((verdict) => !verdict.ok);
  if (bad && !bad.ok) {
    failures.push(`${guestCase.name}-${suffix}: FAILED: ${bad.reason}`);
    return undefined;
  }
  const counts = new Set(runs.map((run) => run.instructions));
  if (counts.size !== 1) {
    failures.push(
      `${guestCase.name}-${suffix}: FAILED: instruction counts differ: ${[...counts].join(", ")}`,
    );
    return undefined;
  }
  return mipsRecord(
    `mips/${guestCase.name}-${suffix}`,
    runs[0]!.instructions,
    runs.map((run) => run.seconds),
  );
}

/** The fresh-process figures of every case (child-comparison.ts), against the baseline when there is one. */
function childComparisonRecords(
  measurements: readonly CaseMeasurement[],
  baseline: Baseline | undefined,
): BenchResult[] {
  const bundle = bundleChild(packageDir);
  if ("reason" in bundle) {
    failures.push(`fresh-process figures: not measured: ${bundle.reason}`);
    return [];
  }
  const records: BenchResult[] = [];
  for (const measurement of measurements) {
    if (measurement.failure !== undefined) continue;
    const compared = compareInChildren(measurement.guestCase, bundle.path, baseline);
    if ("reason" in compared) failures.push(`${measurement.guestCase.name}-cold: FAILED: ${compared.reason}`);
    else records.push(...compared.records);
  }
  return records;
}

/** The median line of the records named `<prefix><case>`, or undefined when there are none. */
function medianLine(
  results: readonly BenchResult[],
  prefix: string,
): { median: number; min: number; max: number; count: number } | undefined {
  const figures = results.filter((result) => result.name.startsWith(prefix)).map((result) => result.median);
  if (figures.length === 0) return undefined;
  return {
    median: median(figures),
    min: Math.min(...figures),
    max: Math.max(...figures),
    count: figures.length,
  };
}

/** Cases where compiled blocks ran slower than the interpreter alone (warm in-process, or cold). */
function blocksSlowerNotes(results: readonly BenchResult[]): string[] {
  return results
    .filter(
      (result) =>
        /^(blocks-vs-interpreter|cold-blocks-vs-interpreter)\//.test(result.name) && result.median < 1,
    )
    .map(
      (result) =>
        `${result.name}: compiled blocks SLOWER than the interpreter alone (×${result.median.toFixed(2)})`,
    );
}

/** Prints the headline figures against the issue's anchors, then notes and failures. */
function summarize(results: readonly BenchResult[]): void {
  const mips = results.filter(
    (result) =>
      result.unit === "MIPS" &&
      !/-(bundled|tsx-child|interpreter|cold|warm-child|baseline)$/.test(result.name),
  );
  const cold = results.filter(
    (result) =>
      result.unit === "MIPS" &&
      /-cold$/.test(result.name) &&
      !/-(interpreter|baseline)-cold$/.test(result.name),
  );
  const interpreterMips = results.filter(
    (result) => result.unit === "MIPS" && result.name.endsWith("-interpreter"),
  );
  const byName = new Map(results.map((result) => [result.name, result]));
  console.log("\n## Summary (host clock, medians; shared machine)\n");
  if (mips.length > 0) {
    const figures = mips.map((result) => result.median);
    console.log(
      `In-process (tsx) MIPS with compiled blocks: median ${median(figures).toFixed(1)}, range ${Math.min(...figures).toFixed(1)}–${Math.max(...figures).toFixed(1)} over ${mips.length} cases.`,
    );
  }
  if (cold.length > 0) {
    const figures = cold.map((result) => result.median);
    console.log(
      `Cold start (first run in a fresh process, bundled, every block compiled during the run): median ${median(figures).toFixed(1)}, range ${Math.min(...figures).toFixed(1)}–${Math.max(...figures).toFixed(1)} MIPS.`,
    );
  }
  if (interpreterMips.length > 0) {
    const figures = interpreterMips.map((result) => result.median);
    console.log(
      `Interpreter alone, same runs: median ${median(figures).toFixed(1)}, range ${Math.min(...figures).toFixed(1)}–${Math.max(...figures).toFixed(1)} MIPS.`,
    );
  }
  const bundled = byName.get(`mips/${BUNDLED_CASE}-bundled`);
  const tsxChild = byName.get(`mips/${BUNDLED_CASE}-tsx-child`);
  if (bundled && tsxChild) {
    const gain = (bundled.median / tsxChild.median - 1) * 100;
    console.log(
      `${BUNDLED_CASE}: bundled ${bundled.median.toFixed(1)} MIPS vs tsx ${tsxChild.median.toFixed(1)} MIPS in fresh child processes (bundle ${gain >= 0 ? "+" : ""}${gain.toFixed(0)} %).`,
    );
  }
  const baselineWarm = medianLine(results, "speedup-vs-baseline/");
  const baselineCold = medianLine(results, "speedup-vs-baseline-cold/");
  if (baselineWarm && baselineCold && baselineInfo?.ok) {
    const range = (line: { min: number; max: number }) => `${line.min.toFixed(2)}–${line.max.toFixed(2)}`;
    console.log(
      `Against the baseline ${baselineInfo.revision} (${baselineInfo.commit}), fresh bundled processes in the same run: speed-up median ×${baselineWarm.median.toFixed(2)} warm (range ${range(baselineWarm)}), ×${baselineCold.median.toFixed(2)} cold (range ${range(baselineCold)}) over ${baselineWarm.count} cases.`,
    );
  } else if (baselineInfo && !baselineInfo.ok) {
    console.log(`No baseline comparison: ${baselineInfo.revision}: ${baselineInfo.reason}.`);
  }
  const coldRatio = medianLine(results, "cold-blocks-vs-interpreter/");
  if (coldRatio) {
    console.log(
      `Cold, blocks vs interpreter alone (fresh processes): median ×${coldRatio.median.toFixed(2)}, worst ×${coldRatio.min.toFixed(2)}.`,
    );
  }
  for (const line of blocksSlowerNotes(results)) notes.push(line);
  console.log("Anchors (issue 4): interpreted Bochs ≈ 85–95 MIPS, JSLinux ≈ 100 MIPS; goal ≥ 100 MIPS.");
  for (const note of notes) console.log(`Note: ${note}`);
  if (failures.length > 0) console.log(`\n## Failures\n\n${failures.map((line) => `- ${line}`).join("\n")}`);
}

function main(): void {
  const nativeReason = nativeUnsupportedReason();
  console.log(`# @tsos/hw-x86 guest CPU benchmark (${ROUNDS} rounds)\n`);
  const revision = baselineRevision();
  baselineInfo = revision === undefined ? undefined : prepareBaseline(packageDir, revision);
  if (baselineInfo?.ok)
    console.log(`Baseline: ${baselineInfo.revision} = ${baselineInfo.commit}, bundled beside this tree.\n`);
  else if (baselineInfo) failures.push(`baseline ${baselineInfo.revision}: ${baselineInfo.reason}`);
  if (nativeReason) console.log(`Native runs skipped: ${nativeReason}.\n`);
  const measurements: CaseMeasurement[] = [];
  for (const setup of setupCases(nativeReason)) {
    if (setup.ok) measurements.push(newMeasurement(setup.guestCase));
    else failures.push(`${setup.name}: FAILED: ${setup.reason}`);
  }
  for (const { guestCase } of measurements) {
    console.log(
      `- ${guestCase.name} ${guestCase.args.join(" ")} (expected output: ${guestCase.expectedSource})`,
    );
  }
  const probeSetup = nativeReason ? undefined : overheadProbe();
  if (probeSetup && "reason" in probeSetup) failures.push(`spawn-overhead probe: ${probeSetup.reason}`);
  const probe = probeSetup && "probe" in probeSetup ? probeSetup.probe : undefined;
  if (probe) {
    console.log(`- spawn-overhead probe: ${probe.name} (${probe.instructions} guest instructions)`);
  }
  warmUp(measurements);
  console.log(`\nwarm-up done (${elapsed()})`);
  const plan = { rounds: ROUNDS, nativeRunsPerRound: probe ? NATIVE_RUNS_PER_ROUND : 0, probe };
  measureRounds(measurements, plan, (round) =>
    console.log(`round ${round + 1}/${ROUNDS} done (${elapsed()})`),
  );
  const results = measurements.flatMap(caseRecords);
  const overhead = measurements.flatMap((measurement) => measurement.overheadRoundSeconds);
  if (probe && overhead.length > 0)
    results.push(durationRecord(`native-spawn-overhead/${probe.name}`, overhead));
  const bundledCase = measurements.find(
    (measurement) => measurement.guestCase.name === BUNDLED_CASE && measurement.failure === undefined,
  );
  if (bundledCase) results.push(...childRecords(bundledCase.guestCase));
  results.push(...childComparisonRecords(measurements, baselineInfo));
  console.log(`\nmeasured in ${elapsed()}\n`);
  const report = reportBenchResults(packageDir, results);
  summarize(results);
  if (failures.length > 0 || report.regressions > 0) process.exitCode = 1;
}

main();
