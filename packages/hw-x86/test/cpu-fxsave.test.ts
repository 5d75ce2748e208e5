/**
 * FXSAVE / FXRSTOR (and the 64-bit forms) at register level: the 512-byte
 * image layout of SDM vol 2 table 3-43, the round trip, and the faults
 * (#GP(0) misaligned or reserved MXCSR bits, #NM with CR0.TS, #UD with
 * CR0.EM / LOCK / a 66 prefix, #PF leaving memory untouched).
 */
import { describe, expect, it } from "vitest";
import { CR0, CR4 } from "../src/emu/cpu/arch-bits";
import { CPUID_1_EDX } from "../src/emu/cpu/cpu-features";
import { GPR } from "../src/interfaces/cpu-context";
import { DATA, type Harness, runSnippet, TRAP_KIND } from "./cpu-harness";

const SET_RBX = "48c7c300006000"; // mov rbx, DATA
const FXSAVE = "0fae03"; // fxsave [rbx]
const FXSAVE64 = "480fae03"; // fxsave64 [rbx]
const FXRSTOR = "0fae0b"; // fxrstor [rbx]
const FXRSTOR64 = "480fae0b"; // fxrstor64 [rbx]
const FILL = 0xaaaaaaaa;
const MXCSR_SET = 0x1f40 | 0x0020; // masks, DAZ, precision flag

/** XMMn word w = n * 0x01000000 + w * 0x1111 + 1 (distinct, nonzero). */
function xmmPattern(register: number, word: number): number {
  return (register * 0x01000000 + word * 0x1111 + 1) >>> 0;
}

/** Fills XMM0–15 and MXCSR with the pattern and the 512 bytes at DATA with FILL. */
function prepare(harness: Harness): void {
  for (let register = 0; register < 16; register++) {
    for (let word = 0; word < 4; word++) {
      harness.cpu.context.xmm[register * 4 + word] = xmmPattern(register, word);
    }
  }
  harness.cpu.context.mxcsr = MXCSR_SET;
  for (let offset = 0; offset < 512; offset += 4) harness.ram.write32(harness.physical(DATA + offset), FILL);
}

function imageWord(harness: Harness, offset: number): number {
  return harness.ram.read32(harness.physical(DATA + offset));
}

function imageWords(harness: Harness): number[] {
  const words: number[] = [];
  for (let offset = 0; offset < 512; offset += 4) words.push(imageWord(harness, offset));
  return words;
}

describe("FXSAVE", () => {
  it("writes the legacy image: x87 defaults, MXCSR, MXCSR_MASK, XMM0-15 at 160; 416-511 untouched", () => {
    const h = runSnippet(`${SET_RBX} ${FXSAVE}`, prepare);
    expect(h.lastTrap.kind).toBe(TRAP_KIND.SYSCALL);
    expect(imageWord(h, 0)).toBe(0x0000037f); // FCW 037FH, FSW 0
    for (let offset = 4; offset < 24; offset += 4) expect(imageWord(h, offset)).toBe(0); // FTW, FOP, FIP, FDP
    expect(imageWord(h, 24)).toBe(MXCSR_SET);
    expect(imageWord(h, 28)).toBe(0xffff);
    for (let offset = 32; offset < 160; offset += 4) expect(imageWord(h, offset)).toBe(0); // ST0-7
    for (let register = 0; register < 16; register++) {
      for (let word = 0; word < 4; word++) {
        expect(imageWord(h, 160 + register * 16 + word * 4)).toBe(xmmPattern(register, word));
      }
    }
    for (let offset = 416; offset < 512; offset += 4) expect(imageWord(h, offset)).toBe(FILL);
    // Byte order inside an XMM register: XMM1 byte 0 is the low byte of word 0.
    expect(h.ram.read8(h.physical(DATA + 176))).toBe(xmmPattern(1, 0) & 0xff);
  });

  it("FXSAVE64 (REX.W) writes the same image when FIP/FDP are zero", () => {
    const legacy = imageWords(runSnippet(`${SET_RBX} ${FXSAVE}`, prepare));
    const wide = imageWords(runSnippet(`${SET_RBX} ${FXSAVE64}`, prepare));
    expect(wide).toEqual(legacy);
  });

  it("raises #GP(0) on an operand that is not 16-byte aligned and writes nothing", () => {
    // fxsave [rbx+8]
    const h = runSnippet(`${SET_RBX} 0fae4308`, prepare);
    expect(h.lastTrap.kind).toBe(TRAP_KIND.EXCEPTION);
    expect(h.lastTrap.vector).toBe(13);
    expect(h.lastTrap.errorCode).toBe(0);
    expect(imageWords(h).every((word) => word === FILL)).toBe(true);
  });

  it("raises #PF when the second page is unmapped, before writing the first", () => {
    // mov rbx, DATA + 16 pages - 256 (the data area is 16 pages) ; fxsave [rbx]
    const start = DATA + 16 * 4096 - 256;
    const h = runSnippet(`48c7c3${hex32(start)} ${FXSAVE}`);
    expect(h.lastTrap.vector).toBe(14);
    expect(h.lastTrap.cr2).toBe(BigInt(DATA + 16 * 4096));
    expect(h.ram.read32(h.physical(start))).toBe(0);
  });

  it("raises #NM with CR0.TS and #UD with CR0.EM; no fault without CR4.OSFXSR, XMM then not saved", () => {
    let h = runSnippet(`${SET_RBX} ${FXSAVE}`, (harness) => {
      harness.cpu.cr0 = harness.cpu.cr0 | CR0.TS;
    });
    expect(h.lastTrap.vector).toBe(7);
    h = runSnippet(`${SET_RBX} ${FXSAVE}`, (harness) => {
      harness.cpu.cr0 = harness.cpu.cr0 | CR0.EM;
    });
    expect(h.lastTrap.vector).toBe(6);
    h = runSnippet(`${SET_RBX} ${FXSAVE}`, (harness) => {
      prepare(harness);
      harness.cpu.cr4 = harness.cpu.cr4 & ~CR4.OSFXSR;
    });
    expect(h.lastTrap.kind).toBe(TRAP_KIND.SYSCALL);
    expect(imageWord(h, 0)).toBe(0x37f);
    expect(imageWord(h, 24)).toBe(FILL);
    expect(imageWord(h, 160)).toBe(FILL);
  });

  it("is #UD with LOCK or a 66 prefix", () => {
    expect(runSnippet(`${SET_RBX} f0${FXSAVE}`).lastTrap.vector).toBe(6);
    expect(runSnippet(`${SET_RBX} 66${FXSAVE}`).lastTrap.vector).toBe(6);
  });

  it("is advertised by CPUID.1:EDX.FXSR", () => {
    // mov eax, 1 ; cpuid
    const h = runSnippet("b801000000 0fa2");
    expect(Number(h.get(GPR.RDX)) & CPUID_1_EDX.FXSR).toBe(CPUID_1_EDX.FXSR);
  });
});

