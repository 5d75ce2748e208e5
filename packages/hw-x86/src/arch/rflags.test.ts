import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyPopf,
  formatRflags,
  popfWritableMask,
  RFLAGS,
  RFLAGS_POPF_USER_MASK,
  RFLAGS_RESERVED_MASK,
  RFLAGS_STATUS_MASK,
  rflagsIopl,
  withRflagsIopl,
} from "./rflags";

const uint32 = fc.integer({ min: 0, max: 0xffffffff });

describe("RFLAGS bits (SDM vol 1 §3.4.3)", () => {
  it("places each flag at its architectural bit", () => {
    const bitOf = (value: number) => Math.log2(value);
    expect([RFLAGS.CF, RFLAGS.PF, RFLAGS.AF, RFLAGS.ZF, RFLAGS.SF].map(bitOf)).toEqual([0, 2, 4, 6, 7]);
    expect([RFLAGS.TF, RFLAGS.IF, RFLAGS.DF, RFLAGS.OF].map(bitOf)).toEqual([8, 9, 10, 11]);
    expect(
      [RFLAGS.NT, RFLAGS.RF, RFLAGS.VM, RFLAGS.AC, RFLAGS.VIF, RFLAGS.VIP, RFLAGS.ID].map(bitOf),
    ).toEqual([14, 16, 17, 18, 19, 20, 21]);
    expect(RFLAGS.IOPL).toBe(0b11 << 12);
    expect(RFLAGS.FIXED).toBe(0x2);
  });

  it("reserves exactly bits 3, 5, 15 and 31:22", () => {
    const reserved: number[] = [];
    for (let bit = 0; bit < 32; bit++) if ((RFLAGS_RESERVED_MASK >>> bit) & 1) reserved.push(bit);
    expect(reserved).toEqual([3, 5, 15, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    const defined = Object.values(RFLAGS).reduce((all, bit) => all | bit, 0);
    expect(defined & RFLAGS_RESERVED_MASK).toBe(0);
    expect((defined | RFLAGS_RESERVED_MASK) >>> 0).toBe(0xffffffff);
  });

  it("groups the six status flags", () => {
    expect(RFLAGS_STATUS_MASK).toBe(0x8d5);
  });
});

describe("POPF masks (SDM vol 2B POPF)", () => {
  it("lets CPL 3 with IOPL 0 change status flags, TF, DF, NT, AC, ID but not IF or IOPL", () => {
    expect(RFLAGS_POPF_USER_MASK).toBe(0x244dd5);
    expect(popfWritableMask(3, 0)).toBe(RFLAGS_POPF_USER_MASK);
    expect(popfWritableMask(3, 3) & RFLAGS.IF).toBe(RFLAGS.IF);
    expect(popfWritableMask(3, 3) & RFLAGS.IOPL).toBe(0);
    expect(popfWritableMask(0, 0) & (RFLAGS.IF | RFLAGS.IOPL)).toBe(RFLAGS.IF | RFLAGS.IOPL);
  });

  it("keeps IF and VM, clears RF, and forces bit 1 when user code pops all ones", () => {
    const current = RFLAGS.FIXED | RFLAGS.IF | RFLAGS.RF;
    const after = applyPopf(current, 0xffffffff, 3, 0);
    expect(after & RFLAGS.IF).toBe(RFLAGS.IF);
    expect(after & (RFLAGS.RF | RFLAGS.VM | RFLAGS.VIF | RFLAGS.VIP | RFLAGS.IOPL)).toBe(0);
    expect(after).toBe((RFLAGS_POPF_USER_MASK | RFLAGS.IF | RFLAGS.FIXED) >>> 0);
  });

  it("never produces reserved bits or a cleared bit 1", () => {
    fc.assert(
      fc.property(
        uint32,
        uint32,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (cur, pop, cpl, iopl) => {
          const after = applyPopf(cur, pop, cpl, iopl);
          expect(after & RFLAGS_RESERVED_MASK).toBe(0);
          expect(after & RFLAGS.FIXED).toBe(RFLAGS.FIXED);
          expect(after).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe("IOPL helpers", () => {
  it("round-trips the IOPL field without touching other bits", () => {
    fc.assert(
      fc.property(uint32, fc.integer({ min: 0, max: 3 }), (flags, iopl) => {
        const updated = withRflagsIopl(flags, iopl);
        expect(rflagsIopl(updated)).toBe(iopl);
        expect((updated & ~RFLAGS.IOPL) >>> 0).toBe((flags & ~RFLAGS.IOPL) >>> 0);
      }),
    );
  });

  it("formats flags for debugging", () => {
    expect(formatRflags(RFLAGS.FIXED | RFLAGS.IF | RFLAGS.ZF | (3 << 12))).toBe("[IF ZF IOPL=3]");
  });
});
