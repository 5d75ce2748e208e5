/**
 * `pnpm bench` for the whole machine (apps/machine): the kernel booted on
 * the emulated machine, measured with the host clock (DESIGN §5), medians
 * of interleaved rounds, each figure beside the same program run natively
 * in the same round.
 *
 * Per-operation costs come from two runs of one guest that differ only in
 * its iteration count (N and 2N): (time(2N) − time(N)) / N cancels boot,
 * process start-up and exit, for the emulator and for the native run
 * alike (native: process spawn cancels the same way).
 *
 * - `syscall/getpid-roundtrip` (ns/op): bench-getpid — SYSCALL, the kernel's
 *   entry, the dispatcher, the handler, the scheduler check on the way
 *   out, SYSRET. Goal ≤ 150 ns. `native/getpid` and the ratio.
 * - `context-switch/yield-pingpong` (ns/op, per switch): bench-yield on one
 *   CPU — two processes calling sched_yield in turn: each call is a
 *   process switch (registers, CR3). Goal ≤ 500 ns (Linux ~1–2.4 µs).
 * - `process/fork-exit-wait` (ns/op): bench-fork — fork (COW copy of the
 *   address space), the child's exit, the parent's wait4.
 * - `process/exec` (ns/op): bench-exec — execve of a static binary (load,
 *   initial stack, the old image released).
 * - `signal/deliver-return` (ns/op): bench-signal — kill(2) to itself, the
 *   rt_sigframe pushed, the handler, rt_sigreturn.
 * - `pipe/throughput` (MB/s, higher is better): bench-pipe on two CPUs —
 *   4 KiB writes into a pipe, a child reading them; native unpinned too.
 * - `futex/wake-wait-pingpong` (ns/op, per round trip): bench-futex on two
 *   CPUs — two threads handing a futex word back and forth with
 *   FUTEX_WAIT/FUTEX_WAKE; native unpinned (one thread per CPU).
 * - `boot/to-init` (ms, host): machine construction to the first guest
 *   instruction of /init (boot log off), and `boot/virtual-to-init` (ms,
 *   virtual: calibration and the wait for the APs).
 *
 * Run as one esbuild bundle (bench/run.mjs), as the shipped CLI is: the
 * same code under tsx's per-module transform measured ~1.5× slower here.
 *
 * Environment: TSOS_BENCH_ROUNDS (default 7).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type BenchResult, ratioResult, reportBenchResults, summarize } from "@tsos/testing";
import { runProgram } from "../src/run";

// Run from the package folder (pnpm bench), as a bundle (bench/run.mjs): paths come from the working directory.
const packageDir = process.cwd();
const guestBin = resolve(packageDir, "../../packages/kernel/guest/bin");
const kernelGuestPath = (name: string) => join(guestBin, name);
const readKernelGuest = (name: string) => new Uint8Array(readFileSync(kernelGuestPath(name)));
const ROUNDS = Number(process.env.TSOS_BENCH_ROUNDS ?? 7);
const nativeHost = process.platform === "linux" && process.arch === "x64";

interface Case {
  readonly name: string;
  readonly guest: string;
  readonly count: number;
  /** Operations per iteration (bench-yield: two switches per round trip). */
  readonly perIteration: number;
  readonly cpus: number;
  /** Bytes moved per operation: the figure is then MB/s (higher is better) instead of ns/op. */
  readonly bytesPerOp?: number;
  /** The native runs use `count × nativeScale` iterations (a pipe moves 80 MB natively in the noise of a process spawn). */
  readonly nativeScale?: number;
}

const CASES: Case[] = [
  { name: "syscall/getpid-roundtrip", guest: "bench-getpid", count: 1_000_000, perIteration: 1, cpus: 1 },
  { name: "context-switch/yield-pingpong", guest: "bench-yield", count: 200_000, perIteration: 2, cpus: 1 },
  { name: "process/fork-exit-wait", guest: "bench-fork", count: 2000, perIteration: 1, cpus: 1 },
  { name: "process/exec", guest: "bench-exec", count: 3000, perIteration: 1, cpus: 1 },
  {
    name: "signal/deliver-return",
    guest: "bench-signal",
    count: 100_000,
    perIteration: 1,
    cpus: 1,
    nativeScale: 4,
  },
  {
    name: "pipe/throughput",
    guest: "bench-pipe",
    count: 20_000,
    perIteration: 1,
    cpus: 2,
    bytesPerOp: 4096,
    nativeScale: 25,
  },
  {
    name: "futex/wake-wait-pingpong",
    guest: "bench-futex",
    count: 50_000,
    perIteration: 1,
    cpus: 2,
    nativeScale: 4,
  },
];
const NATIVE_NAMES: Record<string, string> = {
  "syscall/getpid-roundtrip": "native/getpid",
  "context-switch/yield-pingpong": "native/yield-pingpong",
  "process/fork-exit-wait": "native/fork-exit-wait",
  "process/exec": "native/exec",
  "signal/deliver-return": "native/signal-deliver-return",
  "pipe/throughput": "native/pipe-throughput",
  "futex/wake-wait-pingpong": "native/futex-pingpong",
};

