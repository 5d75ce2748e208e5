/**
 * mm's PageTable against the emulated CPU's MMU: the tables mm writes are
 * walked by `@tsos/hw-x86/emu`'s Cpu at CPL 3, and every access must land
 * where `PageTable.translate` says or fault with the #PF error code and CR2
 * the SDM prescribes for the rights mm wrote (Intel SDM vol 3A §4.6, §4.7).
 * TLB obligations returned by unmap / protect are honoured through INVLPG,
 * and the tests show that skipping them leaves stale translations.
 */
import { CR4, PAGE_SIZE, PF_ERROR, PTE, PTE_HIGH } from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import { TLB_FLUSH, TLB_FLUSH_CEILING, TlbFlushBatch } from "../src/index";
import { CODE, IDT_VIRTUAL, MmuRig, SYSCALL, VECTOR_PF } from "./emulated-mmu";

const K4 = PAGE_SIZE.SIZE_4K;
const M2 = PAGE_SIZE.SIZE_2M;
const { P, W, U, I } = PF_ERROR;
/** A user data page in a PML4 slot of its own. */
const DATA = 0x10_0000_0000;
const USER_RW = PTE.US | PTE.RW;

function fault(outcome: unknown): { vector: number; errorCode: number; cr2: bigint; rip: number } {
  if (typeof outcome !== "object" || outcome === null || !("fault" in outcome))
    throw new Error(`expected a fault, got ${JSON.stringify(outcome)}`);
  return outcome.fault as { vector: number; errorCode: number; cr2: bigint; rip: number };
}

/** A rig with one fresh 4 KiB frame mapped at DATA with `flags` / `highFlags`. */
function withPage(flags: number, highFlags: number = PTE_HIGH.NX): { rig: MmuRig; frame: number } {
  const rig = new MmuRig();
  const frame = rig.frame();
  rig.mustMap(DATA, frame, flags, highFlags);
  return { rig, frame };
}

