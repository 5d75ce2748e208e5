import { describe, expect, it } from "vitest";
import type { BenchResult } from "./bench-result";
import { ratioResult } from "./ratio-result";
import { summarize } from "./statistics";

function nsResult(name: string, values: number[]): BenchResult {
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

describe("ratioResult", () => {
  it("divides round by round and reports the ratio of medians against the denominator", () => {
    const slow = nsResult("naive", [20, 22, 18, 40, 20]);
    const fast = nsResult("fast", [10, 11, 9, 10, 10]);
    const result = ratioResult("x/fast-vs-naive", slow, fast);
    expect(result.values).toEqual([2, 2, 2, 4, 2]);
    expect(result.median).toBe(2);
    expect(result).toMatchObject({ unit: "x", clock: "host", better: "higher" });
    expect(result.vs?.name).toBe("fast");
    expect(result.vs?.ratio).toBe(2);
    expect(result.vs!.low).toBeLessThanOrEqual(2);
    expect(result.vs!.high).toBeGreaterThanOrEqual(2);
  });

  it("pairs only the rounds both results have", () => {
    const result = ratioResult("r", nsResult("a", [4, 6, 8]), nsResult("b", [2, 3]));
    expect(result.values).toEqual([2, 2]);
  });

  it("refuses results without samples", () => {
    const empty: BenchResult = { ...nsResult("a", [1]), values: [] };
    expect(() => ratioResult("r", empty, empty)).toThrow(RangeError);
  });
});
