import { NO_FRAME } from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import { BuddyAllocator } from "./buddy-allocator";
import { ENOMEM, SLAB_FREE } from "./errors";
import { FrameOwnerTable } from "./frame-owner-table";
import { defaultWatermarks, MemoryPressure, type OomHook, type OomVictim, selectOomVictim } from "./pressure";
import { SlabCache } from "./slab-cache";

/** 1 MiB with frame 0 reserved: 255 frames. */
function setup(watermarks = { min: 16, low: 32, high: 48 }, onOom?: OomHook) {
  const buddy = new BuddyAllocator([
    { base: 0, length: 2 ** 20, kind: "usable" },
    { base: 0, length: 4096, kind: "reserved" },
  ]);
  const pressure = new MemoryPressure(buddy, { watermarks, onOom });
  const owners = new FrameOwnerTable(buddy.frameCount);
  return { buddy, pressure, owners };
}

describe("MemoryPressure", () => {
  it("allocates straight through above the low watermark", () => {
    const { buddy, pressure } = setup();
    const address = pressure.allocate(0);
    expect(buddy.allocatedOrder(address)).toBe(0);
    expect(pressure.statistics().slowPaths).toBe(0);
    expect(pressure.free(address, 0)).toBe(0);
  });

  it("runs shrinkers when free memory falls below low, reclaiming empty slabs", () => {
    const { buddy, pressure, owners } = setup();
    const cache = new SlabCache({
      name: "dentry",
      objectSize: 4096,
      slabOrder: 0,
      frames: pressure,
      owners,
      maxEmptySlabs: 1000,
    });
    pressure.registerShrinker(cache);
    const objects: number[] = [];
    for (let i = 0; i < 150; i++) objects.push(cache.allocate());
    for (const object of objects) expect(cache.free(object)).toBe(SLAB_FREE.OK);
    const cachedFrames = 255 - buddy.freeFrames;
    expect(cachedFrames).toBeGreaterThanOrEqual(150);
    const taken: number[] = [];
    for (let i = 0; i < 300; i++) {
      const address = pressure.allocate(0);
      if (address === NO_FRAME) break;
      taken.push(address);
    }
    expect(taken.length).toBe(255 - 16);
    const stats = pressure.statistics();
    expect(stats.framesReclaimed).toBeGreaterThanOrEqual(150);
    expect(cache.statistics().slabsEmpty).toBe(0);
    expect(stats.failedAllocations).toBe(1);
  });

  it("calls the OOM hook when reclaim cannot help, and retries after the victim is killed", () => {
    const victimFrames: number[] = [];
    const victims: OomVictim[] = [];
    let buddyRef: BuddyAllocator | undefined;
    const onOom = () => {
      if (victimFrames.length === 0) return undefined;
      for (const frame of victimFrames.splice(0)) buddyRef!.free(frame, 0);
      const victim = { name: "hog", id: 42 };
      victims.push(victim);
      return victim;
    };
    const { buddy, pressure } = setup({ min: 16, low: 32, high: 48 }, onOom);
    buddyRef = buddy;
    for (let i = 0; i < 200; i++) victimFrames.push(pressure.allocate(0));
    expect(victimFrames).not.toContain(NO_FRAME);
    const rest: number[] = [];
    for (let address = pressure.allocate(0); address !== NO_FRAME; address = pressure.allocate(0)) {
      rest.push(address);
      if (rest.length > 300) break;
    }
    const stats = pressure.statistics();
    expect(stats.oomVictims).toEqual([{ name: "hog", id: 42 }]);
    expect(stats.oomInvocations).toBe(2);
    expect(rest.length).toBe(255 - 16);
    expect(buddy.freeFrames).toBe(16);
  });

  it("lets slab allocation fail with ENOMEM when even OOM cannot help", () => {
    const { pressure, owners } = setup({ min: 0, low: 0, high: 0 });
    const cache = new SlabCache({ name: "big", objectSize: 4096, slabOrder: 0, frames: pressure, owners });
    let count = 0;
    while (cache.allocate() !== ENOMEM) count++;
    expect(count).toBe(255);
  });

  it("computes default watermarks and rejects inconsistent ones", () => {
    const marks = defaultWatermarks(65536);
    expect(marks.min).toBeGreaterThan(0);
    expect(marks.low).toBeGreaterThan(marks.min);
    expect(marks.high).toBeGreaterThan(marks.low);
    const buddy = new BuddyAllocator([{ base: 0, length: 2 ** 20, kind: "usable" }]);
    expect(() => new MemoryPressure(buddy, { watermarks: { min: 5, low: 4, high: 6 } })).toThrow(RangeError);
  });

  it("picks the OOM victim with the highest badness", () => {
    const candidates = [
      { name: "init", id: 1, frames: 500, scoreAdjust: -1000 },
      { name: "small", id: 2, frames: 100 },
      { name: "big", id: 3, frames: 300 },
      { name: "preferred", id: 4, frames: 10, scoreAdjust: 500 },
    ];
    expect(selectOomVictim(candidates, 1000)?.name).toBe("preferred");
    expect(selectOomVictim(candidates.slice(0, 3), 1000)?.name).toBe("big");
    expect(selectOomVictim(candidates.slice(0, 1), 1000)).toBeUndefined();
  });
});
