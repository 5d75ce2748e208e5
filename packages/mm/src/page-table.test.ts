import { PAGE_SIZE, PTE, PTE_HIGH, pml4Index } from "@tsos/hw-x86";
import { MockMemoryController } from "@tsos/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EEXIST, EINVAL, ENOENT, ENOMEM } from "./errors";
import { NOT_MAPPED, PageTable } from "./page-table";
import { TLB_FLUSH, TLB_FLUSH_CEILING, TlbFlushBatch, type TlbShootdown } from "./tlb-flush-batch";

const K4 = PAGE_SIZE.SIZE_4K;
const M2 = PAGE_SIZE.SIZE_2M;

function setup(mebibytes = 16) {
  const memory = new MockMemoryController({ size: mebibytes * 2 ** 20, reservedFrames: 1 });
  const table = PageTable.create(memory, memory);
  if (table === ENOMEM) throw new Error("no root");
  return { memory, table };
}

/** Reads entry `index` of the table at `table` as [low, high]. */
function entry(memory: MockMemoryController, table: number, index: number): [number, number] {
  return [memory.read32(table + index * 8), memory.read32(table + index * 8 + 4)];
}

function recorder(): TlbShootdown & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    flushPages: (pages, count, freedTables) =>
      calls.push(`pages ${Array.from(pages.subarray(0, count)).join(",")}${freedTables ? " +tables" : ""}`),
    flushAll: (_global, freedTables) => calls.push(`all${freedTables ? " +tables" : ""}`),
  };
}

