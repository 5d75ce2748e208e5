/**
 * The random x87/SSE differential (guest fpfuzz, see its source) beyond the
 * 10,000 recorded cases the guest catalog runs: other seeds, compared with
 * the same binary run natively right now. Default tier: 2 × 2,000 cases;
 * stress tier (TSOS_TIER=stress): 100 × 10,000 = 1,000,000 cases. Needs an
 * x86-64 Linux host for the native side (skipped elsewhere; the recorded
 * catalog run still covers those hosts).
 */
import { spawnSync } from "node:child_process";
import { stressSize } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { kernelGuestPath, readKernelGuest } from "../../../packages/kernel/guest/catalog";
import { runProgram } from "../src/run";

const nativeHost = process.platform === "linux" && process.arch === "x64";
const seeds = stressSize({ short: 2, long: 100 });
const cases = stressSize({ short: 2_000, long: 10_000 });

function emulated(args: readonly string[]): string {
  const out: Uint8Array[] = [];
  const result = runProgram(
    {
      program: { path: "/bin/fpfuzz", bytes: readKernelGuest("fpfuzz") },
      argv: ["/bin/fpfuzz", ...args],
      envp: [],
      quiet: true,
    },
    { stdout: (bytes) => out.push(bytes), stderr: () => {} },
  );
  expect(result.exitCode).toBe(0);
  return Buffer.concat(out).toString("latin1");
}

describe("random x87/SSE sequences against the host CPU", () => {
  it.skipIf(!nativeHost)(
    `${seeds} seeds × ${cases} cases hash the same as natively`,
    { timeout: 3_600_000 },
    () => {
      for (let seed = 2; seed < 2 + seeds; seed++) {
        const args = [String(seed), String(cases)];
        const native = spawnSync(kernelGuestPath("fpfuzz"), args, { encoding: "latin1", env: {} });
        expect(native.status).toBe(0);
        const got = emulated(args);
        // The first differing line names the group of 10 cases to trace: `fpfuzz <seed> <cases> <from> <case>`.
        const nativeLines = native.stdout.split("\n");
        const gotLines = got.split("\n");
        const first = nativeLines.findIndex((line, index) => line !== gotLines[index]);
        expect({ seed, firstDifference: first < 0 ? null : nativeLines[first] }).toEqual({
          seed,
          firstDifference: null,
        });
      }
    },
  );
});
