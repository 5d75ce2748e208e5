import { FRAME_FREE, NO_FRAME } from "@tsos/hw-x86";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BuddyAllocator } from "./buddy-allocator";
import { FRAME_SIZE } from "./frame-constants";
import { PerCpuFrameCache } from "./per-cpu-frame-cache";
import { MemoryPressure } from "./pressure";
import { simpleMemoryMap } from "./test-helpers";

function setup(mebibytes = 4) {
  const buddy = new BuddyAllocator(simpleMemoryMap(mebibytes));
  const cache = new PerCpuFrameCache(buddy, { cpuCount: 2, high: 8, batch: 4 });
  return { buddy, cache, initial: buddy.freeListSnapshot() };
}

describe("PerCpuFrameCache", () => {
  it("refills and drains in batches and keeps the free count whole", () => {
    const { buddy, cache, initial } = setup();
    const frame = cache.allocate(0, 1);
    expect(buddy.freeFrames).toBe(1023 - 4);
    expect(cache.freeFrames).toBe(1022);
    expect(cache.free(frame, 0, 1)).toBe(FRAME_FREE.OK);
    expect(cache.countReclaimable()).toBe(4);
    expect(cache.drain()).toBe(4);
    expect(buddy.freeListSnapshot()).toEqual(initial);
  });

  it("reports double frees, wrong orders and bad addresses", () => {
    const { cache } = setup();
    const frame = cache.allocate(0);
    const block = cache.allocate(2);
    expect(cache.free(frame, 0)).toBe(FRAME_FREE.OK);
    expect(cache.free(frame, 0)).toBe(FRAME_FREE.NOT_ALLOCATED);
    expect(cache.free(block, 0)).toBe(FRAME_FREE.WRONG_ORDER);
    expect(cache.free(block + 1, 0)).toBe(FRAME_FREE.INVALID_ADDRESS);
    expect(cache.free(block, 2)).toBe(FRAME_FREE.OK);
    expect(() => cache.allocate(0, 2)).toThrow(RangeError);
  });

  it("conserves frames under random use and coalesces back once drained", () => {
    const op = fc.tuple(fc.boolean(), fc.nat(1), fc.nat(), fc.constantFrom(0, 0, 0, 1, 3));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const { buddy, cache, initial } = setup();
        const live: [number, number][] = [];
        const seen = new Set<number>();
        for (const [isAllocate, cpu, pick, order] of ops) {
          if (isAllocate || live.length === 0) {
            const address = cache.allocate(order, cpu);
            if (address === NO_FRAME) continue;
            for (let f = 0; f < 2 ** order; f++) {
              expect(seen.has(address + f * FRAME_SIZE)).toBe(false);
              seen.add(address + f * FRAME_SIZE);
            }
            live.push([address, order]);
          } else {
            const [address, blockOrder] = live.splice(pick % live.length, 1)[0]!;
            expect(cache.free(address, blockOrder, cpu)).toBe(FRAME_FREE.OK);
            for (let f = 0; f < 2 ** blockOrder; f++) seen.delete(address + f * FRAME_SIZE);
          }
          expect(cache.freeFrames + seen.size).toBe(buddy.managedFrames);
        }
        for (const [address, order] of live) cache.free(address, order);
        cache.drain();
        expect(buddy.freeListSnapshot()).toEqual(initial);
      }),
      { numRuns: 40 },
    );
  });

  it("is drained by memory pressure before an allocation fails", () => {
    const buddy = new BuddyAllocator([{ base: 0, length: 64 * FRAME_SIZE, kind: "usable" }]);
    const cache = new PerCpuFrameCache(buddy, { high: 32, batch: 16 });
    const pressure = new MemoryPressure(buddy, { watermarks: { min: 0, low: 0, high: 0 } });
    pressure.registerShrinker(cache);
    cache.free(cache.allocate(0), 0); // 16 frames now cached
    const taken: number[] = [];
    for (let address = pressure.allocate(0); address !== NO_FRAME; address = pressure.allocate(0)) {
      taken.push(address);
    }
    expect(taken.length).toBe(64);
  });
});
