/**
 * The kernel's promise, checked against Linux: every committed guest
 * program, run as init on the booted emulated machine, prints the same
 * stdout and stderr bytes and exits with the same status as it did
 * natively (the recorded results in guest/expected), and — on an x86-64
 * Linux host — as it does natively right now. Also: determinism (same
 * seed, same bytes and virtual-time figures, on 1 and 2 CPUs), and no
 * leaked page frames after any program.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  GUEST_PROGRAMS,
  guestBinaries,
  guestRun,
  readGuestBinary,
  readGuestExpected,
} from "../../../packages/hw-x86/guest/catalog";
import {
  KERNEL_GUEST_PROGRAMS,
  kernelGuestPath,
  readKernelGuest,
  readKernelGuestExpected,
} from "../../../packages/kernel/guest/catalog";
import { type RunOptions, type RunResult, runProgram } from "../src/run";

const nativeHost = process.platform === "linux" && process.arch === "x64";

interface Captured {
  readonly result: RunResult;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

function run(options: RunOptions): Captured {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const result = runProgram(options, {
    stdout: (bytes) => out.push(bytes),
    stderr: (bytes) => err.push(bytes),
  });
  return { result, stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

/** Runs a host binary natively with exactly `env` (like `env -i`); status as a shell reports it. */
function runNatively(path: string, args: readonly string[], env: readonly string[]) {
  const environment: Record<string, string> = {};
  for (const entry of env) {
    const at = entry.indexOf("=");
    environment[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const child = spawnSync(path, args, { env: environment, encoding: "buffer", timeout: 60_000 });
  const status = child.status ?? 128 + (child.signal === null ? 0 : signalNumber(child.signal));
  return { stdout: child.stdout, stderr: child.stderr, status };
}

function signalNumber(name: string): number {
  const numbers: Record<string, number> = {
    SIGILL: 4,
    SIGTRAP: 5,
    SIGABRT: 6,
    SIGBUS: 7,
    SIGFPE: 8,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGTERM: 15,
  };
  return numbers[name] ?? 0;
}

describe("kernel guest programs against Linux", () => {
  for (const program of KERNEL_GUEST_PROGRAMS) {
    it(`${program.name}: same stdout, stderr and exit status as recorded natively; every frame comes back`, () => {
      const expected = readKernelGuestExpected(program.name);
      const got = run({
        program: { path: `/bin/${program.binary}`, bytes: readKernelGuest(program.binary) },
        argv: [`/bin/${program.binary}`, ...program.args],
        envp: program.env,
        quiet: true,
      });
      expect(got.result.message).toBe("");
      expect(got.stdout.toString("latin1")).toBe(Buffer.from(expected.stdout).toString("latin1"));
      expect(got.stderr.toString("latin1")).toBe(Buffer.from(expected.stderr).toString("latin1"));
      expect(got.result.exitCode).toBe(expected.status);
      expect(got.result.stats.frameDelta).toBe(0);
      expect(got.result.stats.slabObjects).toBe(0);
    });
  }

  it.skipIf(!nativeHost)("the live oracle: each program run natively now gives what the kernel gives", () => {
    for (const program of KERNEL_GUEST_PROGRAMS.filter((entry) => entry.name !== "musl-malloc")) {
      const native = runNatively(kernelGuestPath(program.binary), program.args, program.env);
      const got = run({
        program: { path: `/bin/${program.binary}`, bytes: readKernelGuest(program.binary) },
        argv: [`/bin/${program.binary}`, ...program.args],
        envp: program.env,
        quiet: true,
      });
      expect([program.name, got.stdout.toString("latin1"), got.result.exitCode]).toEqual([
        program.name,
        native.stdout.toString("latin1"),
        native.status,
      ]);
    }
  });
});

describe("hw-x86 guest programs under the whole kernel", () => {
  // The -O2 builds of every program in their quick sizes: CPU-bound code plus brk, mmap, clocks, nanosleep.
  const binaries = guestBinaries().filter((binary) => binary.optimization === "O2");
  for (const binary of binaries) {
    it(`${binary.name} (quick): same output and status as natively`, () => {
      const runInfo = guestRun(binary, "quick");
      const expected = readGuestExpected(runInfo);
      const got = run({
        program: { path: `/bin/${binary.name}`, bytes: readGuestBinary(binary) },
        argv: [binary.name, ...runInfo.args],
        envp: [],
        quiet: true,
      });
      expect(got.stdout.toString("latin1")).toBe(Buffer.from(expected.stdout).toString("latin1"));
      expect(got.result.exitCode).toBe(expected.status);
      expect(got.result.stats.frameDelta).toBe(0);
      expect(got.result.stats.slabObjects).toBe(0);
    });
  }
  it("covers every program of the catalogue", () => {
    expect(new Set(binaries.map((binary) => binary.program.name))).toEqual(
      new Set(GUEST_PROGRAMS.map((program) => program.name)),
    );
  });
});

describe("determinism", () => {
  for (const cpus of [1, 2]) {
    it(`the same program and seed give identical bytes and virtual figures on ${cpus} CPU(s)`, () => {
      const options: RunOptions = {
        program: { path: "/bin/fork-tree", bytes: readKernelGuest("fork-tree") },
        argv: ["fork-tree"],
        envp: [],
        cpus,
        seed: 7,
      };
      const first = run(options);
      const second = run(options);
      expect(first.result.outcome).toBe("exited");
      expect(second.stdout.equals(first.stdout)).toBe(true);
      const figures = (captured: Captured) => {
        const { hostMs: _host, bootHostMs: _boot, ...virtual } = captured.result.stats;
        return virtual;
      };
      expect(figures(second)).toEqual(figures(first));
      expect(first.result.stats.cpusOnline).toBe(cpus);
    });
  }

  it("the boot log is deterministic too, and --quiet removes exactly it", () => {
    const options: RunOptions = {
      program: { path: "/bin/hello", bytes: readKernelGuest("hello") },
      argv: ["hello"],
      envp: [],
    };
    const loud = run(options).stdout.toString("latin1");
    expect(run(options).stdout.toString("latin1")).toBe(loud);
    expect(loud).toMatch(/^tsos: booting on 2 CPU\(s\)/);
    expect(loud).toContain("smp: 2 CPU(s) online");
    expect(loud.endsWith("hello, world\n")).toBe(true);
    expect(run({ ...options, quiet: true }).stdout.toString("latin1")).toBe("hello, world\n");
  });
});

describe("bad input from the host", () => {
  it("random bytes with an ELF magic are refused (ENOEXEC) before anything runs", () => {
    const bytes = new Uint8Array(4096);
    for (let index = 0; index < bytes.length; index++) bytes[index] = (index * 2654435761) >>> 24;
    bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
    const got = run({ program: { path: "/bin/junk", bytes }, argv: ["junk"], envp: [], quiet: true });
    expect(got.result.outcome).toBe("exec-failed");
    expect(got.result.exitCode).toBe(126);
    expect(got.result.message).toBe("cannot run /bin/junk: error 8");
  });

  it("argv past Linux's limit is E2BIG", () => {
    const huge = "x".repeat(200_000);
    const got = run({
      program: { path: "/bin/hello", bytes: readKernelGuest("hello") },
      argv: ["hello", huge],
      envp: [],
      quiet: true,
    });
    expect(got.result.message).toBe("cannot run /bin/hello: error 7");
  });
});
