/**
 * Child process of the round-trip benchmark: runs getpid-loop `repeats`
 * times after `warmups` untimed runs and prints one JSON line with the
 * ns per call of each timed run. Built as an esbuild bundle by index.ts
 * (twice: as shipped, and with the trace hook compiled out), so the figures
 * are those of built code, not of tsx's transformed modules.
 *
 * argv: <variant: blocks|in-block|interpreter> <calls> <warmups> <repeats>
 * (blocks: compiled blocks as configured by default, SYSCALL ending its
 * block; in-block: SYSCALL delivered inside the block, which goes on)
 */
import { expectedOutput, runRoundTrip } from "./roundtrip-guest";

const [variant = "blocks", callsText = "1000000", warmupsText = "2", repeatsText = "3"] =
  process.argv.slice(2);
const calls = Number(callsText);
const options = {
  calls,
  compileBlocks: variant !== "interpreter",
  syscallsInBlocks: variant === "in-block",
};
const perCall: number[] = [];
let inBlock = 0;
for (let run = 0; run < Number(warmupsText) + Number(repeatsText); run++) {
  const result = runRoundTrip(options);
  if (result.stdout !== expectedOutput(calls) || result.exitStatus !== 0) {
    console.log(
      JSON.stringify({
        ok: false,
        reason: `guest printed ${JSON.stringify(result.stdout)}, exit ${result.exitStatus}`,
      }),
    );
    process.exit(0);
  }
  if (run >= Number(warmupsText)) perCall.push(result.nanoseconds / (calls + 1));
  inBlock = result.syscallsInBlock;
}
console.log(JSON.stringify({ ok: true, variant, perCall, syscallsInBlock: inBlock }));