/** Host ns of one emulated run of `guest` with `count` iterations; throws if its output is wrong. */
function emulated(guest: string, count: number, cpus: number): number {
  const bytes = readKernelGuest(guest);
  let out = "";
  const started = process.hrtime.bigint();
  const result = runProgram(
    {
      program: { path: `/bin/${guest}`, bytes },
      argv: [`/bin/${guest}`, String(count)],
      envp: [],
      cpus,
      quiet: true,
    },
    { stdout: (chunk) => (out += Buffer.from(chunk).toString("latin1")), stderr: () => {} },
  );
  const elapsed = Number(process.hrtime.bigint() - started);
  if (result.exitCode !== 0 || out !== `${guest} ${count} ok\n`)
    throw new Error(`${guest} ${count}: ${result.message} ${JSON.stringify(out)}`);
  return elapsed;
}

/** Host ns of one native run (pinned to one CPU like a one-CPU emulated case, when taskset exists). */
function native(guest: string, count: number, cpus: number): number {
  const path = kernelGuestPath(guest);
  const started = process.hrtime.bigint();
  const child =
    cpus === 1
      ? spawnSync("taskset", ["-c", "0", path, String(count)], { encoding: "latin1" })
      : spawnSync(path, [String(count)], { encoding: "latin1" });
  const elapsed = Number(process.hrtime.bigint() - started);
  const direct = child.error !== undefined ? spawnSync(path, [String(count)], { encoding: "latin1" }) : child;
  if (direct.status !== 0 || direct.stdout !== `${guest} ${count} ok\n`)
    throw new Error(`native ${guest}: ${direct.stderr}`);
  return elapsed;
}

function record(name: string, values: number[], unit = "ns/op"): BenchResult {
  const better = unit === "MB/s" ? "higher" : "lower";
  return { name, unit, clock: "host", better, opsPerSample: 1, ...summarize(values), values };
}

/** A case's figure from ns per operation: ns/op, or MB/s for a case that moves bytes. */
function figure(entry: Case, nsPerOp: number): number {
  return entry.bytesPerOp === undefined ? nsPerOp : (entry.bytesPerOp / Math.max(nsPerOp, 1e-9)) * 1000;
}

function machineBenchmarks(): BenchResult[] {
  const series = new Map<string, number[]>();
  const add = (name: string, value: number) => {
    const values = series.get(name) ?? [];
    values.push(value);
    series.set(name, values);
  };
  // Warm the JIT once per case before timing.
  for (const entry of CASES) emulated(entry.guest, entry.count, entry.cpus);
  for (let round = 0; round < ROUNDS; round++) {
    const order = CASES.map((_, index) => CASES[(index + round) % CASES.length]!);
    for (const entry of order) {
      const operations = entry.count * entry.perIteration;
      const single = emulated(entry.guest, entry.count, entry.cpus);
      const double = emulated(entry.guest, entry.count * 2, entry.cpus);
      add(entry.name, figure(entry, (double - single) / operations));
      if (nativeHost) {
        const nativeCount = entry.count * (entry.nativeScale ?? 1);
        const nativeSingle = native(entry.guest, nativeCount, entry.cpus);
        const nativeDouble = native(entry.guest, nativeCount * 2, entry.cpus);
        const nativeOperations = nativeCount * entry.perIteration;
        add(
          NATIVE_NAMES[entry.name]!,
          figure(entry, Math.max(0, nativeDouble - nativeSingle) / nativeOperations),
        );
      }
    }
    const boot = bootTimes();
    add("boot/to-init", boot.hostMs);
    add("boot/virtual-to-init", boot.virtualMs);
    console.error(
      `round ${round + 1}/${ROUNDS}: ${[...series].map(([name, values]) => `${name} ${values.at(-1)!.toFixed(1)}`).join(", ")}`,
    );
  }
  const results: BenchResult[] = [];
  for (const entry of CASES) {
    const unit = entry.bytesPerOp === undefined ? "ns/op" : "MB/s";
    const own = record(entry.name, series.get(entry.name)!, unit);
    results.push(own);
    if (nativeHost) {
      const theirs = record(NATIVE_NAMES[entry.name]!, series.get(NATIVE_NAMES[entry.name]!)!, unit);
      results.push(theirs, ratioResult(`${entry.name}-vs-native`, own, theirs, own.better));
    }
  }
  results.push(record("boot/to-init", series.get("boot/to-init")!, "ms"));
  results.push({
    ...record("boot/virtual-to-init", series.get("boot/virtual-to-init")!, "ms"),
    clock: "virtual",
  });
  return results;
}

/** Host and virtual ms from machine construction to init's first instruction (a one-instruction-ish program). */
function bootTimes(): { hostMs: number; virtualMs: number } {
  const bytes = readKernelGuest("hello");
  const started = performance.now();
  const result = runProgram(
    { program: { path: "/bin/hello", bytes }, argv: ["/bin/hello"], envp: [], quiet: true, cpus: 2 },
    { stdout: () => {}, stderr: () => {} },
  );
  if (result.exitCode !== 0) throw new Error(`boot: ${result.message}`);
  void started;
  return { hostMs: result.stats.bootHostMs, virtualMs: result.stats.bootVirtualNs / 1e6 };
}

console.log(
  "@tsos/machine benchmarks: host clock unless marked virtual; the machine may be shared and noisy.\n",
);
reportBenchResults(packageDir, machineBenchmarks());
