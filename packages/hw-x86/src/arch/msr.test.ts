import { describe, expect, it } from "vitest";
import {
  APIC_BASE,
  apicBaseAddress,
  isValidPat,
  MSR,
  PAT_MEMORY_TYPE,
  PAT_RESET_VALUE,
  patEntry,
  patIndex,
} from "./msr";

describe("MSR indices (SDM vol 4 table 2-2)", () => {
  it("uses the architectural indices", () => {
    expect(MSR.EFER).toBe(0xc0000080);
    expect(MSR.STAR).toBe(0xc0000081);
    expect(MSR.LSTAR).toBe(0xc0000082);
    expect(MSR.FMASK).toBe(0xc0000084);
    expect(MSR.KERNEL_GS_BASE).toBe(0xc0000102);
    expect(MSR.TSC_AUX).toBe(0xc0000103);
    expect(MSR.APIC_BASE).toBe(0x1b);
    expect(MSR.TSC_DEADLINE).toBe(0x6e0);
    expect(MSR.PAT).toBe(0x277);
  });
});

describe("IA32_APIC_BASE (SDM vol 3A §10.4.4)", () => {
  it("decodes the reset value of a bootstrap processor", () => {
    const low = (APIC_BASE.DEFAULT_BASE | APIC_BASE.EN | APIC_BASE.BSP) >>> 0;
    expect(low).toBe(0xfee00900);
    expect(apicBaseAddress(low, 0)).toBe(0xfee00000);
    expect(apicBaseAddress(low, 0xf)).toBe(0xf_fee00000);
    expect(low & APIC_BASE.EXTD).toBe(0);
    expect(low & APIC_BASE.RESERVED_LOW).toBe(0);
  });
});

describe("IA32_PAT (SDM vol 3A §11.12)", () => {
  it("decodes the reset value as WB, WT, UC-, UC twice", () => {
    const types = [0, 1, 2, 3, 4, 5, 6, 7].map((index) =>
      patEntry(PAT_RESET_VALUE.LOW, PAT_RESET_VALUE.HIGH, index),
    );
    const { WB, WT, UC_MINUS, UC } = PAT_MEMORY_TYPE;
    expect(types).toEqual([WB, WT, UC_MINUS, UC, WB, WT, UC_MINUS, UC]);
    expect(isValidPat(PAT_RESET_VALUE.LOW, PAT_RESET_VALUE.HIGH)).toBe(true);
  });

  it("rejects reserved memory types and stray high bits in an entry", () => {
    expect(isValidPat(0x00070402, PAT_RESET_VALUE.HIGH)).toBe(false);
    expect(isValidPat(PAT_RESET_VALUE.LOW, 0x00070403)).toBe(false);
    expect(isValidPat(0x00070416, PAT_RESET_VALUE.HIGH)).toBe(false);
  });

  it("selects the entry from PAT, PCD, PWT", () => {
    expect(patIndex(0, 0, 0)).toBe(0);
    expect(patIndex(0, 1, 1)).toBe(3);
    expect(patIndex(1, 0, 1)).toBe(5);
  });
});
