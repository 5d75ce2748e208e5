import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bench } from "./bench";
import {
  appendBenchHistory,
  loadBaseline,
  readBenchHistory,
  saveBaseline,
  writeBenchResults,
} from "./bench-files";
import { formatBenchTable, reportBenchResults } from "./bench-report";
import type { CounterClock } from "./bench-result";
import { compare } from "./compare";
import { detectRegressions, judgeComparison } from "./regression";
import { createRandom } from "./statistics";

/** A virtual clock and an operation whose cost is `base × factor` cycles plus seeded jitter of ±5%. */
function syntheticCost(seed: number) {
  let cycles = 0;
  const random = createRandom(seed);
  const clock: CounterClock = { unit: "cycles/op", read: () => cycles };
  const operation = (factor: number) => () => {
    cycles += Math.round(1000 * factor * (0.95 + random() * 0.1));
  };
  return { clock, operation };
}

const quick = { iterations: 40, minTime: 0, warmupIterations: 2, warmupTime: 0 } as const;

describe("bench", () => {
  it("measures a known cost on a counter clock", () => {
    let cycles = 0;
    const clock: CounterClock = { unit: "cycles/op", read: () => cycles };
    const result = bench(
      "known/seven",
      () => {
        cycles += 7;
      },
      { ...quick, clock, batch: 10 },
    );
    expect(result).toMatchObject({
      name: "known/seven",
      unit: "cycles/op",
      clock: "virtual",
      median: 7,
      min: 7,
    });
    expect(result.max).toBe(7);
    expect(result.samples).toBeGreaterThanOrEqual(40);
    expect(result.values).toHaveLength(result.samples);
  });

  it("calls the operation batch times per sample with running indexes", () => {
    const seen: number[] = [];
    const result = bench("count/calls", (index) => void seen.push(index), {
      batch: 5,
      iterations: 10,
      minTime: 0,
      warmupIterations: 0,
    });
    expect(seen.length).toBe(result.samples * 5);
    expect(seen.every((value, index) => value === index)).toBe(true);
    expect(result.clock).toBe("host");
    expect(result.unit).toBe("ns/op");
    expect(result.min).toBeGreaterThanOrEqual(0);
  });

  it("reports host rates with a higher-is-better direction", () => {
    const result = bench("rate/noop", () => {}, { batch: 100, iterations: 10, minTime: 0, unit: "MIPS" });
    expect(result.unit).toBe("MIPS");
    expect(result.better).toBe("higher");
  });

  it("rejects a batch below 1", () => {
    expect(() => bench("bad/batch", () => {}, { batch: 0 })).toThrow(RangeError);
  });
});

describe("compare", () => {
  it("interleaves variants round-robin with a rotating start", () => {
    const order: string[] = [];
    compare(
      "order",
      ["a", "b", "c"].map((name) => ({ name, operation: () => void order.push(name) })),
      { iterations: 3, minTime: 0, warmupIterations: 0 },
    );
    expect(order.join("")).toBe("abcbcacab");
  });

  it("detects a 2× slower variant as a regression and a 1.02× one not", () => {
    const { clock, operation } = syntheticCost(11);
    const results = compare(
      "synthetic",
      [
        { name: "base", operation: operation(1) },
        { name: "slow", operation: operation(2) },
        { name: "slightly", operation: operation(1.02) },
      ],
      { ...quick, clock, batch: 4 },
    );
    const [base, slow, slightly] = results;
    expect(base!.vs).toBeUndefined();
    expect(slow!.vs!.name).toBe("synthetic/base");
    expect(slow!.vs!.ratio).toBeGreaterThan(1.9);
    expect(slow!.vs!.low).toBeLessThanOrEqual(slow!.vs!.ratio);
    expect(judgeComparison(slow!)).toBe("regression");
    expect(judgeComparison(slightly!)).toBe("unchanged");
    expect(judgeComparison(base!)).toBeUndefined();
  });

  it("is deterministic on a counter clock with a fixed seed", () => {
    const run = () => {
      const { clock, operation } = syntheticCost(5);
      return compare(
        "det",
        [
          { name: "a", operation: operation(1) },
          { name: "b", operation: operation(1.5) },
        ],
        { ...quick, clock, seed: 9 },
      )[1]!.vs;
    };
    expect(run()).toEqual(run());
  });

  it("rejects fewer than two variants and an unknown reference", () => {
    expect(() => compare("x", [{ name: "a", operation: () => {} }])).toThrow(RangeError);
    const two = [
      { name: "a", operation: () => {} },
      { name: "b", operation: () => {} },
    ];
    expect(() => compare("x", two, { reference: "zz" })).toThrow(RangeError);
  });
});