describe("PageTable", () => {
  it("writes the 4-level entries the MMU walks, bit for bit", () => {
    const { memory, table } = setup();
    const virtual = 0x0000_7f12_3456_7000;
    expect(table.map(virtual, 0x0012_3000, K4, PTE.RW | PTE.US, PTE_HIGH.NX)).toBe(TLB_FLUSH.NONE);
    const [pml4Low, pml4High] = entry(memory, table.root, 0xfe); // bits 47:39 of 0x7f1234567000
    expect(pml4Low & 0xfff).toBe(PTE.P | PTE.RW | PTE.US);
    expect(pml4High).toBe(0);
    const pdpt = pml4Low & ~0xfff;
    const [pdptLow] = entry(memory, pdpt, 0x48); // bits 38:30
    const pd = pdptLow & ~0xfff;
    const [pdLow] = entry(memory, pd, 0x1a2); // bits 29:21
    const pt = pdLow & ~0xfff;
    const [pteLow, pteHigh] = entry(memory, pt, 0x167); // bits 20:12
    expect(pteLow >>> 0).toBe(0x0012_3000 | PTE.P | PTE.RW | PTE.US);
    expect(pteHigh >>> 0).toBe(PTE_HIGH.NX);
    expect(table.translate(virtual + 0xabc)).toBe(0x0012_3abc);
    expect(table.translate(virtual + K4)).toBe(NOT_MAPPED);
    expect(table.tableFrameCount).toBe(4);
  });

  it("maps 2 MiB pages with PS in the PDE and refuses overlapping 4 KiB maps", () => {
    const { memory, table } = setup();
    expect(table.map(0x4000_0000, 0x0060_0000, M2, PTE.RW)).toBe(TLB_FLUSH.NONE);
    const pdpt = entry(memory, table.root, 0)[0] & ~0xfff;
    const pd = entry(memory, pdpt, 1)[0] & ~0xfff;
    const [pdeLow] = entry(memory, pd, 0);
    expect(pdeLow >>> 0).toBe(0x0060_0000 | PTE.P | PTE.RW | PTE.PS);
    expect(table.translate(0x4000_0000 + 0x1_2345)).toBe(0x0061_2345);
    expect(table.map(0x4000_1000, 0x1000, K4, 0)).toBe(EEXIST);
    expect(table.map(0x4000_0000, 0x0080_0000, M2, 0)).toBe(EEXIST);
    expect(table.unmap(0x4000_0000, K4, new TlbFlushBatch())).toBe(EINVAL);
  });

  it("puts kernel (negative) addresses in the upper half of the PML4", () => {
    const { memory, table } = setup();
    const kernel = -(2 ** 47); // 0xffff800000000000
    expect(table.map(kernel, 0x5000, K4, PTE.RW | PTE.G)).toBe(TLB_FLUSH.NONE);
    expect(pml4Index(2 ** 47)).toBe(256);
    expect(entry(memory, table.root, 256)[0] & PTE.P).toBe(PTE.P);
    expect(table.translate(kernel + 8)).toBe(0x5008);
    expect(table.translate(0)).toBe(NOT_MAPPED);
  });

  it("rejects bad arguments and double maps, and reports unmapping nothing", () => {
    const { table } = setup();
    const batch = new TlbFlushBatch();
    expect(table.map(0x1001, 0x2000, K4, 0)).toBe(EINVAL);
    expect(table.map(0x1000, 0x2001, K4, 0)).toBe(EINVAL);
    expect(table.map(0x1000, 0x2000, 8192, 0)).toBe(EINVAL);
    expect(table.map(2 ** 47, 0x2000, K4, 0)).toBe(EINVAL);
    expect(table.map(0x1000, 2 ** 52, K4, 0)).toBe(EINVAL);
    expect(table.map(0x1000, 0x2000, K4, 0)).toBe(TLB_FLUSH.NONE);
    expect(table.map(0x1000, 0x3000, K4, 0)).toBe(EEXIST);
    expect(table.unmap(0x2000, K4, batch)).toBe(ENOENT);
    expect(table.unmap(0x4000_0000_0000, K4, batch)).toBe(ENOENT);
    expect(batch.isEmpty).toBe(true);
  });

  it("records unmap and protect obligations and discharges them in one shootdown", () => {
    const { table } = setup();
    const batch = new TlbFlushBatch();
    const shootdown = recorder();
    table.map(0x1000, 0x7000, K4, PTE.RW | PTE.US);
    table.map(0x2000, 0x8000, K4, PTE.RW | PTE.US);
    expect(table.protect(0x1000, K4, PTE.US, PTE_HIGH.NX, batch)).toBe(TLB_FLUSH.PAGE);
    expect(table.translate(0x1000)).toBe(0x7000);
    expect(table.unmap(0x2000, K4, batch)).toBe(TLB_FLUSH.PAGE);
    expect(table.translate(0x2000)).toBe(NOT_MAPPED);
    batch.flush(shootdown);
    expect(shootdown.calls).toEqual(["pages 4096,8192"]);
    expect(batch.isEmpty).toBe(true);
    for (let page = 0; page <= TLB_FLUSH_CEILING; page++) batch.addPage(page * K4);
    batch.flush(shootdown);
    expect(shootdown.calls[1]).toBe("all");
  });

  it("unlinks tables that unmap empties, frees them only at the flush, and lets a 2 MiB page take the region", () => {
    const { memory, table } = setup();
    const batch = new TlbFlushBatch();
    const shootdown = recorder();
    const region = 0x4000_0000; // PML4 entry 0, PDPT entry 1, PD entry 0
    const freeBefore = memory.freeFrames;
    expect(table.map(region + 5 * K4, 0x7000, K4, PTE.RW)).toBe(TLB_FLUSH.NONE);
    const pdpt = entry(memory, table.root, 0)[0] & ~0xfff;
    const pd = entry(memory, pdpt, 1)[0] & ~0xfff;
    const pt = entry(memory, pd, 0)[0] & ~0xfff;
    expect(table.map(region, 0x60_0000, M2, PTE.RW)).toBe(EEXIST);
    expect(table.unmap(region + 5 * K4, K4, batch)).toBe(TLB_FLUSH.PAGE);
    // PT, PD and PDPT emptied one after the other: all unlinked, none free before the shootdown.
    expect(entry(memory, table.root, 0)).toEqual([0, 0]);
    expect(table.tableFrameCount).toBe(1);
    expect(batch.pendingTableFrames).toBe(3);
    for (const frame of [pdpt, pd, pt]) expect(memory.isAllocated(frame)).toBe(true);
    // The 2 MiB map no longer meets EEXIST; its new tables cannot be the pending frames.
    expect(table.map(region, 0x60_0000, M2, PTE.RW)).toBe(TLB_FLUSH.NONE);
    expect(table.translate(region + 0x1_2345)).toBe(0x61_2345);
    const newPdpt = entry(memory, table.root, 0)[0] & ~0xfff;
    expect([pdpt, pd, pt]).not.toContain(newPdpt);
    let stillAllocatedDuringShootdown = false;
    batch.flush({
      flushPages: (pages, count, freedTables) => {
        stillAllocatedDuringShootdown = [pdpt, pd, pt].every((frame) => memory.isAllocated(frame));
        shootdown.flushPages(pages, count, freedTables);
      },
      flushAll: shootdown.flushAll,
    });
    expect(stillAllocatedDuringShootdown).toBe(true);
    expect(shootdown.calls).toEqual([`pages ${region + 5 * K4} +tables`]);
    expect(batch.pendingTableFrames).toBe(0);
    for (const frame of [pdpt, pd, pt]) expect(memory.isAllocated(frame)).toBe(false);
    // Unmapping the 2 MiB page empties PD and PDPT in turn.
    expect(table.unmap(region, M2, batch)).toBe(TLB_FLUSH.PAGE);
    expect(batch.pendingTableFrames).toBe(2);
    batch.flush(shootdown);
    expect(memory.freeFrames).toBe(freeBefore);
    expect(table.tableFrameCount).toBe(1);
  });

  it("keeps a table while it holds a present entry", () => {
    const { memory, table } = setup();
    const batch = new TlbFlushBatch();
    table.map(0x1000, 0x7000, K4, 0);
    table.map(0x2000, 0x8000, K4, 0);
    table.map(M2, 0x9000, K4, 0); // another PT under the same PD
    expect(table.tableFrameCount).toBe(5);
    expect(table.unmap(0x1000, K4, batch)).toBe(TLB_FLUSH.PAGE);
    expect(batch.pendingTableFrames).toBe(0);
    expect(table.unmap(0x2000, K4, batch)).toBe(TLB_FLUSH.PAGE);
    expect(batch.pendingTableFrames).toBe(1);
    expect(table.translate(M2)).toBe(0x9000);
    expect(table.unmap(M2, K4, batch)).toBe(TLB_FLUSH.PAGE);
    expect(batch.pendingTableFrames).toBe(4);
    const freeBefore = memory.freeFrames;
    batch.flush(recorder());
    expect(memory.freeFrames).toBe(freeBefore + 4);
    expect(table.destroy()).toBe(1);
    memory.assertNoLeaks();
  });

  it("a full flush past the ceiling still carries the freed tables", () => {
    const { memory, table } = setup();
    const batch = new TlbFlushBatch();
    const shootdown = recorder();
    for (let page = 0; page <= TLB_FLUSH_CEILING; page++) table.map(page * K4, page * K4, K4, PTE.G);
    for (let page = 0; page <= TLB_FLUSH_CEILING; page++) table.unmap(page * K4, K4, batch);
    expect(batch.pendingTableFrames).toBe(3);
    batch.flush(shootdown);
    expect(shootdown.calls).toEqual(["all +tables"]);
    table.destroy();
    memory.assertNoLeaks();
  });

  it("finds the next mapped page, skipping absent tables", () => {
    const { table } = setup();
    table.map(0x1000, 0x9000, K4, 0);
    table.map(2 ** 39 + 0x5000, 0xa000, K4, 0);
    expect(table.nextMapped(0, 2 ** 40)).toBe(0x1000);
    expect(table.nextMapped(0x1800, 2 ** 40)).toBe(0x1000);
    expect(table.nextMapped(0x2000, 2 ** 40)).toBe(2 ** 39 + 0x5000);
    expect(table.nextMapped(2 ** 39 + 0x6000, 2 ** 40)).toBe(NOT_MAPPED);
    expect(table.nextMapped(0x2000, 2 ** 39)).toBe(NOT_MAPPED);
  });

  it("builds a direct map from 2 MiB pages where aligned and 4 KiB pages elsewhere", () => {
    const { table } = setup();
    const base = -(2 ** 46);
    expect(table.mapDirect(base, 0, 2 * M2 + 2 * K4, PTE.RW | PTE.G, PTE_HIGH.NX)).toBe(TLB_FLUSH.NONE);
    expect(table.translate(base + M2 + 5)).toBe(M2 + 5);
    expect(table.translate(base + 2 * M2 + K4 + 7)).toBe(2 * M2 + K4 + 7);
    expect(table.translate(base + 2 * M2 + 2 * K4)).toBe(NOT_MAPPED);
    expect(table.unmap(base + M2, M2, new TlbFlushBatch())).toBe(TLB_FLUSH.PAGE);
    expect(table.mapDirect(base, 0, 100, 0)).toBe(EINVAL);
  });

  it("fails with ENOMEM when table frames run out, changing nothing, and frees every table", () => {
    for (const failEvery of [1, 2, 3]) {
      const memory = new MockMemoryController({ size: 4 * 2 ** 20, reservedFrames: 1 });
      const table = PageTable.create(memory, memory);
      if (table === ENOMEM) throw new Error("no root");
      memory.failEvery(failEvery);
      const results = [0, 1, 2, 3].map((i) => table.map(i * 2 ** 39, 0x1000, K4, 0));
      expect(results).toContain(ENOMEM);
      results.forEach((result, i) => {
        expect(table.translate(i * 2 ** 39)).toBe(result === ENOMEM ? NOT_MAPPED : 0x1000);
      });
      expect(table.destroy()).toBeGreaterThan(0);
      memory.assertNoLeaks();
    }
  });

  it("takes every missing table before linking any: an ENOMEM map leaves no frame behind", () => {
    for (const failEvery of [2, 3]) {
      const { memory, table } = setup(4);
      memory.failEvery(failEvery);
      const free = memory.freeFrames;
      const result = table.map(0x7f00_0000_0000, 0x1000, K4, 0);
      expect(result).toBe(ENOMEM);
      expect(memory.freeFrames).toBe(free);
      expect(table.tableFrameCount).toBe(1);
      expect(table.destroy()).toBe(1);
      memory.assertNoLeaks();
    }
  });

  it("translates like a map model under random map/unmap sequences", () => {
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 2047 }), fc.integer({ min: 1, max: 4000 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const { memory, table } = setup(2);
        const model = new Map<number, number>();
        const batch = new TlbFlushBatch();
        for (const [isMap, page, frame] of ops) {
          const virtual = page * K4 * 37; // spread over several PTs and PDs
          if (isMap) {
            const expected = model.has(virtual) ? EEXIST : TLB_FLUSH.NONE;
            expect(table.map(virtual, frame * K4, K4, PTE.RW)).toBe(expected);
            if (!model.has(virtual)) model.set(virtual, frame * K4);
          } else {
            const expected = model.has(virtual) ? TLB_FLUSH.PAGE : ENOENT;
            expect(table.unmap(virtual, K4, batch)).toBe(expected);
            model.delete(virtual);
          }
          expect(table.translate(virtual + 3)).toBe(
            model.has(virtual) ? model.get(virtual)! + 3 : NOT_MAPPED,
          );
        }
        for (const [virtual, physical] of model) expect(table.translate(virtual)).toBe(physical);
        // Unmapping everything unlinks every table but the PML4; the flush frees them all.
        for (const virtual of model.keys()) expect(table.unmap(virtual, K4, batch)).toBe(TLB_FLUSH.PAGE);
        batch.flush(recorder());
        expect(table.tableFrameCount).toBe(1);
        expect(memory.leaks()).toEqual([expect.objectContaining({ address: table.root, order: 0 })]);
        expect(table.destroy()).toBe(1);
        memory.assertNoLeaks();
      }),
      { numRuns: 40 },
    );
  });
});
