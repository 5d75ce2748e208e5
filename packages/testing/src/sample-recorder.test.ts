import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SampleRecorder } from "./sample-recorder";

describe("SampleRecorder", () => {
  it("keeps the newest samples, oldest first, and counts overwrites", () => {
    const recorder = new SampleRecorder(4);
    for (let value = 1; value <= 6; value++) recorder.record(value);
    expect([...recorder.toArray()]).toEqual([3, 4, 5, 6]);
    expect([recorder.count, recorder.size, recorder.overwritten]).toEqual([6, 4, 2]);
    recorder.reset();
    expect(recorder.toArray()).toHaveLength(0);
  });

  it("snapshots a known distribution into percentiles", () => {
    const recorder = new SampleRecorder(1000);
    for (let value = 1; value <= 1000; value++) recorder.record(value);
    const snapshot = recorder.snapshot();
    expect(snapshot).toMatchObject({ count: 1000, rejected: 0, min: 1, max: 1000 });
    expect(snapshot.p50).toBeCloseTo(500, -1);
    expect(snapshot.p99).toBeCloseTo(990, -1);
    expect(snapshot.mean).toBeCloseTo(500.5, 0);
  });

  it("rejects negative and non-finite samples in snapshots", () => {
    const recorder = new SampleRecorder(8);
    for (const value of [5, -1, Number.NaN, Number.POSITIVE_INFINITY, 7]) recorder.record(value);
    expect(recorder.snapshot()).toMatchObject({ count: 2, rejected: 3, min: 5, max: 7 });
    expect(new SampleRecorder(2).snapshot().count).toBe(0);
    expect(() => new SampleRecorder(0)).toThrow(RangeError);
  });

  it("always holds the last min(n, capacity) values (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.integer({ min: 0, max: 1e6 }), { maxLength: 64 }),
        (capacity, values) => {
          const recorder = new SampleRecorder(capacity);
          for (const value of values) recorder.record(value);
          expect([...recorder.toArray()]).toEqual(values.slice(Math.max(0, values.length - capacity)));
        },
      ),
    );
  });
});