describe("baselines and regressions", () => {
  const measure = (seed: number, factor: number) => {
    const { clock, operation } = syntheticCost(seed);
    return bench("synthetic/op", operation(factor), { ...quick, clock });
  };

  it("flags a 2× slowdown against a stored baseline, not a 1.02× one, and an improvement", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsos-bench-"));
    const path = join(dir, "baseline.json");
    saveBaseline(path, [measure(1, 1)]);
    const loaded = loadBaseline(path);
    if (!loaded.ok) throw new Error(loaded.reason);
    const baseline = loaded.baseline.results;
    expect(detectRegressions([measure(2, 2)], baseline)[0]!.verdict).toBe("regression");
    expect(detectRegressions([measure(3, 1.02)], baseline)[0]!.verdict).toBe("unchanged");
    expect(detectRegressions([measure(4, 0.5)], baseline)[0]!.verdict).toBe("improvement");
  });

  it("reports new and missing benchmarks", () => {
    const findings = detectRegressions([{ ...measure(1, 1), name: "other/op" }], [measure(1, 1)]);
    expect(findings.map((finding) => finding.verdict).sort()).toEqual(["missing", "new"]);
  });

  it("loads a missing baseline as a value", () => {
    expect(loadBaseline("/nonexistent/baseline.json")).toMatchObject({ ok: false });
  });
});

describe("files and reports", () => {
  it("writes bench-results.json in the documented format and a Markdown table", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsos-bench-"));
    let cycles = 0;
    const clock: CounterClock = { unit: "cycles/op", read: () => cycles };
    const results = compare(
      "fmt",
      [
        {
          name: "one",
          operation: () => {
            cycles += 1;
          },
        },
        {
          name: "two",
          operation: () => {
            cycles += 2;
          },
        },
      ],
      { ...quick, clock },
    );
    const path = writeBenchResults(dir, results);
    const file = JSON.parse(readFileSync(path, "utf8"));
    expect(Object.keys(file)).toEqual(["date", "host", "results"]);
    expect(file.host).toMatchObject({ cores: expect.any(Number), node: process.version });
    expect(file.results[1]).toMatchObject({
      name: "fmt/two",
      unit: "cycles/op",
      clock: "virtual",
      median: 2,
    });
    expect(file.results[1].vs).toMatchObject({ name: "fmt/one", ratio: 2 });
    expect(file.results[0].values).toBeUndefined();
    const table = formatBenchTable(results);
    expect(table.split("\n")).toHaveLength(4);
    expect(table).toContain("| fmt/two | virtual | cycles/op | 2 |");
    expect(table).toContain("2.00× one (2.00–2.00)");
  });

  it("appends JSONL history and compares against a baseline in reportBenchResults", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsos-bench-"));
    const history = join(dir, "history", "bench.jsonl");
    const lines: string[] = [];
    let count = 0;
    const counter: CounterClock = { unit: "n/op", read: () => count };
    const first = [
      bench(
        "h/op",
        () => {
          count += 10;
        },
        { ...quick, clock: counter },
      ),
    ];
    appendBenchHistory(history, first);
    const report = reportBenchResults(dir, first, {
      saveBaseline: true,
      historyPath: history,
      log: (line) => lines.push(line),
    });
    expect(report.findings).toEqual([]);
    expect(readBenchHistory(history)).toHaveLength(2);
    const second = reportBenchResults(dir, first, { log: (line) => lines.push(line) });
    expect(second.findings[0]!.verdict).toBe("unchanged");
    expect(lines.join("\n")).toContain("Against baseline");
    const slower = [{ ...first[0]!, values: first[0]!.values.map((value) => value * 2), median: 20 }];
    const third = reportBenchResults(dir, slower, { log: (line) => lines.push(line) });
    expect(third.regressions).toBe(1);
    expect(lines.at(-1)).toContain("**regression**");
  });
});
