/**
 * PerCpuCounters: padded vs packed byte layout (where each CPU's counter
 * lives), per-CPU and total counts, unsigned wrap-around, attach and reset.
 */
import { describe, expect, it } from "vitest";
import { CACHE_LINE_BYTES } from "./layout-header";
import { PerCpuCounters } from "./per-cpu-counters";

describe("PerCpuCounters", () => {
  it("pads each CPU's block to whole cache lines, or packs blocks together", () => {
    const padded = PerCpuCounters.create({ cpuCount: 4, counterCount: 3 });
    const packed = PerCpuCounters.create({ cpuCount: 4, counterCount: 3, layout: "packed" });
    expect(padded.stride * 4).toBe(CACHE_LINE_BYTES);
    expect(packed.stride).toBe(3);
    expect(padded.buffer.byteLength).toBe(CACHE_LINE_BYTES * 5);
    expect(packed.buffer.byteLength).toBe(CACHE_LINE_BYTES + 4 * 3 * 4);
    // CPU 1's first counter is at byte 64 + 64 (padded), 64 + 12 (packed).
    padded.increment(1, 0);
    packed.increment(1, 0);
    expect(new Int32Array(padded.buffer)[(2 * CACHE_LINE_BYTES) / 4]).toBe(1);
    expect(new Int32Array(packed.buffer)[(CACHE_LINE_BYTES + 12) / 4]).toBe(1);
  });

  it("counts per CPU, totals across CPUs, wraps at 2^32 and reads unsigned", () => {
    for (const layout of ["padded", "packed"] as const) {
      const counters = PerCpuCounters.create({ cpuCount: 3, counterCount: 2, layout });
      counters.add(0, 1, 5);
      counters.add(2, 1, 7);
      counters.increment(1, 0);
      expect([counters.read(0, 1), counters.read(1, 1), counters.read(2, 1)]).toEqual([5, 0, 7]);
      expect(counters.total(1)).toBe(12);
      expect(counters.total(0)).toBe(1);
      counters.add(1, 0, -2);
      expect(counters.read(1, 0)).toBe(2 ** 32 - 1);
      counters.increment(1, 0);
      expect(counters.read(1, 0)).toBe(0);
      const attached = PerCpuCounters.attach(counters.buffer);
      expect(attached.layout).toBe(layout);
      expect(attached.total(1)).toBe(12);
      attached.reset();
      expect(counters.total(1)).toBe(0);
    }
  });

  it("rejects bad options and foreign buffers", () => {
    expect(() => PerCpuCounters.create({ cpuCount: 0 })).toThrow(/cpuCount/);
    expect(() => PerCpuCounters.attach(new Int32Array(4))).toThrow(/got Int32Array/);
  });
});
