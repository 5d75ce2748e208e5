/**
 * MMU behaviour (SDM vol 3 §4.5–4.10): #PF error codes and CR2 for
 * not-present, write-protect, user/supervisor, NX and reserved-bit faults;
 * A/D updates; TLB invalidation by INVLPG vs CR3 reload vs global pages;
 * canonical checks (#GP(0), #SS(0) for stack references); accesses that
 * straddle pages.
 */
import { describe, expect, it } from "vitest";
import { Bus } from "../src/emu/bus";
import { CR4, EFER, MSR, PTE, PTE_HIGH_XD } from "../src/emu/cpu/arch-bits";
import { Cpu } from "../src/emu/cpu/cpu";
import { GPR } from "../src/interfaces/cpu-context";
import { CODE, Harness, runSnippet, USER_RO, USER_RW } from "./cpu-harness";

const P = 1;
const W = 2;
const U = 4;
const RSVD = 8;
const I = 16;
const SPARE = 0x800000; // an unmapped user address

function withNx(h: Harness): void {
  h.cpu.msrs.write(MSR.EFER, BigInt(EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE));
}

describe("#PF error codes and CR2", () => {
  it("read of a not-present page: U only", () => {
    // mov eax, [0x800000]
    const h = runSnippet("8b042500008000");
    expect(h.lastTrap.vector).toBe(14);
    expect(h.lastTrap.errorCode).toBe(U);
    expect(h.lastTrap.cr2).toBe(BigInt(SPARE));
    expect(h.lastTrap.rip).toBe(BigInt(CODE));
    expect(h.cpu.cr2).toBe(BigInt(SPARE));
  });
  it("write to a read-only page: P|W|U", () => {
    // mov [0x800000], eax
    const h = runSnippet("89042500008000", (harness) => harness.mapFresh(SPARE, 1, USER_RO));
    expect(h.lastTrap.errorCode).toBe(P | W | U);
  });
  it("user read of a supervisor page: P|U", () => {
    const h = runSnippet("8b042500008000", (harness) => harness.mapFresh(SPARE, 1, PTE.P | PTE.RW));
    expect(h.lastTrap.errorCode).toBe(P | U);
  });
  it("RW must be set at every level for a user write", () => {
    const h = runSnippet("89042500008000", (harness) => {
      harness.mapFresh(SPARE, 1, USER_RW);
      const pde = harness.entryAddress(SPARE, 2);
      harness.ram.write32(pde, harness.ram.read32(pde) & ~PTE.RW);
    });
    expect(h.lastTrap.errorCode).toBe(P | W | U);
  });
  it("fetch from an NX page with EFER.NXE: P|U|I", () => {
    // jmp to 0x800000 via rax: mov eax, 0x800000 ; jmp rax
    const h = runSnippet("b800008000 ffe0", (harness) => {
      withNx(harness);
      const frame = harness.allocateFrame();
      harness.map(SPARE, frame, USER_RW, 1, PTE_HIGH_XD);
    });
    expect(h.lastTrap.vector).toBe(14);
    expect(h.lastTrap.errorCode).toBe(P | U | I);
    expect(h.lastTrap.rip).toBe(BigInt(SPARE));
  });
  it("fetch from a not-present page sets I only when NXE is on", () => {
    let h = runSnippet("b800008000 ffe0", withNx);
    expect(h.lastTrap.errorCode).toBe(U | I);
    h = runSnippet("b800008000 ffe0");
    expect(h.lastTrap.errorCode).toBe(U);
  });
  it("XD set without EFER.NXE is a reserved bit: P|U|RSVD", () => {
    const h = runSnippet("8b042500008000", (harness) => {
      harness.map(SPARE, harness.allocateFrame(), USER_RW, 1, PTE_HIGH_XD);
    });
    expect(h.lastTrap.errorCode).toBe(P | U | RSVD);
  });
  it("address bits above MAXPHYADDR are reserved", () => {
    const h = runSnippet("8b042500008000", (harness) => {
      harness.map(SPARE, harness.allocateFrame(), USER_RW, 1, 1 << 19);
    });
    expect(h.lastTrap.errorCode).toBe(P | U | RSVD);
  });
  it("a read straddling into an unmapped page faults with CR2 on the second page", () => {
    // mov eax, [0x7ffffe]: two bytes on the mapped page below SPARE, two on unmapped SPARE
    const h = runSnippet("8b0425feff7f00", (harness) => harness.mapFresh(SPARE - 4096, 1, USER_RW));
    expect(h.lastTrap.vector).toBe(14);
    expect(h.lastTrap.cr2).toBe(BigInt(SPARE));
  });
  it("a straddling write that faults on the second page writes nothing", () => {
    // mov eax, 0x11223344 ; mov [0x7ffffe], eax
    const h = runSnippet("b844332211 890425feff7f00", (harness) =>
      harness.mapFresh(SPARE - 4096, 1, USER_RW),
    );
    expect(h.lastTrap.errorCode).toBe(U | W);
    expect(h.ram.read16(h.physical(SPARE - 2))).toBe(0);
  });
});

