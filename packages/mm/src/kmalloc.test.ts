import { MockMemoryController } from "@tsos/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BuddyAllocator } from "./buddy-allocator";
import { EINVAL, ENOMEM, SLAB_FREE } from "./errors";
import { FRAME_SIZE } from "./frame-constants";
import { FrameOwnerTable } from "./frame-owner-table";
import { Kmalloc } from "./kmalloc";
import { SlabCache } from "./slab-cache";
import { simpleMemoryMap } from "./test-helpers";

function setup(mebibytes = 16) {
  const buddy = new BuddyAllocator(simpleMemoryMap(mebibytes));
  const owners = new FrameOwnerTable(buddy.frameCount);
  return { buddy, owners, initial: buddy.freeListSnapshot() };
}

describe("Kmalloc", () => {
  it("rounds sizes up to power-of-two classes aligned to their size", () => {
    const { buddy, owners } = setup();
    const heap = new Kmalloc({ frames: buddy, owners });
    for (const [size, expected] of [
      [1, 8],
      [8, 8],
      [9, 16],
      [100, 128],
      [4096, 4096],
      [5000, 8192],
      [8192, 8192],
    ] as const) {
      const address = heap.kmalloc(size);
      expect(heap.ksize(address)).toBe(expected);
      expect(address % Math.min(expected, FRAME_SIZE)).toBe(0);
    }
  });

  it("serves large sizes straight from the frame allocator and frees them by address", () => {
    const { buddy, owners, initial } = setup();
    const heap = new Kmalloc({ frames: buddy, owners });
    const big = heap.kmalloc(3 * FRAME_SIZE + 1);
    expect(buddy.allocatedOrder(big)).toBe(2);
    expect(heap.ksize(big)).toBe(4 * FRAME_SIZE);
    expect(heap.largeFramesInUse).toBe(4);
    expect(heap.kfree(big + FRAME_SIZE)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(heap.kfree(big)).toBe(SLAB_FREE.OK);
    expect(heap.kfree(big)).toBe(SLAB_FREE.NOT_ALLOCATED);
    expect(buddy.freeListSnapshot()).toEqual(initial);
  });

  it("frees objects of other caches sharing the owner table, as Linux's kfree does", () => {
    const { buddy, owners } = setup();
    const heap = new Kmalloc({ frames: buddy, owners });
    const inodes = new SlabCache({ name: "inode", objectSize: 600, frames: buddy, owners });
    const inode = inodes.allocate();
    expect(heap.ksize(inode)).toBe(600);
    expect(heap.kfree(inode)).toBe(SLAB_FREE.OK);
    expect(inodes.objectsInUse).toBe(0);
    expect(heap.kfree(inode)).toBe(SLAB_FREE.NOT_ALLOCATED);
  });

  it("rejects sizes no allocator serves", () => {
    const { buddy, owners } = setup();
    const heap = new Kmalloc({ frames: buddy, owners });
    expect(heap.kmalloc(0)).toBe(EINVAL);
    expect(heap.kmalloc(-3)).toBe(EINVAL);
    expect(heap.kmalloc(Number.NaN)).toBe(EINVAL);
    expect(heap.kmalloc(8 * 2 ** 20)).toBe(EINVAL);
    expect(heap.kmalloc(8 * 2 ** 20 + 0.5)).toBe(EINVAL);
    expect(heap.kfree(12345)).toBe(SLAB_FREE.NOT_ALLOCATED);
    expect(heap.kfree(2 ** 40)).toBe(SLAB_FREE.INVALID_ADDRESS);
  });

  it("keeps blocks disjoint and gives every frame back once all is freed", () => {
    const size = fc.oneof(fc.integer({ min: 1, max: 8192 }), fc.integer({ min: 8193, max: 300_000 }));
    const command = fc.tuple(fc.boolean(), size, fc.nat());
    fc.assert(
      fc.property(fc.array(command, { maxLength: 250 }), (commands) => {
        const { buddy, owners, initial } = setup();
        const heap = new Kmalloc({ frames: buddy, owners, cpuCount: 2 });
        const live: [number, number][] = [];
        for (const [isAllocate, bytes, pick] of commands) {
          if (isAllocate || live.length === 0) {
            const address = heap.kmalloc(bytes, pick % 2);
            if (address === ENOMEM) continue;
            expect(address).toBeGreaterThanOrEqual(0);
            expect(heap.ksize(address)).toBeGreaterThanOrEqual(bytes);
            live.push([address, bytes]);
          } else {
            const [address] = live.splice(pick % live.length, 1)[0]!;
            expect(heap.kfree(address, pick % 2)).toBe(SLAB_FREE.OK);
          }
        }
        const sorted = [...live].sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < sorted.length; i++) {
          expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![0] + sorted[i - 1]![1]);
        }
        for (const [address] of live) expect(heap.kfree(address)).toBe(SLAB_FREE.OK);
        heap.reclaim();
        expect(buddy.freeListSnapshot()).toEqual(initial);
      }),
      { numRuns: 40 },
    );
  });

  it("returns ENOMEM cleanly under injected frame failures and leaks nothing", () => {
    for (const failEvery of [1, 2, 5]) {
      const memory = new MockMemoryController({ size: 16 * 2 ** 20, reservedFrames: 1 }).failEvery(failEvery);
      const owners = new FrameOwnerTable(memory.frameCount);
      const heap = new Kmalloc({ frames: memory, owners });
      const live: number[] = [];
      let failures = 0;
      for (let i = 0; i < 300; i++) {
        const address = heap.kmalloc(i % 3 === 0 ? 20_000 : 8 << (i % 11));
        if (address === ENOMEM) failures++;
        else live.push(address);
      }
      expect(failures).toBeGreaterThan(0);
      for (const address of live) expect(heap.kfree(address)).toBe(SLAB_FREE.OK);
      heap.reclaim();
      memory.assertNoLeaks();
      expect(heap.largeFramesInUse).toBe(0);
    }
  });

  it("reports debug-mode overflows through kfree", () => {
    const memory = new MockMemoryController({ size: 4 * 2 ** 20 });
    const owners = new FrameOwnerTable(memory.frameCount);
    const heap = new Kmalloc({ frames: memory, owners, debug: { memory } });
    const address = heap.kmalloc(64);
    memory.write8(address + 64, 7);
    expect(heap.kfree(address)).toBe(SLAB_FREE.CORRUPTED);
    expect(heap.caches[3]!.reports[0]).toMatchObject({ kind: "overflow", cache: "kmalloc-64", offset: 64 });
  });
});
