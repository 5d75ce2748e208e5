import { describe, expect, it } from "vitest";
import {
  CR0,
  CR0_RESERVED_MASK,
  CR3,
  CR4,
  CR4_RESERVED_MASK,
  cr3Address,
  cr3Pcid,
  cr3ReservedHighMask,
  EFER,
  EFER_RESERVED_MASK,
  hasCr0ReservedBits,
  hasCr4ReservedBits,
  hasEferReservedBits,
} from "./control-registers";

const union = (bits: Record<string, number>) =>
  Object.values(bits).reduce((all, bit) => (all | bit) >>> 0, 0);

describe("CR0 (SDM vol 3A §2.5)", () => {
  it("reserves every bit it does not define", () => {
    expect((union(CR0) | CR0_RESERVED_MASK) >>> 0).toBe(0xffffffff);
    expect(union(CR0) & CR0_RESERVED_MASK).toBe(0);
    expect(CR0.PG).toBe(2 ** 31);
    expect(CR0.WP).toBe(2 ** 16);
  });

  it("accepts a long-mode CR0 and rejects reserved bits in either half", () => {
    const longMode = CR0.PE | CR0.MP | CR0.ET | CR0.NE | CR0.WP | CR0.AM | CR0.PG;
    expect(hasCr0ReservedBits(longMode, 0)).toBe(false);
    expect(hasCr0ReservedBits(longMode | (1 << 6), 0)).toBe(true);
    expect(hasCr0ReservedBits(longMode, 1)).toBe(true);
  });
});

describe("CR4 (SDM vol 3A §2.5)", () => {
  it("defines the bits a kernel sets at their SDM positions", () => {
    expect(Math.log2(CR4.PAE)).toBe(5);
    expect(Math.log2(CR4.PGE)).toBe(7);
    expect(Math.log2(CR4.OSFXSR)).toBe(9);
    expect(Math.log2(CR4.OSXMMEXCPT)).toBe(10);
    expect(Math.log2(CR4.FSGSBASE)).toBe(16);
    expect(Math.log2(CR4.PCIDE)).toBe(17);
    expect(Math.log2(CR4.SMEP)).toBe(20);
    expect(Math.log2(CR4.SMAP)).toBe(21);
  });

  it("reserves bit 15 and the undefined top bits", () => {
    expect(union(CR4) & CR4_RESERVED_MASK).toBe(0);
    expect((union(CR4) | CR4_RESERVED_MASK) >>> 0).toBe(0xffffffff);
    expect(hasCr4ReservedBits(CR4.PAE | CR4.PGE | CR4.OSFXSR | CR4.SMEP, 0)).toBe(false);
    expect(hasCr4ReservedBits(1 << 15, 0)).toBe(true);
    expect(hasCr4ReservedBits(0, 0x1)).toBe(true);
  });
});

describe("EFER (SDM vol 4 table 2-2)", () => {
  it("accepts SCE, LME, LMA, NXE and nothing else", () => {
    expect([EFER.SCE, EFER.LME, EFER.LMA, EFER.NXE].map(Math.log2)).toEqual([0, 8, 10, 11]);
    expect(hasEferReservedBits(EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE, 0)).toBe(false);
    expect(hasEferReservedBits(1 << 12, 0)).toBe(true);
    expect(hasEferReservedBits(0, 1)).toBe(true);
    expect((union(EFER) | EFER_RESERVED_MASK) >>> 0).toBe(0xffffffff);
  });
});

describe("CR3 (SDM vol 3A table 4-12)", () => {
  it("extracts the PML4 address and the PCID", () => {
    expect(cr3Address(0x12345018, 0x000f0001)).toBe(0xf0001_12345000);
    expect(cr3Pcid(0x12345abc)).toBe(0xabc);
    expect(CR3.PWT | CR3.PCD).toBe(0x18);
  });

  it("reserves address bits at and above MAXPHYADDR but not the no-flush bit", () => {
    expect(cr3ReservedHighMask(40)).toBe(0x7fffff00);
    expect(cr3ReservedHighMask(52)).toBe(0x7ff00000);
    expect(cr3ReservedHighMask(52) & CR3.NO_FLUSH_HIGH).toBe(0);
  });
});
