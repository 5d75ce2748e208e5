/**
 * The cases of the guest CPU benchmark: which binaries run with which
 * argv[1], and what each run must print (the native oracle, DESIGN §4).
 *
 * Invariants:
 * - Arguments are FIXED constants (not calibrated per run), so the virtual
 *   clock (`instructions/<case>`) is comparable from run to run. They were
 *   raised on 2026-11-25 with compiled blocks (100–300 MIPS) so one run with
 *   blocks takes roughly 0.2–0.5 s under tsx (so JIT warm-up is a small
 *   share) and one interpreter run 1–2 s; raising them again changes the
 *   instruction baseline.
 * - The expectation for the benchmark arguments is the recorded file when
 *   they equal the catalog's quick arguments; otherwise it is the output of
 *   the same binary run natively now, trusted only if that binary also
 *   reproduces its recorded quick output on this host. Without a native
 *   host the case falls back to its quick arguments and recorded output.
 */
import {
  findGuestBinary,
  GUEST_ISAS,
  GUEST_PROGRAMS,
  type GuestBinary,
  guestRun,
  readGuestBinary,
  readGuestExpected,
} from "../guest/catalog";
import { checkOutcome, type ExpectedOutput, runEmulated, runNative } from "./guest-process";

/** argv[1] of each CPU-bound program in the benchmark (see the invariants above). */
export const BENCH_ARGS: Readonly<Record<string, readonly string[]>> = {
  sieve: ["3"],
  crc32: ["96"],
  sha256: ["40"],
  matmul: ["2"],
  nbody: ["20000"],
  dtoa: ["20000"],
};

/** Optimisation level of the benchmarked builds. */
export const BENCH_OPTIMIZATION = "O2";

/** One benchmarked binary with its arguments and expectations. */
export interface GuestCase {
  /** `<program>-O2-<isa>`, the name used in result names. */
  readonly name: string;
  readonly binary: GuestBinary;
  /** The ELF bytes (read once). */
  readonly elf: Uint8Array;
  /** argv[1..] of the timed runs. */
  readonly args: readonly string[];
  /** Expected output of the timed runs. */
  readonly expected: ExpectedOutput;
  /** Where `expected` comes from, for the printed notes. */
  readonly expectedSource: string;
  /** argv[1..] of the warm-up run (the catalog's quick arguments). */
  readonly quickArgs: readonly string[];
  /** Recorded native output of the quick run. */
  readonly quickExpected: ExpectedOutput;
}

/** A case, or why it cannot be run at all. */
export type CaseSetup =
  | { readonly ok: true; readonly guestCase: GuestCase }
  | { readonly ok: false; readonly name: string; readonly reason: string };

/** The recorded quick-run output of `binary` as text. */
export function recordedQuick(binary: GuestBinary): ExpectedOutput {
  const expected = readGuestExpected(guestRun(binary, "quick"));
  return { stdout: Buffer.from(expected.stdout).toString("latin1"), status: expected.status };
}

function sameArgs(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((arg, index) => arg === right[index]);
}

/** Builds one case; `nativeReason` is why native runs are impossible here, or undefined. */
function setupCase(binary: GuestBinary, nativeReason: string | undefined): CaseSetup {
  const quickArgs = binary.program.quickArgs;
  const quickExpected = recordedQuick(binary);
  const base = { name: binary.name, binary, elf: readGuestBinary(binary), quickArgs, quickExpected };
  const wanted = BENCH_ARGS[binary.program.name] ?? quickArgs;
  if (sameArgs(wanted, quickArgs)) {
    return {
      ok: true,
      guestCase: { ...base, args: quickArgs, expected: quickExpected, expectedSource: "recorded" },
    };
  }
  if (nativeReason !== undefined) {
    const guestCase = {
      ...base,
      args: quickArgs,
      expected: quickExpected,
      expectedSource: "recorded (quick args: no native host)",
    };
    return { ok: true, guestCase };
  }
  const oracleCheck = checkOutcome(runNative(binary.path, quickArgs), quickExpected);
  if (!oracleCheck.ok) {
    return {
      ok: false,
      name: binary.name,
      reason: `native run differs from recorded quick output: ${oracleCheck.reason}`,
    };
  }
  const native = runNative(binary.path, wanted);
  if (native.fault || native.status === null) {
    return {
      ok: false,
      name: binary.name,
      reason: `native run with ${wanted.join(" ")} failed: ${native.fault}`,
    };
  }
  const expected = { stdout: native.stdout, status: native.status };
  return { ok: true, guestCase: { ...base, args: wanted, expected, expectedSource: "native run now" } };
}

/** Every benchmark program at -O2, `gpr` and `sse`, in catalog order. */
export function setupCases(nativeReason: string | undefined): CaseSetup[] {
  const setups: CaseSetup[] = [];
  for (const program of GUEST_PROGRAMS.filter((candidate) => candidate.benchmark)) {
    for (const isa of program.isas ?? GUEST_ISAS) {
      const name = `${program.name}-${BENCH_OPTIMIZATION}-${isa}`;
      const binary = findGuestBinary(name);
      if (!binary) setups.push({ ok: false, name, reason: "not in the guest catalog" });
      else setups.push(setupCase(binary, nativeReason));
    }
  }
  return setups;
}

/** The spawn-overhead probe: a guest that does almost nothing, and what it prints. */
export interface OverheadProbe {
  /** `<binary> <args>`, for result names and notes. */
  readonly name: string;
  readonly path: string;
  readonly args: readonly string[];
  /** Output of its native run, confirmed identical under the emulator. */
  readonly expected: ExpectedOutput;
  /** Guest instructions it retires (emulated), to show it is trivial. */
  readonly instructions: number;
}

/** argv[1] of the probe: zero sieve iterations, about 1200 instructions (exit, a few `write`s). */
const PROBE_ARGS = ["0"] as const;

/**
 * `sieve-O2-gpr 0`: no recorded output exists for these arguments, so the
 * probe's native output is taken as the expectation only if the emulated
 * run prints the same bytes and both exit 0 (a differential check).
 */
export function overheadProbe(): { probe: OverheadProbe } | { reason: string } {
  const binary = findGuestBinary(`sieve-${BENCH_OPTIMIZATION}-gpr`);
  if (!binary) return { reason: "sieve-O2-gpr is not in the guest catalog" };
  const native = runNative(binary.path, PROBE_ARGS);
  if (native.fault || native.status !== 0)
    return { reason: `probe native run failed: ${native.fault || native.status}` };
  const expected = { stdout: native.stdout, status: 0 };
  const emulated = runEmulated(readGuestBinary(binary), binary.name, PROBE_ARGS);
  const verdict = checkOutcome(emulated, expected);
  if (!verdict.ok) return { reason: `probe differs emulated vs native: ${verdict.reason}` };
  const name = `${binary.name}-${PROBE_ARGS.join("-")}`;
  return {
    probe: { name, path: binary.path, args: PROBE_ARGS, expected, instructions: emulated.instructions },
  };
}
