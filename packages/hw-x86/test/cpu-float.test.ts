/**
 * Floating point at the register level: SSE results, MXCSR rounding and
 * flags, unmasked SIMD exceptions (#XM, or #UD without CR4.OSXMMEXCPT, the
 * destination unchanged), the integer indefinite; x87 arithmetic and stores,
 * the pending-exception model (an unmasked exception sets FSW.ES, the next
 * waiting instruction raises #MF, FNSTSW/FNINIT do not wait), stack overflow,
 * CR0.EM/TS (#NM for x87, #UD/#NM for SSE), and FXSAVE carrying the x87
 * registers. The bit-exactness of everything else is the fpfuzz guest's job
 * (apps/machine/test/fpu-fuzz.test.ts) against the host CPU.
 */
import { describe, expect, it } from "vitest";
import { CR0, CR4 } from "../src/emu/cpu/arch-bits";
import { GPR } from "../src/interfaces/cpu-context";
import { DATA, runSnippet } from "./cpu-harness";

const SET_RBX = "48c7c300006000"; // mov rbx, DATA
const ONE = "48b8000000000000f03f"; // mov rax, 1.0
const MOVQ_XMM0_RAX = "66480f6ec0";
const MOVQ_XMM1_RAX = "66480f6ec8";
const MOVQ_RDX_XMM0 = "66480f7ec2";
/** mov dword [rbx], imm32 ; ldmxcsr [rbx] */
function loadMxcsr(value: number): string {
  const bytes = [value & 0xff, (value >>> 8) & 0xff, 0, 0].map((byte) => byte.toString(16).padStart(2, "0"));
  return `${SET_RBX} c703${bytes.join("")} 0fae13`;
}

describe("SSE floating point", () => {
  it("addsd: 1.5 + 2.25 = 3.75", () => {
    const h = runSnippet(
      `48b8000000000000f83f ${MOVQ_XMM0_RAX} 48b80000000000000240 ${MOVQ_XMM1_RAX} f20f58c1 ${MOVQ_RDX_XMM0}`,
    );
    expect(h.get(GPR.RDX)).toBe(0x400e000000000000n);
    expect(h.cpu.context.mxcsr).toBe(0x1f80);
  });
  it("divsd rounds by MXCSR.RC and raises PE", () => {
    // 1/3 rounded up, then to nearest (ties-to-even keeps ...555)
    const code = `${ONE} ${MOVQ_XMM0_RAX} 48b80000000000000840 ${MOVQ_XMM1_RAX} f20f5ec1 ${MOVQ_RDX_XMM0}`;
    let h = runSnippet(`${loadMxcsr(0x5f80)} ${code}`);
    expect(h.get(GPR.RDX)).toBe(0x3fd5555555555556n);
    expect(h.cpu.context.mxcsr).toBe(0x5f80 | 0x20);
    h = runSnippet(code);
    expect(h.get(GPR.RDX)).toBe(0x3fd5555555555555n);
  });
  it("an unmasked divide-by-zero raises #XM, sets ZE and leaves the destination unchanged", () => {
    const code = `${loadMxcsr(0x1d80)} ${ONE} ${MOVQ_XMM0_RAX} 660fefc9 f20f5ec1`;
    let h = runSnippet(code);
    expect(h.lastTrap.vector).toBe(19);
    expect(h.cpu.context.mxcsr & 0x4).toBe(0x4);
    expect(Array.from(h.cpu.context.xmm.subarray(0, 2))).toEqual([0, 0x3ff00000]);
    h = runSnippet(code, (harness) => {
      harness.cpu.cr4 = harness.cpu.cr4 & ~CR4.OSXMMEXCPT;
    });
    expect(h.lastTrap.vector).toBe(6);
  });
  it("cvttsd2si of a NaN gives the integer indefinite and IE", () => {
    const h = runSnippet(`48b8000000000000f87f ${MOVQ_XMM0_RAX} f2480f2cd0`);
    expect(h.get(GPR.RDX)).toBe(0x8000000000000000n);
    expect(h.cpu.context.mxcsr & 1).toBe(1);
  });
  it("CR0.EM makes SSE #UD", () => {
    const h = runSnippet("f20f58c1", (harness) => {
      harness.cpu.cr0 = harness.cpu.cr0 | CR0.EM;
    });
    expect(h.lastTrap.vector).toBe(6);
  });
});

describe("x87 FPU", () => {
  it("fld1; fldpi; faddp; fstp m64 rounds the 64-bit sum to a double", () => {
    const h = runSnippet(`${SET_RBX} d9e8 d9eb dec1 dd1b`);
    expect(h.ram.read32(h.physical(DATA))).toBe(0xaa22168c);
    expect(h.ram.read32(h.physical(DATA + 4))).toBe(0x401090fd);
  });
  it("an unmasked exception is pending until the next waiting instruction raises #MF", () => {
    // mov word [rbx], 0x037b (ZE unmasked) ; fldcw [rbx] ; fld1 ; fldz ; fdivp ; fnstsw ax
    const pending = `${SET_RBX} 66c7037b03 d92b d9e8 d9ee def9 dfe0`;
    let h = runSnippet(`${pending} 9b`);
    expect(h.lastTrap.vector).toBe(16);
    expect(Number(h.get(GPR.RAX) & 0x8084n)).toBe(0x8084); // B, ES, ZE
    // FNINIT does not wait: no #MF, and the pending exception is gone.
    h = runSnippet(`${pending} dbe3 9b`);
    expect(h.lastTrap.vector).not.toBe(16);
    expect(h.cpu.context.fpu[25]).toBe(0);
  });
  it("a ninth push overflows the stack: the indefinite, with IE, SF and C1", () => {
    const h = runSnippet(`${"d9e8 ".repeat(9)} dfe0`);
    expect(Number(h.get(GPR.RAX) & 0xffffn)).toBe(0x3a41);
  });
  it("CR0.EM or CR0.TS make x87 instructions raise #NM", () => {
    for (const bit of [CR0.EM, CR0.TS]) {
      const h = runSnippet("d9e8", (harness) => {
        harness.cpu.cr0 = harness.cpu.cr0 | bit;
      });
      expect(h.lastTrap.vector).toBe(7);
    }
  });
  it("FXSAVE stores the x87 registers in stack order with the abridged tag byte", () => {
    // fld1 ; fxsave [rbx]
    const h = runSnippet(`${SET_RBX} d9e8 0fae03`);
    const word = (offset: number) => h.ram.read32(h.physical(DATA + offset));
    expect(word(0)).toBe(0x3800037f); // FCW 037FH, FSW with TOP = 7
    expect(word(4) & 0xff).toBe(0x80); // R7 is full
    expect([word(32), word(36), word(40) & 0xffff]).toEqual([0, 0x80000000, 0x3fff]);
  });
});
