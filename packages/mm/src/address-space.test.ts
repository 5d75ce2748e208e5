import { PF_ERROR, PTE } from "@tsos/hw-x86";
import { MockMemoryController } from "@tsos/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AddressSpace } from "./address-space";
import { EEXIST, EFAULT, EINVAL, ENOMEM, ENOSYS, EPERM } from "./errors";
import { FrameRefCounts } from "./frame-ref-counts";
import { FAULT, MAP, PROT } from "./mman";
import { NOT_MAPPED } from "./page-table";
import { copyFromUser, copyToUser, strncpyFromUser } from "./user-copy";

const PAGE = 4096;
const ANON = MAP.PRIVATE | MAP.ANONYMOUS;
const RW = PROT.READ | PROT.WRITE;
const USER_READ = PF_ERROR.U;
const USER_WRITE = PF_ERROR.U | PF_ERROR.W;

function setup(mebibytes = 16) {
  const memory = new MockMemoryController({ size: mebibytes * 2 ** 20, reservedFrames: 1 });
  const refCounts = new FrameRefCounts(memory.frameCount);
  const flushes: number[][] = [];
  /** Free frames seen at each shootdown (deferred frames must not be free yet). */
  const freeAtShootdown: number[] = [];
  const shootdown = {
    flushPages: (pages: Float64Array, count: number) => {
      freeAtShootdown.push(memory.freeFrames);
      flushes.push(Array.from(pages.subarray(0, count)));
    },
    flushAll: () => flushes.push([-1]),
  };
  const space = AddressSpace.create({ memory, frames: memory, refCounts, shootdown });
  if (space === ENOMEM) throw new Error("no PML4");
  return { memory, refCounts, space, flushes, freeAtShootdown };
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

describe("AddressSpace mmap and demand paging", () => {
  it("places anonymous mappings top-down and backs them with zeroed frames on first touch", () => {
    const { memory, space } = setup();
    const a = space.mmap(0, 3 * PAGE, RW, ANON);
    const b = space.mmap(0, PAGE, RW, ANON);
    expect(a % PAGE).toBe(0);
    expect(b).toBe(a - PAGE);
    expect(space.pageTable.translate(a)).toBe(NOT_MAPPED);
    const before = memory.freeFrames;
    expect(space.handlePageFault(a + 5, USER_READ)).toBe(FAULT.RESOLVED);
    expect(memory.freeFrames).toBeLessThan(before);
    const out = new Uint8Array(4).fill(9);
    expect(copyFromUser(space, memory, a + 5, out)).toBe(0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    expect(copyToUser(space, memory, a + PAGE - 2, bytes(1, 2, 3, 4))).toBe(0); // crosses a page
    const back = new Uint8Array(4);
    copyFromUser(space, memory, a + PAGE - 2, back);
    expect(Array.from(back)).toEqual([1, 2, 3, 4]);
  });

  it("validates mmap arguments as Linux does", () => {
    const { space } = setup();
    expect(space.mmap(0, 0, RW, ANON)).toBe(EINVAL);
    expect(space.mmap(0, PAGE, RW, MAP.ANONYMOUS)).toBe(EINVAL);
    expect(space.mmap(0, PAGE, 8, ANON)).toBe(EINVAL);
    expect(space.mmap(0, PAGE, RW, MAP.PRIVATE, 3)).toBe(ENOSYS);
    expect(space.mmap(0x10_0001, PAGE, RW, ANON | MAP.FIXED)).toBe(EINVAL);
    expect(space.mmap(0x1000, PAGE, RW, ANON | MAP.FIXED)).toBe(EPERM);
    expect(space.mmap(0x10_0000, PAGE, RW, ANON | MAP.FIXED)).toBe(0x10_0000);
    expect(space.mmap(0x10_0000, PAGE, RW, ANON | MAP.FIXED_NOREPLACE)).toBe(EEXIST);
    expect(space.mmap(0x10_0000, PAGE, RW, ANON)).not.toBe(0x10_0000); // taken hint: placed elsewhere
    expect(space.mmap(0x20_0000, PAGE, RW, ANON)).toBe(0x20_0000); // free hint honoured
  });

  it("replaces the pages under a MAP_FIXED mapping and frees the old frames", () => {
    const { memory, space } = setup();
    const at = space.mmap(0x40_0000, 2 * PAGE, RW, ANON | MAP.FIXED);
    copyToUser(space, memory, at, bytes(7));
    expect(space.mmap(at, PAGE, RW, ANON | MAP.FIXED)).toBe(at);
    const out = new Uint8Array(1);
    copyFromUser(space, memory, at, out);
    expect(out[0]).toBe(0);
  });
});

describe("AddressSpace munmap, mprotect, brk and faults", () => {
  it("splits areas on munmap, frees their frames and shoots down the pages once", () => {
    const { memory, space, flushes, freeAtShootdown } = setup();
    const at = space.mmap(0x40_0000, 4 * PAGE, RW, ANON | MAP.FIXED);
    for (let i = 0; i < 4; i++) space.handlePageFault(at + i * PAGE, USER_WRITE);
    const free = memory.freeFrames;
    expect(space.munmap(at + PAGE, 2 * PAGE)).toBe(0);
    expect(freeAtShootdown).toEqual([free]); // the frames came back only after the shootdown
    expect(memory.freeFrames).toBe(free + 2);
    expect(space.vmas.count).toBe(2);
    expect(flushes).toEqual([[at + PAGE, at + 2 * PAGE]]);
    expect(space.handlePageFault(at + PAGE, USER_READ)).toBe(FAULT.SEGV_MAPERR);
    expect(space.munmap(at + 1, PAGE)).toBe(EINVAL);
  });

  it("enforces mprotect rights in the PTEs and in faults", () => {
    const { memory, space } = setup();
    const at = space.mmap(0x40_0000, 2 * PAGE, RW, ANON | MAP.FIXED);
    space.handlePageFault(at, USER_WRITE);
    expect(space.pageTable.leafFlags(at) & (PTE.RW | PTE.US)).toBe(PTE.RW | PTE.US);
    expect(space.mprotect(at, 2 * PAGE, PROT.READ | PROT.EXEC)).toBe(0);
    expect(space.pageTable.leafFlags(at) & PTE.RW).toBe(0);
    expect(space.handlePageFault(at, USER_WRITE | PF_ERROR.P)).toBe(FAULT.SEGV_ACCERR);
    expect(space.mprotect(at, PAGE, PROT.NONE)).toBe(0);
    expect(space.handlePageFault(at, USER_READ | PF_ERROR.P)).toBe(FAULT.SEGV_ACCERR);
    expect(copyFromUser(space, memory, at, new Uint8Array(1))).toBe(EFAULT);
    expect(space.mprotect(at, PAGE, PROT.READ)).toBe(0);
    expect(copyFromUser(space, memory, at, new Uint8Array(1))).toBe(0);
    expect(space.handlePageFault(at + PAGE, PF_ERROR.U | PF_ERROR.I)).toBe(FAULT.RESOLVED);
    expect(space.mprotect(at, PAGE, PROT.READ)).toBe(0);
    expect(space.handlePageFault(at, PF_ERROR.U | PF_ERROR.I)).toBe(FAULT.SEGV_ACCERR);
    expect(space.mprotect(at, 8 * PAGE, PROT.READ)).toBe(ENOMEM);
    expect(space.mprotect(at + 3, PAGE, PROT.READ)).toBe(EINVAL);
  });

  it("moves the break like brk(2)", () => {
    const { memory, space } = setup();
    expect(space.brk(12345)).toBe(0); // no heap yet
    space.setBrkStart(0x60_0123);
    expect(space.brkStart).toBe(0x60_1000);
    expect(space.brk(0)).toBe(0x60_1000);
    expect(space.brk(0x60_1000 + 10_000)).toBe(0x60_1000 + 10_000);
    expect(copyToUser(space, memory, 0x60_1000 + 9_000, bytes(5))).toBe(0);
    expect(space.brk(0x60_1000 + 100)).toBe(0x60_1000 + 100);
    expect(space.handlePageFault(0x60_1000 + 9_000, USER_READ)).toBe(FAULT.SEGV_MAPERR);
    space.mmap(0x61_0000, PAGE, RW, ANON | MAP.FIXED);
    expect(space.brk(0x62_0000)).toBe(0x60_1000 + 100); // would overlap: refused
  });

  it("grows a MAP_GROWSDOWN stack on faults below it, but not into the guard gap", () => {
    const { space } = setup();
    const top = 0x7000_0000;
    space.mmap(top - 16 * PAGE, 16 * PAGE, RW, ANON | MAP.FIXED | MAP.GROWSDOWN);
    expect(space.handlePageFault(top - 20 * PAGE + 8, USER_WRITE)).toBe(FAULT.RESOLVED);
    expect(space.vmas.startAt(space.vmas.find(top - PAGE))).toBe(top - 20 * PAGE);
    space.mmap(top - 400 * PAGE, PAGE, RW, ANON | MAP.FIXED);
    expect(space.handlePageFault(top - 300 * PAGE, USER_WRITE)).toBe(FAULT.SEGV_MAPERR);
    expect(space.handlePageFault(-4096, USER_READ)).toBe(FAULT.SEGV_MAPERR);
  });

  it("grows a stack only up to stackLimit (RLIMIT_STACK), which forks inherit", () => {
    const { space } = setup();
    const top = 0x7000_0000;
    space.stackLimit = 64 * PAGE;
    space.mmap(top - 16 * PAGE, 16 * PAGE, RW, ANON | MAP.FIXED | MAP.GROWSDOWN);
    expect(space.handlePageFault(top - 64 * PAGE, USER_WRITE)).toBe(FAULT.RESOLVED);
    expect(space.handlePageFault(top - 65 * PAGE, USER_WRITE)).toBe(FAULT.SEGV_MAPERR);
    const child = space.fork();
    if (typeof child === "number") throw new Error("fork failed");
    expect(child.stackLimit).toBe(64 * PAGE);
    child.stackLimit = Number.POSITIVE_INFINITY;
    expect(child.handlePageFault(top - 65 * PAGE, USER_WRITE)).toBe(FAULT.RESOLVED);
    child.destroy();
  });
});

describe("AddressSpace fork and user copies", () => {
  it("shares pages copy-on-write and copies only while shared", () => {
    const { memory, refCounts, space } = setup();
    const at = space.mmap(0x40_0000, PAGE, RW, ANON | MAP.FIXED);
    copyToUser(space, memory, at, bytes(1));
    const child = space.fork();
    if (child === ENOMEM) throw new Error("fork failed");
    const frame = space.pageTable.translate(at);
    expect(child.pageTable.translate(at)).toBe(frame);
    expect(refCounts.get(frame)).toBe(2);
    expect(space.pageTable.leafFlags(at) & PTE.RW).toBe(0);
    expect(copyToUser(child, memory, at, bytes(2))).toBe(0);
    expect(child.pageTable.translate(at)).not.toBe(frame);
    const out = new Uint8Array(1);
    copyFromUser(space, memory, at, out);
    expect(out[0]).toBe(1);
    expect(refCounts.get(frame)).toBe(1);
    expect(space.handlePageFault(at, USER_WRITE | PF_ERROR.P)).toBe(FAULT.RESOLVED);
    expect(space.pageTable.translate(at)).toBe(frame); // last sharer: made writable in place
    child.destroy();
    space.destroy();
    memory.assertNoLeaks();
  });

  it("counts faults by kind, in counters a fork's child shares", () => {
    const { memory, space } = setup();
    const at = space.mmap(0x40_0000, 2 * PAGE, RW, ANON | MAP.FIXED);
    const readOnly = space.mmap(0x50_0000, PAGE, PROT.READ, ANON | MAP.FIXED);
    const top = 0x7000_0000;
    space.mmap(top - PAGE, PAGE, RW, ANON | MAP.FIXED | MAP.GROWSDOWN);
    expect(space.handlePageFault(at, USER_WRITE)).toBe(FAULT.RESOLVED); // demand-zero
    expect(space.handlePageFault(at, USER_READ | PF_ERROR.P)).toBe(FAULT.RESOLVED); // spurious
    expect(space.handlePageFault(readOnly, USER_WRITE)).toBe(FAULT.SEGV_ACCERR);
    expect(space.handlePageFault(0x60_0000, USER_READ)).toBe(FAULT.SEGV_MAPERR);
    expect(space.handlePageFault(2 ** 47, USER_READ)).toBe(FAULT.SEGV_MAPERR);
    expect(space.handlePageFault(top - 2 * PAGE, USER_WRITE)).toBe(FAULT.RESOLVED); // growth + zero
    const child = space.fork();
    if (child === ENOMEM) throw new Error("fork failed");
    expect(child.faults).toBe(space.faults);
    expect(child.handlePageFault(at, USER_WRITE | PF_ERROR.P)).toBe(FAULT.RESOLVED); // copied
    expect(space.handlePageFault(at, USER_WRITE | PF_ERROR.P)).toBe(FAULT.RESOLVED); // reused
    expect(space.faults.snapshot()).toEqual({
      total: 8,
      demandZero: 2,
      copyOnWrite: 1,
      copyOnWriteReused: 1,
      spurious: 1,
      stackGrowth: 1,
      protection: 1,
      unmapped: 2,
      outOfMemory: 0,
    });
    child.destroy();
    space.destroy();
    memory.assertNoLeaks();
  });

  it("keeps MAP_SHARED pages shared across fork", () => {
    const { memory, space } = setup();
    const at = space.mmap(0x40_0000, PAGE, RW, MAP.SHARED | MAP.ANONYMOUS | MAP.FIXED);
    copyToUser(space, memory, at, bytes(1));
    const child = space.fork();
    if (child === ENOMEM) throw new Error("fork failed");
    expect(copyToUser(child, memory, at, bytes(9))).toBe(0);
    const out = new Uint8Array(1);
    copyFromUser(space, memory, at, out);
    expect(out[0]).toBe(9);
    child.destroy();
    space.destroy();
    memory.assertNoLeaks();
  });

  it("returns EFAULT for kernel and unmapped addresses and copies strings across pages", () => {
    const { memory, space } = setup();
    expect(copyFromUser(space, memory, -8, new Uint8Array(4))).toBe(EFAULT);
    expect(copyFromUser(space, memory, 2 ** 47 - 2, new Uint8Array(4))).toBe(EFAULT);
    expect(copyToUser(space, memory, 0x50_0000, bytes(1))).toBe(EFAULT);
    const at = space.mmap(0x40_0000, 2 * PAGE, RW, ANON | MAP.FIXED);
    copyToUser(space, memory, at + PAGE - 3, new TextEncoder().encode("hello\0"));
    const out = new Uint8Array(16);
    expect(strncpyFromUser(space, memory, at + PAGE - 3, out)).toBe(5);
    expect(new TextDecoder().decode(out.subarray(0, 5))).toBe("hello");
    expect(strncpyFromUser(space, memory, at + PAGE - 3, new Uint8Array(3))).toBe(3);
    expect(strncpyFromUser(space, memory, at + 2 * PAGE - 1, new Uint8Array(4))).toBe(0); // the page is zero
    expect(strncpyFromUser(space, memory, 0x50_0000, out)).toBe(EFAULT);
  });

  it("keeps its areas equal to an interval model under random mmap/munmap/mprotect", () => {
    const pages = 64;
    const base = 0x100_0000;
    const op = fc.tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.nat(pages - 1),
      fc.integer({ min: 1, max: 8 }),
      fc.nat(7),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const { memory, space } = setup(2);
        const model: (number | undefined)[] = new Array(pages).fill(undefined);
        for (const [kind, first, count, prot] of ops) {
          const n = Math.min(count, pages - first);
          const address = base + first * PAGE;
          if (kind === 0) {
            expect(space.mmap(address, n * PAGE, prot, ANON | MAP.FIXED)).toBe(address);
            for (let p = first; p < first + n; p++) model[p] = prot;
            if (prot !== 0) space.handlePageFault(address, USER_READ);
          } else if (kind === 1) {
            expect(space.munmap(address, n * PAGE)).toBe(0);
            for (let p = first; p < first + n; p++) model[p] = undefined;
          } else {
            const covered = model.slice(first, first + n).every((value) => value !== undefined);
            expect(space.mprotect(address, n * PAGE, prot)).toBe(covered ? 0 : ENOMEM);
            if (covered) for (let p = first; p < first + n; p++) model[p] = prot;
          }
        }
        for (let p = 0; p < pages; p++) {
          const index = space.vmas.find(base + p * PAGE);
          expect(index < 0 ? undefined : space.vmas.protAt(index)).toBe(model[p]);
        }
        for (let i = 1; i < space.vmas.count; i++) {
          expect(space.vmas.startAt(i)).toBeGreaterThanOrEqual(space.vmas.endAt(i - 1));
          const touching = space.vmas.startAt(i) === space.vmas.endAt(i - 1);
          expect(touching && space.vmas.protAt(i) === space.vmas.protAt(i - 1)).toBe(false);
        }
        space.destroy();
        memory.assertNoLeaks();
      }),
      { numRuns: 50 },
    );
  });
});
