import { MockMemoryController } from "@tsos/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BuddyAllocator } from "./buddy-allocator";
import { ENOMEM, SLAB_FREE } from "./errors";
import { FRAME_SIZE } from "./frame-constants";
import { FrameOwnerTable } from "./frame-owner-table";
import { SlabCache } from "./slab-cache";
import type { SlabCacheOptions } from "./slab-cache-options";
import { SLAB_POISON } from "./slab-debug";
import { simpleMemoryMap } from "./test-helpers";

function setup(mebibytes = 4) {
  const buddy = new BuddyAllocator(simpleMemoryMap(mebibytes));
  const owners = new FrameOwnerTable(buddy.frameCount);
  return { buddy, owners, initial: buddy.freeListSnapshot() };
}

function cache(
  frames: SlabCacheOptions["frames"],
  owners: FrameOwnerTable,
  extra: Partial<SlabCacheOptions> = {},
) {
  return new SlabCache({ name: "test", objectSize: 48, frames, owners, ...extra });
}

describe("SlabCache", () => {
  it("hands out distinct objects aligned as asked, inside slabs it owns", () => {
    const { buddy, owners } = setup();
    const objects = cache(buddy, owners, { objectSize: 100, align: 64 });
    expect(objects.layout.stride).toBe(128);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const address = objects.allocate();
      expect(address % 64).toBe(0);
      expect(seen.has(address)).toBe(false);
      seen.add(address);
      expect(owners.owner[Math.floor(address / FRAME_SIZE)]).toBe(objects.id);
    }
    const stats = objects.statistics();
    expect(stats.objectsInUse).toBe(200);
    expect(stats.slabsFull + stats.slabsPartial).toBe(Math.ceil(200 / objects.layout.objectsPerSlab));
  });

  it("serves the fast path from per-CPU magazines and counts hits and misses", () => {
    const { buddy, owners } = setup();
    const objects = cache(buddy, owners, { cpuCount: 2, magazineSize: 8, batchSize: 4 });
    const a = objects.allocate(1); // miss: refill 4
    objects.allocate(1);
    expect(objects.free(a, 1)).toBe(SLAB_FREE.OK);
    expect(objects.allocate(1)).toBe(a); // LIFO: the hot object comes back
    const cpu1 = objects.statistics().perCpu[1]!;
    expect(cpu1).toEqual({ allocHits: 2, allocMisses: 1, freeHits: 1, freeMisses: 0 });
    expect(objects.statistics().perCpu[0]!.allocHits).toBe(0);
    expect(() => objects.allocate(2)).toThrow(RangeError);
  });

  it("counts frees on another CPU, including one that flushes, per CPU", () => {
    const { buddy, owners } = setup();
    const objects = cache(buddy, owners, { cpuCount: 2, magazineSize: 4, batchSize: 2 });
    const taken = [0, 1, 2, 3, 4].map(() => objects.allocate(0)); // refills at the 1st, 3rd and 5th
    for (const address of taken) expect(objects.free(address, 1)).toBe(SLAB_FREE.OK); // the 5th flushes
    expect(objects.statistics().perCpu).toEqual([
      { allocHits: 2, allocMisses: 3, freeHits: 0, freeMisses: 0 },
      { allocHits: 0, allocMisses: 0, freeHits: 4, freeMisses: 1 },
    ]);
    expect(objects.objectsInUse).toBe(0);
    expect(objects.statistics().objectsCached).toBe(1 + 3);
  });

  it("rejects double frees and addresses that are not its objects", () => {
    const { buddy, owners } = setup();
    const objects = cache(buddy, owners);
    const other = cache(buddy, owners, { name: "other" });
    const a = objects.allocate();
    const b = other.allocate();
    expect(objects.free(a + 8, 0)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(objects.free(b, 0)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(objects.free(0, 0)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(objects.free(-5, 0)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(objects.free(2 ** 40, 0)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(objects.free(a, 0)).toBe(SLAB_FREE.OK);
    expect(objects.free(a, 0)).toBe(SLAB_FREE.NOT_ALLOCATED);
    expect(objects.objectsInUse).toBe(0);
  });

  it("checks a free handed straight back after allocate like any other (double free, other CPU)", () => {
    const { buddy, owners } = setup();
    const objects = cache(buddy, owners, { cpuCount: 2, magazineSize: 4, batchSize: 2 });
    const a = objects.allocate(0);
    expect(objects.free(a, 0)).toBe(SLAB_FREE.OK); // identified through the entry above the top
    expect(objects.free(a, 0)).toBe(SLAB_FREE.NOT_ALLOCATED);
    expect(objects.allocate(0)).toBe(a);
    expect(objects.free(a, 1)).toBe(SLAB_FREE.OK); // freed on another CPU
    expect(objects.free(a, 0)).toBe(SLAB_FREE.NOT_ALLOCATED);
    expect(objects.free(a + 1, 0)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(objects.objectsInUse).toBe(0);
  });

  it("forgets stale magazine entries when their slab is released", () => {
    const { buddy, owners } = setup();
    const objects = cache(buddy, owners, { magazineSize: 4, batchSize: 2, maxEmptySlabs: 0 });
    const old = [0, 1, 2, 3].map(() => objects.allocate(0));
    for (const address of old) expect(objects.free(address, 0)).toBe(SLAB_FREE.OK);
    objects.reclaim(); // the slab goes back; its frames are taken by someone else
    const slabBase = Math.floor(old[0]! / FRAME_SIZE) * FRAME_SIZE;
    expect(owners.owner[slabBase / FRAME_SIZE]).not.toBe(objects.id);
    expect(buddy.allocate(objects.layout.slabOrder)).toBe(slabBase);
    // A new slab (the same slab number) elsewhere; two objects out and back leave the magazine top
    // at entry 2, which still named an old object before the slab was released.
    const fresh = [objects.allocate(0), objects.allocate(0)];
    expect(fresh.map((address) => objects.free(address, 0))).toEqual([SLAB_FREE.OK, SLAB_FREE.OK]);
    for (const address of old) expect(objects.free(address, 0)).toBe(SLAB_FREE.INVALID_ADDRESS);
    expect(objects.objectsInUse).toBe(0);
  });

  it("keeps objects disjoint and returns every frame once all is freed and reclaimed", () => {
    const command = fc.tuple(fc.boolean(), fc.nat(3), fc.nat());
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.constantFrom(8, 16, 64, 256),
        fc.array(command, { maxLength: 400 }),
        (size, align, commands) => {
          const { buddy, owners, initial } = setup();
          const objects = cache(buddy, owners, { objectSize: size, align, cpuCount: 4, magazineSize: 6 });
          const live = new Map<number, number>();
          const taken = new Set<number>();
          for (const [isAllocate, cpu, pick] of commands) {
            if (isAllocate || live.size === 0) {
              const address = objects.allocate(cpu);
              if (address === ENOMEM) continue;
              expect(address % align).toBe(0);
              expect(taken.has(address)).toBe(false);
              taken.add(address);
              live.set(address, cpu);
            } else {
              const address = [...live.keys()][pick % live.size]!;
              live.delete(address);
              taken.delete(address);
              expect(objects.free(address, cpu)).toBe(SLAB_FREE.OK);
            }
            expect(objects.objectsInUse).toBe(live.size);
          }
          const sorted = [...taken].sort((x, y) => x - y);
          for (let i = 1; i < sorted.length; i++)
            expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(size);
          for (const [address, cpu] of live) expect(objects.free(address, (cpu + 1) % 4)).toBe(SLAB_FREE.OK);
          objects.reclaim();
          expect(buddy.freeListSnapshot()).toEqual(initial);
          expect(objects.destroy()).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("returns ENOMEM cleanly when every Nth frame allocation fails, and leaks nothing", () => {
    for (const failEvery of [1, 2, 3, 7]) {
      const memory = new MockMemoryController({ size: 4 * 2 ** 20, reservedFrames: 1 }).failEvery(failEvery);
      const owners = new FrameOwnerTable(memory.frameCount);
      const objects = cache(memory, owners, { objectSize: 1024, slabOrder: 0, magazineSize: 4 });
      const live: number[] = [];
      let failures = 0;
      for (let i = 0; i < 200; i++) {
        const address = objects.allocate();
        if (address === ENOMEM) failures++;
        else live.push(address);
      }
      expect(failures).toBeGreaterThan(0);
      expect(memory.failedAllocations).toBeGreaterThan(0);
      expect(new Set(live).size).toBe(live.length);
      for (const address of live) expect(objects.free(address)).toBe(SLAB_FREE.OK);
      objects.reclaim();
      memory.assertNoLeaks();
      expect(owners.owner.every((owner) => owner === 0)).toBe(true);
    }
  });

  it("keeps at most maxEmptySlabs empty slabs after flushing", () => {
    const { buddy, owners } = setup();
    const objects = cache(buddy, owners, { objectSize: 2048, slabOrder: 0, magazineSize: 2, batchSize: 1 });
    const live = Array.from({ length: 20 }, () => objects.allocate());
    for (const address of live) objects.free(address);
    const stats = objects.statistics();
    expect(stats.slabsEmpty).toBeLessThanOrEqual(1);
    expect(objects.countReclaimable()).toBeGreaterThan(0);
    expect(objects.reclaim()).toBeGreaterThan(0);
    expect(objects.statistics().slabsEmpty + objects.statistics().slabsPartial).toBe(0);
  });
});

describe("SlabCache debug mode", () => {
  function debugSetup() {
    const memory = new MockMemoryController({ size: 4 * 2 ** 20, reservedFrames: 1 });
    const owners = new FrameOwnerTable(memory.frameCount);
    const seen: string[] = [];
    const objects = cache(memory, owners, {
      objectSize: 40,
      debug: { memory, onReport: (report) => seen.push(report.kind) },
    });
    return { objects, memory, seen };
  }

  it("poisons free objects and arms red zones around allocated ones", () => {
    const { objects, memory } = debugSetup();
    const a = objects.allocate();
    expect(memory.read8(a - 1)).toBe(SLAB_POISON.RED_ACTIVE);
    expect(memory.read8(a + 40)).toBe(SLAB_POISON.RED_ACTIVE);
    expect(objects.free(a)).toBe(SLAB_FREE.OK);
    expect(memory.read8(a)).toBe(SLAB_POISON.FREE);
    expect(memory.read8(a + 39)).toBe(SLAB_POISON.END);
    expect(memory.read8(a + 40)).toBe(SLAB_POISON.RED_INACTIVE);
    expect(objects.reports).toEqual([]);
  });

  it("detects a write past the end of an object when it is freed", () => {
    const { objects, memory, seen } = debugSetup();
    const a = objects.allocate();
    memory.write8(a + 40, 0x41);
    expect(objects.free(a)).toBe(SLAB_FREE.CORRUPTED);
    expect(objects.reports[0]).toMatchObject({ kind: "overflow", address: a, offset: 40, found: 0x41 });
    expect(seen).toEqual(["overflow"]);
  });

  it("detects a write before the start of an object", () => {
    const { objects, memory } = debugSetup();
    const a = objects.allocate();
    memory.write8(a - 2, 0);
    expect(objects.free(a)).toBe(SLAB_FREE.CORRUPTED);
    expect(objects.reports[0]).toMatchObject({ kind: "overflow", offset: -2 });
  });

  it("detects a write after free, on the next allocation and in validate()", () => {
    const { objects, memory } = debugSetup();
    const a = objects.allocate();
    objects.free(a);
    memory.write32(a + 8, 0xdeadbeef);
    expect(objects.validate()).toBe(1);
    expect(objects.reports[0]).toMatchObject({ kind: "use-after-free", address: a, offset: 8 });
    const b = objects.allocate();
    objects.free(b);
    memory.write8(b, 1);
    expect(objects.allocate()).toBe(b);
    expect(objects.reports[1]).toMatchObject({ kind: "use-after-free", address: b, offset: 0 });
  });

  it("reports a double free as a value", () => {
    const { objects } = debugSetup();
    const a = objects.allocate();
    objects.free(a);
    expect(objects.free(a)).toBe(SLAB_FREE.NOT_ALLOCATED);
    expect(objects.reports).toEqual([
      { kind: "double-free", cache: "test", address: a, offset: -1, expected: -1, found: -1 },
    ]);
  });
});

describe("SlabCache fast-path constants", () => {
  it("mirror the named constants they stand for", async () => {
    const { SlabFastPath, SlabFreeCode } = await import("./slab-cache");
    const { FRAME_SIZE, NONE } = await import("./frame-constants");
    const { OBJECT_ALLOCATED, OBJECT_CACHED } = await import("./slab-tables");
    expect([SlabFastPath.FRAME_SIZE, SlabFastPath.NONE, SlabFastPath.ENOMEM]).toEqual([
      FRAME_SIZE,
      NONE,
      ENOMEM,
    ]);
    expect([SlabFastPath.OBJECT_ALLOCATED, SlabFastPath.OBJECT_CACHED]).toEqual([
      OBJECT_ALLOCATED,
      OBJECT_CACHED,
    ]);
    const { MagazineRecord } = await import("./slab-magazines");
    const { Magazine } = await import("./slab-cache");
    expect([
      Magazine.COUNT,
      Magazine.ALLOCS,
      Magazine.ALLOC_MISSES,
      Magazine.FREE_MISSES,
      Magazine.REFILLED,
      Magazine.FLUSHED,
      Magazine.HEADER,
    ]).toEqual([
      MagazineRecord.COUNT,
      MagazineRecord.ALLOCS,
      MagazineRecord.ALLOC_MISSES,
      MagazineRecord.FREE_MISSES,
      MagazineRecord.REFILLED,
      MagazineRecord.FLUSHED,
      MagazineRecord.HEADER,
    ]);
    expect([
      SlabFreeCode.OK,
      SlabFreeCode.INVALID_ADDRESS,
      SlabFreeCode.NOT_ALLOCATED,
      SlabFreeCode.CORRUPTED,
    ]).toEqual([SLAB_FREE.OK, SLAB_FREE.INVALID_ADDRESS, SLAB_FREE.NOT_ALLOCATED, SLAB_FREE.CORRUPTED]);
  });
});
