/**
 * Threads on the emulated SMP machine, beyond the differential runs in
 * guests.test.ts: two threads of one process really run on two CPUs at
 * the same time (their CPU time is twice the elapsed virtual time, and
 * equal to it on one CPU), and a threaded program racing on two CPUs is
 * still deterministic for a seed.
 */

import type { Kernel } from "@tsos/kernel";
import { describe, expect, it } from "vitest";
import { readKernelGuest } from "../../../packages/kernel/guest/catalog";
import { type RunOptions, runProgram } from "../src/run";

function run(options: RunOptions) {
  const out: Uint8Array[] = [];
  const result = runProgram(options, { stdout: (bytes) => out.push(bytes), stderr: () => {} });
  return { result, stdout: Buffer.concat(out).toString("latin1") };
}

const threads = { path: "/bin/threads", bytes: readKernelGuest("threads") };

/** The guest's CPU time over elapsed time, ×100, for two summing threads. */
function parallelRatio(cpus: number): number {
  const got = run({ program: threads, argv: ["/bin/threads", "parallel"], envp: [], cpus, quiet: true });
  expect(got.result.exitCode).toBe(0);
  const match = /parallel: cpu\/elapsed x100 = (\d+)/.exec(got.stdout);
  expect(match).not.toBeNull();
  return Number(match![1]);
}

describe("threads on two CPUs", () => {
  it("two threads of one process run at the same time on two CPUs, one after another on one", () => {
    expect(parallelRatio(2)).toBeGreaterThanOrEqual(180);
    const single = parallelRatio(1);
    expect(single).toBeGreaterThanOrEqual(90);
    expect(single).toBeLessThanOrEqual(105);
  });

  it("the pthread programs use futexes (waits and wakes counted) and leave no futex queue behind", () => {
    for (const binary of ["threads", "threads-glibc", "futex"]) {
      let kernel: Kernel | null = null;
      const got = runProgram(
        {
          program: { path: `/bin/${binary}`, bytes: readKernelGuest(binary) },
          argv: [`/bin/${binary}`],
          envp: [],
          quiet: true,
          configure: (created) => {
            kernel = created;
          },
        },
        { stdout: () => {}, stderr: () => {} },
      );
      expect(got.outcome).toBe("exited");
      const futexes = (kernel as Kernel | null)!.futexes;
      expect([binary, futexes.waits > 0, futexes.wakes > 0, futexes.queuesInUse]).toEqual([
        binary,
        true,
        true,
        0,
      ]);
    }
  });

  it("a threaded program racing on two CPUs gives the same bytes and virtual figures for a seed", () => {
    const options: RunOptions = {
      program: threads,
      argv: ["/bin/threads"],
      envp: [],
      cpus: 2,
      seed: 3,
      quiet: true,
    };
    const first = run(options);
    const second = run(options);
    expect(first.result.exitCode).toBe(3);
    expect(second.stdout).toBe(first.stdout);
    const { hostMs: _a, bootHostMs: _b, ...virtual } = first.result.stats;
    const { hostMs: _c, bootHostMs: _d, ...again } = second.result.stats;
    expect(again).toEqual(virtual);
  });
});
