import { describe, expect, it } from "vitest";
import {
  createRandom,
  median,
  pairedRatioOfMedians,
  quantile,
  ratioOfMedians,
  summarize,
} from "./statistics";

describe("summarize", () => {
  it("gives the known statistics of 1..100", () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    const summary = summarize(values);
    expect(summary).toMatchObject({ samples: 100, min: 1, max: 100, mean: 50.5, median: 50.5 });
    expect(summary.p90).toBeCloseTo(90.1, 10);
    expect(summary.p99).toBeCloseTo(99.01, 10);
    expect(summary.stddev).toBeCloseTo(Math.sqrt((100 * 101) / 12), 10);
    expect(values[0]).toBe(100); // input not reordered
  });

  it("rejects an empty set", () => {
    expect(() => summarize([])).toThrow(RangeError);
  });

  it("interpolates quantiles and medians", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });
});

describe("createRandom", () => {
  it("is deterministic per seed and uniform-ish", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(median(draws)).toBeGreaterThan(0.4);
    expect(median(draws)).toBeLessThan(0.6);
    expect(createRandom(43)()).not.toBe(createRandom(42)());
  });
});

describe("ratio of medians", () => {
  const random = createRandom(7);
  const base = Array.from({ length: 200 }, () => 100 + random() * 10);
  const doubled = base.map((value) => value * 2);

  it("paired: an exact 2× variant has ratio 2 with a tight interval", () => {
    const estimate = pairedRatioOfMedians(doubled, base);
    expect(estimate.ratio).toBeCloseTo(2, 10);
    expect(estimate.low).toBeCloseTo(2, 10);
    expect(estimate.high).toBeCloseTo(2, 10);
  });

  it("unpaired: the interval contains the true ratio and is reproducible", () => {
    const other = Array.from({ length: 200 }, () => 100 + random() * 10);
    const estimate = ratioOfMedians(other, base, { seed: 3 });
    expect(estimate.low).toBeLessThanOrEqual(1);
    expect(estimate.high).toBeGreaterThanOrEqual(1);
    expect(ratioOfMedians(other, base, { seed: 3 })).toEqual(estimate);
  });
});

describe("quantiles of infinite values", () => {
  it("does not produce NaN between equal infinities", () => {
    expect(median([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
  });
});
