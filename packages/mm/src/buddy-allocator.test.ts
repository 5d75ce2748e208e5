import { FRAME_FREE, NO_FRAME } from "@tsos/hw-x86";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BuddyAllocator } from "./buddy-allocator";
import { buddyStatistics, fragmentationIndex, unusableFreeSpaceIndex } from "./buddy-statistics";
import { FRAME_SIZE, MAX_ORDER } from "./frame-constants";
import { simpleMemoryMap } from "./test-helpers";

const MiB = 2 ** 20;

describe("BuddyAllocator initialisation", () => {
  it("carves a run that cannot form full blocks into the largest aligned blocks", () => {
    const buddy = new BuddyAllocator(simpleMemoryMap(4));
    // Frames 1..1023: one block of each order 0..9 at frames 1, 2, 4, ..., 512.
    expect(buddy.managedFrames).toBe(1023);
    expect(buddy.freeFrames).toBe(1023);
    const snapshot = buddy.freeListSnapshot()[0]!;
    for (let order = 0; order < MAX_ORDER; order++)
      expect(snapshot[order]).toEqual([2 ** order * FRAME_SIZE]);
    expect(snapshot[MAX_ORDER]).toEqual([]);
  });

  it("never hands out reserved holes or partial frames at region edges", () => {
    const buddy = new BuddyAllocator([
      { base: 0x1800, length: 8 * MiB - 0x1800 - 0x800, kind: "usable" },
      { base: 2 * MiB + 10, length: 100, kind: "reserved" },
    ]);
    const hole = Math.floor((2 * MiB) / FRAME_SIZE);
    const seen = new Set<number>();
    for (let address = buddy.allocate(0); address !== NO_FRAME; address = buddy.allocate(0)) {
      seen.add(address / FRAME_SIZE);
    }
    expect(seen.has(0)).toBe(false);
    expect(seen.has(1)).toBe(false);
    expect(seen.has(hole)).toBe(false);
    expect(seen.has(2047)).toBe(false); // the last frame is only partly usable
    expect(seen.size).toBe(2048 - 3 - 1);
    expect(buddy.freeFrames).toBe(0);
  });

  it("rejects a malformed memory map", () => {
    expect(() => new BuddyAllocator([{ base: -1, length: 10, kind: "usable" }])).toThrow(RangeError);
  });
});

describe("BuddyAllocator allocate and free", () => {
  it("splits on allocate and returns size-aligned blocks", () => {
    const buddy = new BuddyAllocator([{ base: 0, length: 8 * MiB, kind: "usable" }]);
    for (let order = 0; order <= MAX_ORDER; order++) {
      const address = buddy.allocate(order);
      expect(address % (FRAME_SIZE * 2 ** order)).toBe(0);
      expect(buddy.allocatedOrder(address)).toBe(order);
    }
    expect(buddy.allocate(11)).toBe(NO_FRAME);
    expect(buddy.allocate(-1)).toBe(NO_FRAME);
  });

  it("reports double free, wrong order and invalid addresses without changing the lists", () => {
    const buddy = new BuddyAllocator(simpleMemoryMap(4));
    const block = buddy.allocate(2);
    const before = buddy.freeListSnapshot();
    expect(buddy.free(block, 1)).toBe(FRAME_FREE.WRONG_ORDER);
    expect(buddy.free(block + FRAME_SIZE, 0)).toBe(FRAME_FREE.NOT_ALLOCATED); // inside the block
    expect(buddy.free(block + 1, 2)).toBe(FRAME_FREE.INVALID_ADDRESS);
    expect(buddy.free(block + FRAME_SIZE * 2, 2)).toBe(FRAME_FREE.INVALID_ADDRESS); // misaligned for order 2
    expect(buddy.free(0, 0)).toBe(FRAME_FREE.INVALID_ADDRESS); // reserved frame
    expect(buddy.free(64 * MiB, 0)).toBe(FRAME_FREE.INVALID_ADDRESS);
    expect(buddy.free(Number.NaN, 0)).toBe(FRAME_FREE.INVALID_ADDRESS);
    expect(buddy.free(block, 11)).toBe(FRAME_FREE.INVALID_ADDRESS);
    expect(buddy.freeListSnapshot()).toEqual(before);
    expect(buddy.free(block, 2)).toBe(FRAME_FREE.OK);
    expect(buddy.free(block, 2)).toBe(FRAME_FREE.NOT_ALLOCATED);
  });

  it("keeps blocks disjoint, conserves frames and coalesces back to the initial lists", () => {
    const command = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: MAX_ORDER }), fc.nat());
    fc.assert(
      fc.property(fc.array(command, { maxLength: 300 }), (commands) => {
        const buddy = new BuddyAllocator(simpleMemoryMap(16), {
          zones: [
            { name: "DMA", end: 3 * MiB + 5 * FRAME_SIZE },
            { name: "Normal", end: Number.POSITIVE_INFINITY },
          ],
        });
        const initial = buddy.freeListSnapshot();
        const live: [number, number][] = [];
        const owner = new Int32Array(buddy.frameCount).fill(-1);
        let allocatedFrames = 0;
        for (const [isAllocate, order, pick] of commands) {
          if (isAllocate || live.length === 0) {
            const address = buddy.allocate(order);
            if (address === NO_FRAME) continue;
            const first = address / FRAME_SIZE;
            for (let f = first; f < first + 2 ** order; f++) {
              expect(owner[f]).toBe(-1);
              owner[f] = first;
            }
            live.push([address, order]);
            allocatedFrames += 2 ** order;
          } else {
            const [address, blockOrder] = live.splice(pick % live.length, 1)[0]!;
            expect(buddy.free(address, blockOrder)).toBe(FRAME_FREE.OK);
            owner.fill(-1, address / FRAME_SIZE, address / FRAME_SIZE + 2 ** blockOrder);
            allocatedFrames -= 2 ** blockOrder;
          }
          expect(buddy.freeFrames + allocatedFrames).toBe(buddy.managedFrames);
        }
        for (const [address, order] of live) expect(buddy.free(address, order)).toBe(FRAME_FREE.OK);
        expect(buddy.freeListSnapshot()).toEqual(initial);
      }),
      { numRuns: 60 },
    );
  });
});