describe("FXRSTOR", () => {
  it("round-trips XMM0-15 and MXCSR through FXSAVE64 / FXRSTOR64", () => {
    // fxsave64 [rbx] ; pxor xmm0, xmm0 ; pxor xmm15, xmm15 ; mov dword [rbx+512], 0x1f80 ;
    // ldmxcsr [rbx+512] ; fxrstor64 [rbx]
    const h = runSnippet(
      `${SET_RBX} ${FXSAVE64} 660fefc0 66450fefff c78300020000801f0000 0fae9300020000 ${FXRSTOR64}`,
      prepare,
    );
    expect(h.lastTrap.kind).toBe(TRAP_KIND.SYSCALL);
    for (let register = 0; register < 16; register++) {
      for (let word = 0; word < 4; word++) {
        expect(h.cpu.context.xmm[register * 4 + word]).toBe(xmmPattern(register, word));
      }
    }
    expect(h.cpu.context.mxcsr).toBe(MXCSR_SET);
  });

  it("loads an image written in memory", () => {
    const h = runSnippet(`${SET_RBX} ${FXRSTOR}`, (harness) => {
      for (let offset = 0; offset < 512; offset += 4) harness.ram.write32(harness.physical(DATA + offset), 0);
      harness.ram.write32(harness.physical(DATA + 24), 0x9fc0);
      harness.ram.write32(harness.physical(DATA + 160 + 3 * 16 + 8), 0xdeadbeef);
    });
    expect(h.lastTrap.kind).toBe(TRAP_KIND.SYSCALL);
    expect(h.cpu.context.mxcsr).toBe(0x9fc0);
    expect(Array.from(h.cpu.context.xmm.subarray(12, 16))).toEqual([0, 0, 0xdeadbeef, 0]);
  });

  it("raises #GP(0) for reserved MXCSR bits and loads nothing", () => {
    const h = runSnippet(`${SET_RBX} ${FXRSTOR}`, (harness) => {
      prepare(harness);
      harness.ram.write32(harness.physical(DATA + 24), 0x10000 | 0x1f80);
    });
    expect(h.lastTrap.vector).toBe(13);
    expect(h.lastTrap.errorCode).toBe(0);
    expect(h.cpu.context.mxcsr).toBe(MXCSR_SET);
    expect(h.cpu.context.xmm[0]).toBe(xmmPattern(0, 0));
  });

  it("raises #GP(0) when misaligned and #NM with CR0.TS", () => {
    // fxrstor [rbx+4]
    expect(runSnippet(`${SET_RBX} 0fae4b04`).lastTrap.vector).toBe(13);
    const h = runSnippet(`${SET_RBX} ${FXRSTOR}`, (harness) => {
      harness.cpu.cr0 = harness.cpu.cr0 | CR0.TS;
    });
    expect(h.lastTrap.vector).toBe(7);
  });
});

/** Little-endian hex of a 32-bit immediate. */
function hex32(value: number): string {
  const bytes = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
  return bytes.map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
