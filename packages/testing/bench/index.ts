/**
 * `pnpm bench` for @tsos/testing: the cost of the harness's own hot-path
 * tools, so other packages know what instrumenting a hot path costs.
 * - sample-recorder: SampleRecorder.record vs a plain Array push and vs
 *   hdr-histogram-js recordValue (host clock, interleaved comparison);
 * - virtual: a synthetic counter-clock comparison (exact and repeatable,
 *   shows the virtual-clock path end to end).
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import * as hdr from "hdr-histogram-js";
import { bench, type CounterClock, compare, reportBenchResults, SampleRecorder } from "../src/index";

const BATCH = 1000;
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

const recorder = new SampleRecorder(4096);
let plain: number[] = [];
const histogram = hdr.build({ numberOfSignificantValueDigits: 3 });

const recorderResults = compare(
  "sample-recorder",
  [
    {
      name: "array-push",
      operation: (index) => {
        if (plain.length >= 4096) plain = [];
        plain.push(index & 1023);
      },
    },
    { name: "record", operation: (index) => recorder.record(index & 1023) },
    { name: "hdr-record", operation: (index) => histogram.recordValue(index & 1023) },
  ],
  { batch: BATCH, iterations: 60, minTime: 400 },
);

const snapshotResult = bench("sample-recorder/snapshot-4096", () => void recorder.snapshot(), {
  iterations: 30,
  minTime: 200,
});

// A virtual clock: each operation "costs" a known number of cycles.
let cycles = 0;
const virtualClock: CounterClock = { unit: "cycles/op", read: () => cycles };
const virtualResults = compare(
  "virtual",
  [
    {
      name: "100-cycles",
      operation: () => {
        cycles += 100;
      },
    },
    {
      name: "200-cycles",
      operation: () => {
        cycles += 200;
      },
    },
  ],
  { clock: virtualClock, batch: 10, iterations: 30, minTime: 0, warmupIterations: 0 },
);

const report = reportBenchResults(packageDir, [...recorderResults, snapshotResult, ...virtualResults]);
if (report.regressions > 0) process.exitCode = 1;
