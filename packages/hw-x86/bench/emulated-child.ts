/**
 * Child-process entry of the bundled-vs-tsx measurement (see
 * `bundled-mips.ts`): runs one guest binary on the emulated CPU
 * `warmups + repeats` times and prints ONE JSON line on stdout,
 * `{ "runs": EmulatedOutcome[] }` for the timed repeats only (warm-up runs
 * are not reported). The parent checks every run's output; this file
 * decides nothing.
 *
 * Usage: `<node|tsx> emulated-child(.ts|.mjs) <binary path> <warmups> <repeats> [argv1...]`;
 * TSOS_BENCH_MODE=interpreter runs with block compilation off;
 * TSOS_BLOCK_THRESHOLD sets the compile threshold (for tuning it). This command
 * line is also the contract with a baseline commit's child (baseline.ts).
 *
 * It must not import the guest catalog: the catalog finds the guest folder
 * through `import.meta.url`, which points elsewhere once bundled.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { type EmulatedOutcome, runEmulated } from "./guest-process";

function main(argv: readonly string[]): void {
  const [path, warmupText, repeatText, ...args] = argv;
  const warmups = Number(warmupText);
  const repeats = Number(repeatText);
  if (!path || !Number.isInteger(warmups) || !Number.isInteger(repeats) || repeats < 1) {
    process.stderr.write("usage: emulated-child <binary> <warmups> <repeats> [args...]\n");
    process.exitCode = 2;
    return;
  }
  const elf = new Uint8Array(readFileSync(path));
  const name = basename(path);
  const mode = process.env.TSOS_BENCH_MODE === "interpreter" ? "interpreter" : "blocks";
  const threshold = process.env.TSOS_BLOCK_THRESHOLD ? Number(process.env.TSOS_BLOCK_THRESHOLD) : undefined;
  for (let run = 0; run < warmups; run++) runEmulated(elf, name, args, mode, threshold);
  const runs: EmulatedOutcome[] = [];
  for (let run = 0; run < repeats; run++) runs.push(runEmulated(elf, name, args, mode, threshold));
  process.stdout.write(`${JSON.stringify({ runs })}\n`);
}

main(process.argv.slice(2));
