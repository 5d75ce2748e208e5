/**
 * One run of a guest binary, emulated or native, timed on the host clock,
 * and the check of its result against the native oracle (DESIGN §4).
 *
 * Invariants:
 * - The emulated timing covers `TestKernel.run` only: building the machine
 *   (a 64 MiB RAM buffer) and loading the ELF happen before the clock starts.
 * - The native timing is the wall-clock of one `spawnSync`, process start
 *   and exit included; nothing is subtracted here (the caller measures the
 *   spawn overhead separately and says which figure is which).
 * - A run whose stdout or exit status differs from the expectation, or that
 *   stopped on a CPU exception, is `ok: false` with the reason; callers must
 *   never derive a speed figure from it.
 */
import { spawnSync } from "node:child_process";
import { TestKernel } from "../test/cpu-test-kernel";

/** Instruction budget of one emulated run; a run that needs more is reported as failed. */
export const EMULATED_BUDGET = 4_000_000_000;

/** The observable result of one guest run (emulated or native). */
export interface GuestOutcome {
  /** Every byte written to fd 1, as latin1 text (one char per byte). */
  readonly stdout: string;
  /** Exit status 0–255, or null when the program did not exit. */
  readonly status: number | null;
  /** Why the run stopped when it did not exit normally (exception, signal, budget); empty otherwise. */
  readonly fault: string;
  /** Host wall-clock seconds of the run. */
  readonly seconds: number;
}

/** An emulated run: the outcome plus the virtual clock (retired guest instructions). */
export interface EmulatedOutcome extends GuestOutcome {
  /** Guest instructions retired by the run (exact, deterministic). */
  readonly instructions: number;
}

/** Expected stdout (latin1 text) and exit status of a run. */
export interface ExpectedOutput {
  readonly stdout: string;
  readonly status: number;
}

/** Whether an outcome matches, and if not, why. */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const NANOSECONDS_PER_SECOND = 1e9;

function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / NANOSECONDS_PER_SECOND;
}

/** Runs `elf` with argv `[name, ...args]` on the emulated CPU under the test kernel. */
/** How the emulated CPU runs guest code: compiled blocks (the default machine) or the interpreter alone. */
export type EmulationMode = "blocks" | "interpreter";

export function runEmulated(
  elf: Uint8Array,
  name: string,
  args: readonly string[],
  mode: EmulationMode = "blocks",
  blockThreshold?: number,
): EmulatedOutcome {
  const kernel = new TestKernel({ compileBlocks: mode === "blocks", blockThreshold });
  kernel.load(elf, [name, ...args]);
  const start = process.hrtime.bigint();
  const result = kernel.run(EMULATED_BUDGET);
  const seconds = secondsSince(start);
  let fault = "";
  if (result.exception) {
    const { vector, errorCode, rip } = result.exception;
    fault = `CPU exception vector ${vector} error ${errorCode} at rip 0x${rip.toString(16)}`;
  } else if (result.exitStatus === null) {
    fault = `stopped without exiting (stop reason ${result.stop})`;
  }
  return {
    stdout: result.stdout,
    status: result.exitStatus,
    fault,
    seconds,
    instructions: result.instructions,
  };
}

/** Why native runs cannot happen on this host, or undefined when they can (x86-64 Linux). */
export function nativeUnsupportedReason(): string | undefined {
  if (process.platform !== "linux" || process.arch !== "x64") {
    return `host is ${process.platform}/${process.arch}, the guests are static x86-64 Linux binaries`;
  }
  return undefined;
}

/** Runs the binary at `path` natively with `args`, timing the whole spawn. */
export function runNative(path: string, args: readonly string[]): GuestOutcome {
  const start = process.hrtime.bigint();
  const child = spawnSync(path, args, { stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 24 });
  const seconds = secondsSince(start);
  const stdout = child.stdout ? child.stdout.toString("latin1") : "";
  let fault = "";
  if (child.error) fault = `spawn failed: ${child.error.message}`;
  else if (child.signal) fault = `killed by ${child.signal}`;
  return { stdout, status: child.status, fault, seconds };
}

/** Compares an outcome with the expectation; the reason names the first difference. */
export function checkOutcome(outcome: GuestOutcome, expected: ExpectedOutput): Verdict {
  if (outcome.fault) return { ok: false, reason: outcome.fault };
  if (outcome.status !== expected.status) {
    return { ok: false, reason: `exit status ${outcome.status}, expected ${expected.status}` };
  }
  if (outcome.stdout !== expected.stdout) {
    let at = 0;
    while (at < outcome.stdout.length && outcome.stdout[at] === expected.stdout[at]) at++;
    const got = JSON.stringify(outcome.stdout.slice(at, at + 40));
    const want = JSON.stringify(expected.stdout.slice(at, at + 40));
    return { ok: false, reason: `stdout differs at byte ${at}: got ${got}, expected ${want}` };
  }
  return { ok: true };
}