describe("large pages, A/D bits", () => {
  it("2 MiB and 1 GiB pages translate", () => {
    // mov eax, [0x40000010] (1 GiB page at 1 GiB → physical 0) ; mov ebx, [0x20200008] (2 MiB page)
    const h = runSnippet("8b042510000040 8b1c2508002020", (harness) => {
      harness.ram.write32(0x10, 0xcafe);
      harness.map(0x40000000, 0, USER_RW, 3);
      harness.ram.write32(0x200008, 0xbeef);
      harness.map(0x20200000, 0x200000, USER_RW, 2);
    });
    expect(h.get(GPR.RAX)).toBe(0xcafen);
    expect(h.get(GPR.RBX)).toBe(0xbeefn);
  });
  it("reads set A; writes set D", () => {
    let pte = 0;
    const h = new Harness();
    h.load("8b042500008000 0f05 89042500008000 0f05");
    pte = h.map(SPARE, h.allocateFrame(), USER_RW);
    h.run();
    expect(h.ram.read32(pte) & (PTE.A | PTE.D)).toBe(PTE.A);
    h.run();
    expect(h.ram.read32(pte) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
  });
});

/** MOV CR3, CR3: reloads the same root. */
function reloadCr3(h: Harness): void {
  const root = h.cpu.cr3;
  h.cpu.cr3 = root;
}

describe("TLB invalidation", () => {
  function remapTest(invalidate: (h: Harness) => void, global: boolean): [number, number] {
    const h = new Harness();
    // mov eax, [0x800000] ; syscall ; mov eax, [0x800000] ; syscall
    h.load("8b042500008000 0f05 8b042500008000 0f05");
    const first = h.allocateFrame();
    const second = h.allocateFrame();
    h.ram.write32(first, 1);
    h.ram.write32(second, 2);
    if (global) h.cpu.cr4 = h.cpu.cr4 | CR4.PGE;
    h.map(SPARE, first, USER_RW | (global ? PTE.G : 0));
    h.run();
    const before = Number(h.get(GPR.RAX));
    h.map(SPARE, second, USER_RW | (global ? PTE.G : 0));
    invalidate(h);
    h.run();
    return [before, Number(h.get(GPR.RAX))];
  }
  it("without invalidation the stale translation is used", () => {
    expect(remapTest(() => {}, false)).toEqual([1, 1]);
  });
  it("INVLPG drops it", () => {
    expect(remapTest((h) => h.cpu.invlpg(BigInt(SPARE)), false)).toEqual([1, 2]);
  });
  it("a CR3 reload drops non-global entries", () => {
    expect(remapTest(reloadCr3, false)).toEqual([1, 2]);
  });
  it("global entries survive a CR3 reload but not INVLPG", () => {
    expect(remapTest(reloadCr3, true)).toEqual([1, 1]);
    expect(remapTest((h) => h.cpu.invlpg(BigInt(SPARE)), true)).toEqual([1, 2]);
  });
});

describe("TLB flushes visit only filled entries", () => {
  it("over repeated CR3 reloads non-global pages always remap and a global one stays cached", () => {
    const h = new Harness();
    // (mov eax, [0x800000] ; mov ebx, [0x801000] ; syscall) × 3
    const round = "8b042500008000 8b1c2500108000 0f05";
    h.load(`${round} ${round} ${round}`);
    h.cpu.cr4 = h.cpu.cr4 | CR4.PGE;
    const frames = Array.from({ length: 6 }, (_, index) => {
      const frame = h.allocateFrame();
      h.ram.write32(frame, 10 + index);
      return frame;
    });
    const seen: [number, number][] = [];
    for (let pass = 0; pass < 3; pass++) {
      h.map(SPARE, frames[pass * 2]!, USER_RW | PTE.G);
      h.map(SPARE + 0x1000, frames[pass * 2 + 1]!, USER_RW);
      reloadCr3(h);
      h.run();
      seen.push([Number(h.get(GPR.RAX)), Number(h.get(GPR.RBX))]);
    }
    // The global page keeps its first translation through every reload; the other follows each remap.
    expect(seen).toEqual([
      [10, 11],
      [10, 13],
      [10, 15],
    ]);
  });
});

describe("canonical addresses", () => {
  it("a non-canonical data address raises #GP(0)", () => {
    // movabs rbx, 0x0000800000000000 ; mov eax, [rbx]
    const h = runSnippet("48bb0000000000800000 8b03");
    expect(h.lastTrap.vector).toBe(13);
    expect(h.lastTrap.errorCode).toBe(0);
  });
  it("a non-canonical stack reference raises #SS(0)", () => {
    // movabs rsp, 0x0000800000000010 ; push rax
    const h = runSnippet("48bc1000000000800000 50");
    expect(h.lastTrap.vector).toBe(12);
    expect(h.lastTrap.errorCode).toBe(0);
  });
  it("a jump to a non-canonical target faults on the jump", () => {
    // movabs rax, 0x0000800000000000 ; jmp rax
    const h = runSnippet("48b80000000000800000 ffe0");
    expect(h.lastTrap.vector).toBe(13);
    expect(h.lastTrap.rip).toBe(BigInt(CODE + 10));
  });
  it("the harness data area (0x600000) is reachable: the read completes and SYSCALL follows", () => {
    expect(runSnippet("8b042500006000").traps[0]!.vector).toBe(-1);
  });
});

describe("physical addresses outside RAM go to the bus", () => {
  it("an unclaimed MMIO read through a user mapping returns all-ones and is counted", () => {
    const h = new Harness();
    const bus = new Bus();
    const cpu = new Cpu({ id: 3, ram: h.ram, cache: h.cache, entries: h.entries, bus });
    // mov eax, [0x800000] ; mov [0x800004], eax ; syscall
    h.load("8b042500008000 89042504008000 0f05");
    h.map(SPARE, 0xfee00000, USER_RW);
    cpu.cr3 = h.cpu.cr3;
    cpu.setIdtr(0xffff800000001000n, 4095);
    cpu.msrs.write(MSR.LSTAR, 0xffffffff81000000n);
    cpu.context.regs.set(h.cpu.context.regs);
    expect(cpu.loadContext()).toBe(true);
    h.onTrap = (_frame) => cpu.requestStop();
    cpu.run(100);
    expect(cpu.context.regs[GPR.RAX * 2]).toBe(0xffffffff);
    expect(bus.stats.unclaimedMmioReads).toBe(1);
    expect(bus.stats.unclaimedMmioWrites).toBe(1);
    expect(bus.stats.lastUnclaimedMmioAddress).toBe(0xfee00004);
  });
});
