/**
 * Runs the committed guest programs (packages/hw-x86/guest/bin) on the CPU
 * under the minimal test kernel and compares stdout and exit status with
 * the recorded native output (guest/expected/*.quick.*), for both the
 * `gpr` builds and the `sse` builds (gcc's default flags: SSE2 integer
 * vectorisation). The default tier runs -O2 builds, the stress tier
 * -O0/-O2/-O3.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TestKernel } from "./cpu-test-kernel";

const GUEST = join(__dirname, "..", "guest");
const QUICK_ARGS: Record<string, string> = {
  arith: "20000",
  control: "200",
  strings: "2",
  syscalls: "1",
  sieve: "1",
  crc32: "2",
  sha256: "4",
  matmul: "2",
};

const programs = Object.keys(QUICK_ARGS);
/** The default tier runs the -O2 builds; the stress tier all three optimisation levels. */
const OPTIMIZATIONS = process.env.TSOS_TIER === "stress" ? ["O0", "O2", "O3"] : ["O2"];

describe.skipIf(!existsSync(join(GUEST, "bin")))("guest programs match native output", () => {
  for (const program of programs) {
    for (const variant of OPTIMIZATIONS.flatMap((optimization) => [
      `${optimization}-gpr`,
      `${optimization}-sse`,
    ])) {
      const name = `${program}-${variant}`;
      const binary = join(GUEST, "bin", name);
      const expectedOut = join(GUEST, "expected", `${name}.quick.out`);
      it.skipIf(!existsSync(binary) || !existsSync(expectedOut))(name, () => {
        const kernel = new TestKernel();
        kernel.load(readFileSync(binary), [name, QUICK_ARGS[program]!]);
        const result = kernel.run(500_000_000);
        expect(result.exception).toBeNull();
        expect(result.stdout).toBe(readFileSync(expectedOut, "latin1"));
        const status = Number(readFileSync(join(GUEST, "expected", `${name}.quick.status`), "utf8").trim());
        expect(result.exitStatus).toBe(status);
      });
    }
  }
});