describe("BuddyAllocator zones", () => {
  const zones = [
    { name: "DMA32", end: 4 * MiB },
    { name: "Normal", end: Number.POSITIVE_INFINITY },
  ];

  it("prefers the highest zone, falls back to lower ones, and never goes above a zone limit", () => {
    const buddy = new BuddyAllocator([{ base: 0, length: 8 * MiB, kind: "usable" }], { zones });
    expect(buddy.zoneFree(0)).toBe(1024);
    expect(buddy.zoneFree(1)).toBe(1024);
    expect(buddy.allocate(MAX_ORDER)).toBe(4 * MiB);
    const fallback = buddy.allocate(MAX_ORDER);
    expect(fallback).toBe(0);
    expect(buddy.allocate(0)).toBe(NO_FRAME);
    expect(buddy.free(fallback, MAX_ORDER)).toBe(FRAME_FREE.OK);
    const low = buddy.allocateBelow(3, 0);
    expect(low).toBeGreaterThanOrEqual(0);
    expect(low).toBeLessThan(4 * MiB);
  });

  it("does not merge buddies across a zone boundary", () => {
    const boundary = 2 * MiB + 4 * FRAME_SIZE;
    const buddy = new BuddyAllocator([{ base: 0, length: 4 * MiB, kind: "usable" }], {
      zones: [
        { name: "Low", end: boundary },
        { name: "High", end: Number.POSITIVE_INFINITY },
      ],
    });
    expect(buddy.freeBlocks(MAX_ORDER)).toBe(0);
    const initial = buddy.freeListSnapshot();
    const blocks: number[] = [];
    for (let a = buddy.allocate(0); a !== NO_FRAME; a = buddy.allocate(0)) blocks.push(a);
    for (const address of blocks) expect(buddy.free(address, 0)).toBe(FRAME_FREE.OK);
    expect(buddy.freeListSnapshot()).toEqual(initial);
    expect(buddy.zoneFree(0)).toBe(boundary / FRAME_SIZE);
  });
});

describe("buddy statistics", () => {
  it("computes the unusable free space index and Linux's fragmentation index", () => {
    const fourSingles = [4];
    expect(unusableFreeSpaceIndex(fourSingles, 0)).toBe(0);
    expect(unusableFreeSpaceIndex(fourSingles, 1)).toBe(1);
    expect(fragmentationIndex(fourSingles, 0)).toBe(-1);
    expect(fragmentationIndex(fourSingles, 2)).toBeCloseTo(1 - (1 + 4 / 4) / 4);
    expect(unusableFreeSpaceIndex([], 3)).toBe(1);
    expect(fragmentationIndex([], 3)).toBe(0);
  });

  it("reports free blocks per order from the allocator", () => {
    const buddy = new BuddyAllocator(simpleMemoryMap(4));
    const stats = buddyStatistics(buddy);
    expect(stats.freeFrames).toBe(1023);
    expect(stats.freeBlocksPerOrder.slice(0, 10)).toEqual(new Array(10).fill(1));
    expect(stats.unusableIndex[10]).toBe(1);
    expect(stats.unusableIndex[9]).toBeCloseTo(511 / 1023);
  });
});