describe("reads and writes land on the frames mm mapped", () => {
  it("4 KiB page: loads and stores reach frame + offset, as translate says", () => {
    const { rig, frame } = withPage(USER_RW);
    rig.ram.write8(frame + 0x123, 0xa7);
    expect(rig.load(DATA + 0x123)).toEqual({ byte: 0xa7 });
    expect(rig.store(DATA + 0xffe, 0x5c)).toBe(true);
    expect(rig.ram.read8(frame + 0xffe)).toBe(0x5c);
    expect(rig.table.translate(DATA + 0xffe)).toBe(frame + 0xffe);
    // The CPU set A and D in the leaf mm wrote (SDM vol 3A §4.8).
    const leaf = rig.table.leafFlags(DATA);
    expect(leaf & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
  });

  it("2 MiB page (PDE with PS): an offset deep in the page reaches the 2 MiB frame", () => {
    const rig = new MmuRig();
    const big = rig.frame(9);
    const virtual = 0x4000_0000;
    rig.mustMap(virtual, big, USER_RW, PTE_HIGH.NX, M2);
    const offset = 0x1_2345;
    rig.ram.write8(big + offset, 0x3e);
    expect(rig.load(virtual + offset)).toEqual({ byte: 0x3e });
    expect(rig.store(virtual + M2 - 1, 0x81)).toBe(true);
    expect(rig.ram.read8(big + M2 - 1)).toBe(0x81);
    expect(rig.table.translate(virtual + offset)).toBe(big + offset);
    // Just past the large page nothing is mapped.
    expect(fault(rig.load(virtual + M2)).errorCode).toBe(U);
  });

  it("two virtual pages on one frame alias", () => {
    const { rig, frame } = withPage(USER_RW);
    rig.mustMap(DATA + K4, frame, PTE.US, PTE_HIGH.NX);
    expect(rig.store(DATA + 8, 0x66)).toBe(true);
    expect(rig.load(DATA + K4 + 8)).toEqual({ byte: 0x66 });
  });
});

describe("#PF error code and CR2 follow mm's rights", () => {
  it("unmapped address (no tables at all, and a hole in an existing table): U, CR2 = address", () => {
    const { rig } = withPage(USER_RW);
    for (const address of [0x7f00_0000_0123, DATA + K4 + 7]) {
      const trap = fault(rig.load(address));
      expect(trap.vector).toBe(VECTOR_PF);
      expect(trap.errorCode).toBe(U);
      expect(trap.cr2).toBe(BigInt(address));
      expect(trap.rip).toBe(CODE);
      expect(rig.cpu.cr2).toBe(BigInt(address));
    }
    expect(fault(rig.store(DATA + K4, 1)).errorCode).toBe(W | U);
  });

  it("read-only page: reads succeed, writes fault P|W|U and leave the frame untouched", () => {
    const { rig, frame } = withPage(PTE.US);
    rig.ram.write8(frame + 5, 0x12);
    expect(rig.load(DATA + 5)).toEqual({ byte: 0x12 });
    const trap = fault(rig.store(DATA + 5, 0x99));
    expect(trap.errorCode).toBe(P | W | U);
    expect(trap.cr2).toBe(BigInt(DATA + 5));
    expect(rig.ram.read8(frame + 5)).toBe(0x12);
  });

  it("supervisor-only page: user reads fault P|U, writes P|W|U", () => {
    const { rig } = withPage(PTE.RW);
    expect(fault(rig.load(DATA)).errorCode).toBe(P | U);
    expect(fault(rig.store(DATA, 1)).errorCode).toBe(P | W | U);
    // The IDT mm mapped supervisor-only: a kernel address, CR2 sign-extended.
    const trap = fault(rig.load(IDT_VIRTUAL));
    expect(trap.errorCode).toBe(P | U);
    expect(trap.cr2).toBe(BigInt.asUintN(64, BigInt(IDT_VIRTUAL)));
  });

  it("NX page: data access works, a fetch faults P|U|I with CR2 = RIP = target", () => {
    const { rig, frame } = withPage(USER_RW, PTE_HIGH.NX);
    rig.ram.write16(frame, 0x050f); // syscall
    expect(rig.load(DATA)).toEqual({ byte: 0x0f });
    const trap = fault(rig.execute(DATA));
    expect(trap.errorCode).toBe(P | U | I);
    expect(trap.cr2).toBe(BigInt(DATA));
    expect(trap.rip).toBe(DATA);
  });

  it("executable page runs; a fetch from an unmapped page faults U|I", () => {
    const { rig, frame } = withPage(PTE.US, 0);
    rig.ram.write16(frame + 0x10, 0x050f); // syscall
    expect(rig.execute(DATA + 0x10)).toBe(true);
    expect(rig.lastTrap.rip).toBe(DATA + 0x12); // SYSCALL's return RIP, after the 2 bytes
    expect(fault(rig.execute(DATA + K4)).errorCode).toBe(U | I);
  });

  it("the code page mm mapped read-only cannot be written by the guest", () => {
    const rig = new MmuRig();
    expect(fault(rig.store(CODE + 0x800, 1)).errorCode).toBe(P | W | U);
  });
});

describe("kernel mappings", () => {
  it("an IDT inside a 2 MiB global direct map (mapDirect) delivers #PF; user access to it faults P|U", () => {
    const rig = new MmuRig();
    const region = rig.frame(9);
    const directBase = -(2 ** 46); // a kernel direct map, 2 MiB aligned
    expect(rig.table.mapDirect(directBase, region, M2, PTE.RW | PTE.G, PTE_HIGH.NX)).toBe(TLB_FLUSH.NONE);
    expect(rig.table.translate(directBase + 0x1234)).toBe(region + 0x1234);
    // Copy the IDT into the region and point IDTR at its direct-map alias.
    const idtOffset = 0x8_0000;
    rig.ram.bytes(region + idtOffset, 4096).set(rig.ram.bytes(rig.idtFrame, 4096));
    rig.ram.bytes(rig.idtFrame, 4096).fill(0); // the old IDT is gone
    rig.cpu.setIdtr(BigInt.asUintN(64, BigInt(directBase + idtOffset)), 256 * 16 - 1);
    const trap = fault(rig.load(DATA));
    expect(trap.errorCode).toBe(U);
    const user = fault(rig.load(directBase + 5));
    expect(user.errorCode).toBe(P | U);
    expect(user.cr2).toBe(BigInt.asUintN(64, BigInt(directBase + 5)));
  });

  it("a store straddling into a read-only page faults on the second page and writes nothing", () => {
    const rig = new MmuRig();
    const first = rig.frame();
    const second = rig.frame();
    rig.mustMap(DATA, first, USER_RW, PTE_HIGH.NX);
    rig.mustMap(DATA + K4, second, PTE.US, PTE_HIGH.NX);
    // mov [rbx], ax ; syscall — two bytes at the last byte of the writable page.
    rig.run(`668903 ${SYSCALL}`, DATA + K4 - 1, 0xbbaa);
    const trap = rig.lastTrap;
    expect(trap.vector).toBe(VECTOR_PF);
    expect(trap.errorCode).toBe(P | W | U);
    expect(trap.cr2).toBe(BigInt(DATA + K4));
    expect(rig.ram.read8(first + K4 - 1)).toBe(0);
    expect(rig.ram.read8(second)).toBe(0);
  });
});

describe("TLB obligations from unmap and protect", () => {
  it("unmap: a stale translation survives until the page is invalidated", () => {
    const { rig, frame } = withPage(USER_RW);
    rig.ram.write8(frame, 0x44);
    expect(rig.load(DATA)).toEqual({ byte: 0x44 }); // the CPU caches the translation
    const batch = new TlbFlushBatch();
    expect(rig.table.unmap(DATA, K4, batch)).toBe(TLB_FLUSH.PAGE);
    expect(Array.from(batch.pages.subarray(0, batch.pageCount))).toEqual([DATA]);
    // Not flushed yet: the TLB may (and here does) still translate (SDM vol 3A §4.10.4.2).
    expect(rig.load(DATA)).toEqual({ byte: 0x44 });
    batch.flush(rig.shootdown);
    expect(batch.isEmpty).toBe(true);
    const trap = fault(rig.load(DATA));
    expect(trap.errorCode).toBe(U);
    expect(trap.cr2).toBe(BigInt(DATA));
  });

  it("protect RW → RO: a stale writable entry allows a write until INVLPG", () => {
    const { rig, frame } = withPage(USER_RW);
    expect(rig.store(DATA + 1, 0x10)).toBe(true); // caches a writable, dirty translation
    const batch = new TlbFlushBatch();
    expect(rig.table.protect(DATA, K4, PTE.US, PTE_HIGH.NX, batch)).toBe(TLB_FLUSH.PAGE);
    expect(rig.store(DATA + 1, 0x20)).toBe(true);
    expect(rig.ram.read8(frame + 1)).toBe(0x20);
    batch.flush(rig.shootdown);
    expect(fault(rig.store(DATA + 1, 0x30)).errorCode).toBe(P | W | U);
    expect(rig.ram.read8(frame + 1)).toBe(0x20);
    expect(rig.load(DATA + 1)).toEqual({ byte: 0x20 });
  });

  it("protect to supervisor-only and to NX take effect after the flush", () => {
    const { rig, frame } = withPage(PTE.US, 0);
    rig.ram.write16(frame, 0x050f); // syscall
    expect(rig.execute(DATA)).toBe(true);
    const batch = new TlbFlushBatch();
    rig.table.protect(DATA, K4, PTE.US, PTE_HIGH.NX, batch);
    batch.flush(rig.shootdown);
    expect(fault(rig.execute(DATA)).errorCode).toBe(P | U | I);
    rig.table.protect(DATA, K4, 0, PTE_HIGH.NX, batch);
    batch.flush(rig.shootdown);
    expect(fault(rig.load(DATA)).errorCode).toBe(P | U);
    expect(rig.table.translate(DATA)).toBe(frame);
  });

  it("unmap of a 2 MiB page records one flush that invalidates the whole page", () => {
    const rig = new MmuRig();
    const big = rig.frame(9);
    const virtual = 0x4000_0000;
    rig.mustMap(virtual, big, USER_RW, PTE_HIGH.NX, M2);
    rig.ram.write8(big + 0x10_0000, 9);
    expect(rig.load(virtual + 0x10_0000)).toEqual({ byte: 9 });
    const batch = new TlbFlushBatch();
    expect(rig.table.unmap(virtual, M2, batch)).toBe(TLB_FLUSH.PAGE);
    expect(batch.pageCount).toBe(1);
    batch.flush(rig.shootdown);
    expect(fault(rig.load(virtual + 0x10_0000)).errorCode).toBe(U);
  });

  it("4 KiB page unmapped, batch flushed: a 2 MiB page over its region is walked by the CPU", () => {
    const rig = new MmuRig();
    const region = 0x4000_0000;
    const small = rig.frame();
    rig.mustMap(region + 3 * K4, small, USER_RW, PTE_HIGH.NX);
    rig.ram.write8(small + 5, 0x11);
    expect(rig.load(region + 3 * K4 + 5)).toEqual({ byte: 0x11 }); // cached by the TLB
    const free = rig.buddy.freeFrames;
    const batch = new TlbFlushBatch();
    expect(rig.table.unmap(region + 3 * K4, K4, batch)).toBe(TLB_FLUSH.PAGE);
    // The emptied PT and PD wait in the batch (the PDPT still maps CODE); the buddy gets them after the shootdown.
    expect(batch.pendingTableFrames).toBe(2);
    expect(rig.buddy.freeFrames).toBe(free);
    batch.flush(rig.shootdown);
    expect(rig.buddy.freeFrames).toBe(free + 2);
    const big = rig.frame(9);
    rig.ram.write8(big + 3 * K4 + 5, 0x22);
    expect(rig.table.map(region, big, M2, USER_RW, PTE_HIGH.NX)).toBe(TLB_FLUSH.NONE);
    expect(rig.load(region + 3 * K4 + 5)).toEqual({ byte: 0x22 });
    expect(rig.load(region + M2 - 1)).toEqual({ byte: 0 });
    expect(rig.table.translate(region + 3 * K4 + 5)).toBe(big + 3 * K4 + 5);
  });

  it("a newly mapped page needs no flush (not-present entries are not cached)", () => {
    const rig = new MmuRig();
    expect(fault(rig.load(DATA)).errorCode).toBe(U);
    const frame = rig.frame();
    rig.ram.write8(frame, 0x71);
    expect(rig.table.map(DATA, frame, K4, USER_RW, PTE_HIGH.NX)).toBe(TLB_FLUSH.NONE);
    expect(rig.load(DATA)).toEqual({ byte: 0x71 });
  });

  it("a global page survives a CR3 reload (CR4.PGE) but not INVLPG", () => {
    const { rig, frame } = withPage(USER_RW | PTE.G);
    rig.cpu.cr4 = rig.cpu.cr4 | CR4.PGE;
    rig.ram.write8(frame, 0x5a);
    expect(rig.load(DATA)).toEqual({ byte: 0x5a });
    const batch = new TlbFlushBatch();
    rig.table.unmap(DATA, K4, batch);
    const cr3 = rig.cpu.cr3;
    rig.cpu.cr3 = cr3; // a full non-global flush
    expect(rig.load(DATA)).toEqual({ byte: 0x5a });
    batch.flush(rig.shootdown);
    expect(fault(rig.load(DATA)).errorCode).toBe(U);
  });

  it("past the ceiling, a batch that unmapped a global page flushes global entries too", () => {
    const { rig, frame } = withPage(USER_RW | PTE.G);
    rig.cpu.cr4 = rig.cpu.cr4 | CR4.PGE;
    rig.ram.write8(frame, 0x3c);
    expect(rig.load(DATA)).toEqual({ byte: 0x3c });
    const batch = new TlbFlushBatch();
    const others = TLB_FLUSH_CEILING + 1;
    for (let index = 1; index <= others; index++) rig.mustMap(DATA + index * K4, frame, USER_RW, PTE_HIGH.NX);
    expect(rig.table.unmap(DATA, K4, batch)).toBe(TLB_FLUSH.PAGE);
    for (let index = 1; index <= others; index++) rig.table.unmap(DATA + index * K4, K4, batch);
    expect(batch.fullFlush).toBe(true);
    expect(batch.includesGlobal).toBe(true);
    batch.flush(rig.shootdown);
    expect(fault(rig.load(DATA)).errorCode).toBe(U);
  });

  it("a full flush without global pages keeps other global entries (CR3 reload only)", () => {
    const { rig, frame } = withPage(USER_RW | PTE.G);
    rig.cpu.cr4 = rig.cpu.cr4 | CR4.PGE;
    rig.ram.write8(frame, 0x3d);
    expect(rig.load(DATA)).toEqual({ byte: 0x3d });
    const batch = new TlbFlushBatch();
    for (let index = 1; index <= TLB_FLUSH_CEILING + 1; index++) {
      rig.mustMap(DATA + index * K4, frame, USER_RW, PTE_HIGH.NX);
      rig.table.unmap(DATA + index * K4, K4, batch);
    }
    expect(batch.includesGlobal).toBe(false);
    const calls: boolean[] = [];
    batch.flush({
      flushPages: () => calls.push(false),
      flushAll: (includeGlobal) => calls.push(includeGlobal),
    });
    expect(calls).toEqual([false]);
    expect(batch.isEmpty).toBe(true);
  });

  it("guest code written through a mapping mm made runs", () => {
    const rig = new MmuRig();
    // mov al, [rbx] ; syscall — run twice with different bytes behind RBX.
    const frame = rig.frame();
    rig.mustMap(DATA, frame, PTE.US, PTE_HIGH.NX);
    rig.ram.write8(frame, 1);
    rig.run(`8a03 ${SYSCALL}`, DATA);
    expect(rig.al).toBe(1);
    rig.ram.write8(frame, 2);
    rig.run(`8a03 ${SYSCALL}`, DATA);
    expect(rig.al).toBe(2);
  });
});
