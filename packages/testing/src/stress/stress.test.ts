import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runStress } from "./run-stress";
import { runStressWorkers } from "./run-stress-workers";
import { formatStressReport, stressResultJson } from "./stress-result";

/** A fake nanosecond clock that operations advance by a known amount. */
function fakeClock() {
  let nanoseconds = 0;
  return {
    now: () => nanoseconds,
    spend: (ns: number) => {
      nanoseconds += ns;
    },
  };
}

describe("runStress", () => {
  it("reports a known latency distribution and throughput exactly", async () => {
    const clock = fakeClock();
    // Operation i takes ((i mod 100) + 1) µs: latencies uniform over 1..100 µs.
    const result = await runStress("known", (index) => clock.spend(((index % 100) + 1) * 1000), {
      operations: 10_000,
      durationMs: 1e9,
      now: clock.now,
    });
    expect(result.operations).toBe(10_000);
    expect(result.stoppedBy).toBe("count");
    expect(result.latency.min).toBe(1000);
    expect(result.latency.p50 / 50_000).toBeCloseTo(1, 2);
    expect(result.latency.p90 / 90_000).toBeCloseTo(1, 2);
    expect(result.latency.p99 / 99_000).toBeCloseTo(1, 2);
    expect(result.latency.max / 100_000).toBeCloseTo(1, 2);
    // 10 000 ops × 50.5 µs mean = 0.505 s.
    expect(result.durationMs).toBe(505);
    expect(result.throughput).toBeCloseTo(10_000 / 0.505, 6);
  });

  it("stops on the time bound and counts errors without stopping", async () => {
    const clock = fakeClock();
    const result = await runStress(
      "errors",
      (index) => {
        clock.spend(1e6); // 1 ms each
        if (index % 4 === 0) throw new Error("every fourth fails");
      },
      { operations: 1e9, durationMs: 100, now: clock.now },
    );
    expect(result.stoppedBy).toBe("time");
    expect(result.operations).toBe(100);
    expect(result.errors).toBe(25);
    expect(result.errorRate).toBe(0.25);
    expect(result.sampleErrors).toEqual(["Error: every fourth fails"]);
  });

  it("interleaves lanes with async operations and tracks user gauges", async () => {
    let inFlight = 0;
    let peak = 0;
    let freeFrames = 100;
    const result = await runStress(
      "lanes",
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        freeFrames--;
        await new Promise((done) => setImmediate(done));
        freeFrames++;
        inFlight--;
      },
      { operations: 200, concurrency: 8, gauges: { freeFrames: () => freeFrames }, sampleEvery: 1 },
    );
    expect(peak).toBe(8);
    expect(result.operations).toBe(200);
    expect(result.gauges.freeFrames).toMatchObject({ start: 100, end: 100 });
    expect(result.gauges.freeFrames!.min).toBeLessThan(100);
    expect(result.resources.heapUsed.max).toBeGreaterThan(0);
    expect(JSON.parse(stressResultJson(result)).name).toBe("lanes");
    expect(formatStressReport(result)).toContain("| freeFrames | 100 | 100 |");
  });
});

describe("runStressWorkers", () => {
  it("runs a module's operation in worker threads over shared memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsos-stress-"));
    const modulePath = join(dir, "counter.mjs");
    writeFileSync(
      modulePath,
      `export function operation(index, worker, shared) {
        const counters = new Int32Array(shared);
        Atomics.add(counters, 0, 1);
        Atomics.add(counters, 1 + worker, 1);
        if (index === 7) throw new Error("seven");
      }\n`,
    );
    const shared = new SharedArrayBuffer(16);
    const counters = new Int32Array(shared);
    const result = await runStressWorkers("atomic-counter", {
      modulePath,
      workers: 2,
      operations: 1001,
      durationMs: 60_000,
      shared,
      gauges: { total: () => Atomics.load(counters, 0) },
    });
    expect(result.mode).toBe("workers");
    expect(result.operations).toBe(1001);
    expect(Atomics.load(counters, 0)).toBe(1001);
    expect([Atomics.load(counters, 1), Atomics.load(counters, 2)]).toEqual([501, 500]);
    expect(result.errors).toBe(1);
    expect(result.gauges.total).toMatchObject({ start: 0, end: 1001 });
    expect(result.latency.count).toBe(1001);
  });

  it("loads a TypeScript operation module through tsx", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsos-stress-"));
    const modulePath = join(dir, "typed.ts");
    writeFileSync(
      modulePath,
      "export const work = (index: number): number => { if (index % 10 === 0) throw new RangeError('ten'); return index; };\n",
    );
    const result = await runStressWorkers("typed", {
      modulePath,
      exportName: "work",
      workers: 1,
      operations: 50,
      typescript: true,
    });
    expect([result.operations, result.errors, result.sampleErrors]).toEqual([50, 5, ["RangeError: ten"]]);
    expect(result.throughput).toBeGreaterThan(0);
  });

  it("rejects when the module does not export the operation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsos-stress-"));
    const modulePath = join(dir, "empty.mjs");
    writeFileSync(modulePath, "export const nothing = 1;\n");
    await expect(runStressWorkers("bad", { modulePath, workers: 1, operations: 1 })).rejects.toThrow(
      /exports no function/,
    );
  });
});
