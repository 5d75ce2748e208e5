/**
 * `pnpm bench` for @tsos/syscall. Host clock throughout (DESIGN §5); the
 * machine is shared and noisy, so every figure is a median of interleaved
 * rounds and every claim a ratio measured in the same run.
 *
 * Round trip (roundtrip-bench.ts, child processes running bundled builds):
 * - `syscall/getpid-roundtrip` (ns/op): guest getpid loop on the emulated
 *   CPU as configured by default (compiled blocks; a SYSCALL ends its block
 *   and the run loop delivers it) through SYSCALL, the entry, the dispatcher
 *   (statistics on, host time sampled 1 in 64), the compiled validator, the
 *   jump table, the handler and SYSRET; the build as shipped with no tracer
 *   attached — so it is also the "trace off" figure. Goal ≤ 150 ns,
 *   moonshot ≤ 100.
 * - `syscall/getpid-roundtrip-no-trace-hook` (ns/op): the same in a build
 *   with the trace hook compiled out; `syscall/trace-off-vs-no-trace-hook`
 *   (x): their ratio (1.0 = tracing off costs nothing).
 * - `syscall/getpid-roundtrip-in-block` (ns/op): SYSCALL delivered inside
 *   the compiled block, which goes on after it (`syscallsInBlocks: true`),
 *   and `syscall/in-block-vs-default` (x, above 1 = slower than the default).
 * - `syscall/getpid-roundtrip-interpreter` (ns/op): no compiled code.
 * - `native/getpid` (ns/op): the same binary natively, per call, and
 *   `syscall/emulated-vs-native` (x).
 * Dispatch and validation (dispatch-variants.ts, in process).
 *
 * Environment: TSOS_BENCH_ROUNDS (default 9) rounds.
 */
import { fileURLToPath } from "node:url";
import { type BenchResult, ratioResult, reportBenchResults, summarize } from "@tsos/testing";
import { dispatchVariants } from "./dispatch-variants";
import {
  bundleChildren,
  nativePerCall,
  nativeUnsupported,
  type RoundTripVariant,
  runChild,
} from "./roundtrip-bench";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = Number(process.env.TSOS_BENCH_ROUNDS ?? 9);
const CALLS = 1_000_000;

const VARIANTS: RoundTripVariant[] = [
  { name: "getpid-roundtrip", build: "shipped", mode: "blocks", calls: CALLS },
  { name: "getpid-roundtrip-no-trace-hook", build: "no-trace-hook", mode: "blocks", calls: CALLS },
  { name: "getpid-roundtrip-in-block", build: "shipped", mode: "in-block", calls: CALLS },
  { name: "getpid-roundtrip-interpreter", build: "shipped", mode: "interpreter", calls: CALLS / 5 },
];

function record(name: string, values: number[]): BenchResult {
  return {
    name,
    unit: "ns/op",
    clock: "host",
    better: "lower",
    opsPerSample: 1,
    ...summarize(values),
    values,
  };
}

function roundTrips(): BenchResult[] {
  const bundles = bundleChildren(packageDir);
  if ("reason" in bundles) throw new Error(`round-trip benchmark cannot run: ${bundles.reason}`);
  const native = nativeUnsupported();
  const series = new Map<string, number[]>(VARIANTS.map((variant) => [variant.name, []]));
  const nativeValues: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = VARIANTS.map((_, index) => VARIANTS[(index + round) % VARIANTS.length]!);
    for (const variant of order) {
      const value = runChild(bundles[variant.build], variant, 2, 3);
      if (typeof value === "string") throw new Error(`${variant.name}: ${value}`);
      series.get(variant.name)!.push(value);
    }
    if (native === undefined) {
      const value = nativePerCall(CALLS);
      if (typeof value === "string") throw new Error(value);
      nativeValues.push(value);
    }
    console.error(
      `round ${round + 1}/${ROUNDS}: ${[...series].map(([name, values]) => `${name} ${values.at(-1)!.toFixed(1)}`).join(", ")}${nativeValues.length > 0 ? `, native ${nativeValues.at(-1)!.toFixed(1)}` : ""} ns/call`,
    );
  }
  const results = VARIANTS.map((variant) => record(`syscall/${variant.name}`, series.get(variant.name)!));
  const [shipped, noHook, inBlock] = results as [BenchResult, BenchResult, BenchResult];
  results.push(ratioResult("syscall/trace-off-vs-no-trace-hook", shipped, noHook, "lower"));
  results.push(ratioResult("syscall/in-block-vs-default", inBlock, shipped, "lower"));
  if (native === undefined) {
    const nativeResult = record("native/getpid", nativeValues);
    results.push(nativeResult, ratioResult("syscall/emulated-vs-native", shipped, nativeResult, "lower"));
  } else {
    console.log(`native/getpid skipped: ${native}`);
  }
  return results;
}

console.log("@tsos/syscall benchmarks: host clock; the machine may be shared and noisy.\n");
const results = [...roundTrips(), ...dispatchVariants()];
reportBenchResults(packageDir, results);
