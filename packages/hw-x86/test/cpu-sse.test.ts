/**
 * SSE2 integer subset: moves with and without alignment, packed
 * arithmetic, compares, PMOVMSKB, shuffles, MOVD/MOVQ, shifts, MXCSR and
 * the CR0/CR4 enable rules (#UD without OSFXSR, #NM with TS).
 */
import { describe, expect, it } from "vitest";
import { CR0, CR4 } from "../src/emu/cpu/arch-bits";
import { GPR } from "../src/interfaces/cpu-context";
import { DATA, runSnippet } from "./cpu-harness";

const SET_RBX = "48c7c300006000"; // mov rbx, DATA

function xmmWords(h: ReturnType<typeof runSnippet>, reg: number): number[] {
  return Array.from(h.cpu.context.xmm.subarray(reg * 4, reg * 4 + 4));
}

describe("SSE2 integer subset", () => {
  it("movdqu load, paddd, movdqu store", () => {
    // movdqu xmm0, [rbx] ; paddd xmm0, xmm0 ; movdqu [rbx+16], xmm0
    const h = runSnippet(`${SET_RBX} f30f6f03 660ffec0 f30f7f4310`, (harness) => {
      for (let i = 0; i < 4; i++) harness.ram.write32(harness.physical(DATA + i * 4), 0x7fffffff + i);
    });
    expect(xmmWords(h, 0)).toEqual([0xfffffffe, 0, 2, 4]);
    expect(h.ram.read32(h.physical(DATA + 16 + 8))).toBe(2);
  });
  it("movdqa with a misaligned operand raises #GP(0)", () => {
    const h = runSnippet(`${SET_RBX} 660f6f4301`);
    expect(h.lastTrap.vector).toBe(13);
    expect(h.lastTrap.errorCode).toBe(0);
  });
  it("pcmpeqb against zero and pmovmskb", () => {
    // mov eax, 0x00ff0000 ; movd xmm0, eax ; pxor xmm1, xmm1 ; pcmpeqb xmm0, xmm1 ; pmovmskb edx, xmm0
    const h = runSnippet("b80000ff00 660f6ec0 660fefc9 660f74c1 660fd7d0");
    expect(h.get(GPR.RDX)).toBe(0xfffbn);
  });
  it("pshufd broadcast and movq to a GPR", () => {
    // mov eax, 5 ; movd xmm0, eax ; pshufd xmm1, xmm0, 0 ; movq rdx, xmm1
    const h = runSnippet("b805000000 660f6ec0 660f70c800 66480f7eca");
    expect(h.get(GPR.RDX)).toBe(0x0000000500000005n);
    expect(xmmWords(h, 1)).toEqual([5, 5, 5, 5]);
  });
  it("punpcklbw, packuswb saturation and psrlq/pslldq", () => {
    // mov eax, 0x04030201 ; movd xmm0, eax ; pxor xmm1, xmm1 ; punpcklbw xmm0, xmm1
    let h = runSnippet("b801020304 660f6ec0 660fefc9 660f60c1");
    expect(xmmWords(h, 0)).toEqual([0x00020001, 0x00040003, 0, 0]);
    // mov eax, 0x7fff0100 (words 0x0100, 0x7fff) ; movd xmm0, eax ; packuswb xmm0, xmm0
    h = runSnippet("b80001ff7f 660f6ec0 660f67c0");
    expect(xmmWords(h, 0)[0]! & 0xffff).toBe(0xffff);
    // mov rax, -1 ; movq xmm2, rax ; psrlq xmm2, 60 ; pslldq xmm2, 8
    h = runSnippet("48c7c0ffffffff 66480f6ed0 660f73d23c 660f73fa08");
    expect(xmmWords(h, 2)).toEqual([0, 0, 15, 0]);
  });
  it("stmxcsr / ldmxcsr, reserved MXCSR bits raise #GP(0)", () => {
    // stmxcsr [rbx] ; mov dword [rbx+4], 0x1f00 ; ldmxcsr [rbx+4] ; stmxcsr [rbx+8]
    let h = runSnippet(`${SET_RBX} 0fae1b c74304001f0000 0fae5304 0fae5b08`);
    expect(h.ram.read32(h.physical(DATA))).toBe(0x1f80);
    expect(h.ram.read32(h.physical(DATA + 8))).toBe(0x1f00);
    // mov dword [rbx], 0x10000 ; ldmxcsr [rbx]
    h = runSnippet(`${SET_RBX} c70300000100 0fae13`);
    expect(h.lastTrap.vector).toBe(13);
  });
  it("SSE needs CR4.OSFXSR (#UD) and raises #NM while CR0.TS is set", () => {
    let h = runSnippet("660fefc0", (harness) => {
      harness.cpu.cr4 = harness.cpu.cr4 & ~CR4.OSFXSR;
    });
    expect(h.lastTrap.vector).toBe(6);
    h = runSnippet("660fefc0", (harness) => {
      harness.cpu.cr0 = harness.cpu.cr0 | CR0.TS;
    });
    expect(h.lastTrap.vector).toBe(7);
  });
});
