/**
 * Real x86-64 guests through the whole path: SYSCALL on the emulated CPU,
 * the installed entry, the jump table, compiled validation, the tracer.
 * Native Linux is the oracle: the same binaries run natively (when this host
 * is x86-64 Linux) must print the same and exit the same, and strace's lines
 * for strace-sample are committed (and re-recorded live when strace exists).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectedOutput, runRoundTrip } from "../bench/roundtrip-guest";
import { SyscallTracer } from "../src";
import { GuestKernel, guestPath } from "./guest-kernel";

const NATIVE = process.platform === "linux" && process.arch === "x64";
const STRACE = "/usr/bin/strace";
const expectedTrace = readFileSync(join(__dirname, "../guest/expected/strace-sample.strace"), "latin1")
  .trimEnd()
  .split("\n");

/** Runs a committed guest natively with stdout captured in a pipe (a bad pointer must fault, as on /dev/null it would not). */
function runNative(name: string, args: readonly string[]) {
  const result = spawnSync(guestPath(name), args, { input: "", encoding: "latin1" });
  return { stdout: result.stdout, status: result.status };
}

describe("getpid-loop", () => {
  // Well above the CPU's compile threshold (16384 executions), so most calls run in a block.
  const CALLS = 100_000;
  it.each([
    ["compiled blocks, SYSCALL inside them", { compileBlocks: true, syscallsInBlocks: true }],
    ["compiled blocks, SYSCALL leaves the block", { compileBlocks: true, syscallsInBlocks: false }],
    ["interpreter only", { compileBlocks: false, syscallsInBlocks: false }],
  ])("%s: prints its line and exits 0", (_name, mode) => {
    const run = runRoundTrip({ calls: CALLS, ...mode });
    expect(run.stdout).toBe(expectedOutput(CALLS));
    expect(run.exitStatus).toBe(0);
    expect(run.syscalls).toBeGreaterThanOrEqual(CALLS);
    if (mode.compileBlocks && mode.syscallsInBlocks) expect(run.syscallsInBlock).toBeGreaterThan(CALLS / 2);
    else expect(run.syscallsInBlock).toBe(0);
  });

  it.runIf(NATIVE)("natively prints the same and exits the same", () => {
    const native = runNative("getpid-loop", [String(CALLS)]);
    const here = runRoundTrip({ calls: CALLS });
    expect(here.stdout).toBe(native.stdout);
    expect(here.exitStatus).toBe(native.status);
  });
});

describe("strace-sample", () => {
  function traced() {
    const lines: string[] = [];
    const kernel = new GuestKernel();
    kernel.dispatcher.tracer = new SyscallTracer({ sink: (line) => lines.push(line) });
    kernel.load("strace-sample");
    kernel.machine.run();
    return { kernel, lines };
  }

  it("traces every call exactly as strace 6.1 printed it natively", () => {
    expect(traced().lines).toEqual(expectedTrace);
  });

  it.runIf(NATIVE)("prints the same and exits the same as natively", () => {
    const native = runNative("strace-sample", []);
    const { kernel } = traced();
    expect(kernel.stdout).toBe(native.stdout);
    expect(kernel.exitStatus).toBe(native.status);
    expect(kernel.exitStatus).toBe(3);
  });

  it.runIf(NATIVE && existsSync(STRACE))("the committed strace lines match a live strace run", () => {
    const out = join(mkdtempSync(join(tmpdir(), "tsos-strace-")), "trace");
    const result = spawnSync(STRACE, ["-o", out, guestPath("strace-sample")], {
      input: "",
      encoding: "latin1",
    });
    expect(result.status).toBe(3);
    const live = readFileSync(out, "latin1")
      .trimEnd()
      .split("\n")
      .filter((line) => !line.startsWith("execve(") && !line.startsWith("+++"));
    expect(live).toEqual(expectedTrace);
  });
});
