import { FRAME_FREE, NO_FRAME } from "@tsos/hw-x86";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { installTsosMatchers } from "../matchers";
import { FRAME_POISON, FRAME_SIZE, MockMemoryController } from "./mock-memory-controller";

installTsosMatchers(expect);

/** Code under test: builds a 2-frame "table", leaking the second frame when asked to. */
function buildTable(memory: MockMemoryController, leak: boolean): number {
  const root = memory.allocate(0);
  const leaf = memory.allocate(0);
  if (root === NO_FRAME || leaf === NO_FRAME) return NO_FRAME;
  memory.write64Number(root, leaf);
  memory.free(root, 0);
  if (!leak) memory.free(leaf, 0);
  return root;
}

describe("MockMemoryController as PhysicalMemory", () => {
  it("is little-endian, unaligned-capable, and throws RangeError outside memory", () => {
    const memory = new MockMemoryController({ size: 2 * FRAME_SIZE });
    memory.write32(1, 0x11223344);
    expect(memory.read8(1)).toBe(0x44);
    expect(memory.read16(3)).toBe(0x1122);
    memory.write64Number(16, 2 ** 53 - 1);
    expect(memory.read64Number(16)).toBe(2 ** 53 - 1);
    memory.write64(24, -1n);
    expect(memory.read64(24)).toBe(2n ** 64n - 1n);
    expect(memory.read64Number(24)).toBeNaN();
    expect(() => memory.read32(2 * FRAME_SIZE - 3)).toThrow(RangeError);
    expect(() => memory.write64Number(0, -1)).toThrow(RangeError);
    memory.bytes(100, 4).set([1, 2, 3, 4]);
    memory.notifyWritten(100, 4);
    expect(memory.read32(100)).toBe(0x04030201);
    expect(memory.notifications).toEqual([{ address: 100, length: 4 }]);
  });
});

describe("MockMemoryController as FrameAllocator", () => {
  it("catches a leak and names the block", () => {
    const memory = new MockMemoryController({ size: 8 * FRAME_SIZE });
    buildTable(memory, true);
    expect(() => memory.assertNoLeaks()).toThrow(/leak: order 0 block at 0x1000 \(allocation #2\)/);
    expect(memory).not.toHaveNoLeaks();
    const clean = new MockMemoryController({ size: 8 * FRAME_SIZE });
    buildTable(clean, false);
    expect(clean).toHaveNoLeaks();
  });

  it("catches a double free, a wrong-order free and a misaligned free", () => {
    const memory = new MockMemoryController({ size: 16 * FRAME_SIZE });
    const block = memory.allocate(1);
    expect(memory.free(block, 0)).toBe(FRAME_FREE.WRONG_ORDER);
    expect(memory.free(block, 1)).toBe(FRAME_FREE.OK);
    expect(memory.free(block, 1)).toBe(FRAME_FREE.NOT_ALLOCATED);
    expect(memory.free(block + FRAME_SIZE, 1)).toBe(FRAME_FREE.INVALID_ADDRESS);
    expect(memory.badFrees.map((bad) => bad.doubleFree)).toEqual([false, true, false]);
    expect(() => memory.assertNoLeaks()).toThrow(/double free: order 1 at 0x0/);
  });

  it("injects failures every Nth call and by predicate", () => {
    const memory = new MockMemoryController({ size: 64 * FRAME_SIZE }).failEvery(3);
    const results = Array.from({ length: 6 }, () => memory.allocate(0));
    expect(results.map((address) => address === NO_FRAME)).toEqual([false, false, true, false, false, true]);
    expect(memory.failedAllocations).toBe(2);
    memory.failWhen((order) => order >= 2);
    expect(memory.allocate(2)).toBe(NO_FRAME);
    expect(memory.allocate(1)).not.toBe(NO_FRAME);
  });

  it("poisons new blocks and honours reserved frames", () => {
    const memory = new MockMemoryController({ size: 8 * FRAME_SIZE, reservedFrames: 3 });
    const block = memory.allocate(1);
    expect(block).toBe(4 * FRAME_SIZE); // first 2-frame-aligned block above the reserved frames
    expect(memory.read8(block + 100)).toBe(FRAME_POISON);
    expect(memory.freeFrames).toBe(3);
  });

  it("keeps blocks aligned, disjoint and accounted (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 60 }),
        (steps) => {
          const memory = new MockMemoryController({ size: 64 * FRAME_SIZE, poison: null });
          const live: { address: number; order: number }[] = [];
          for (const [order, freeOne] of steps) {
            if (freeOne && live.length > 0) {
              const victim = live.splice(live.length >> 1, 1)[0]!;
              expect(memory.free(victim.address, victim.order)).toBe(FRAME_FREE.OK);
              continue;
            }
            const address = memory.allocate(order);
            if (address === NO_FRAME) continue;
            expect(address % (FRAME_SIZE << order)).toBe(0);
            for (const other of live) {
              const disjoint =
                address + (FRAME_SIZE << order) <= other.address ||
                other.address + (FRAME_SIZE << other.order) <= address;
              expect(disjoint).toBe(true);
            }
            live.push({ address, order });
          }
          expect(memory.leaks()).toHaveLength(live.length);
          const used = live.reduce((sum, block) => sum + (1 << block.order), 0);
          expect(memory.freeFrames).toBe(64 - used);
        },
      ),
      { numRuns: 100 },
    );
  });
});
