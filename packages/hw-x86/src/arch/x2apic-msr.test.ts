import { describe, expect, it } from "vitest";
import { LAPIC } from "./lapic-registers";
import {
  isX2apicMsrRange,
  NO_COUNTERPART,
  X2APIC_MSR,
  x2apicMsrForOffset,
  xapicOffsetForMsr,
} from "./x2apic-msr";

describe("x2APIC MSR mapping (SDM vol 3A §10.12.1.2, table 10-6)", () => {
  it("maps registers to 0x800 + offset / 16", () => {
    expect(x2apicMsrForOffset(LAPIC.ID)).toBe(X2APIC_MSR.ID);
    expect(x2apicMsrForOffset(LAPIC.EOI)).toBe(0x80b);
    expect(x2apicMsrForOffset(LAPIC.SVR)).toBe(0x80f);
    expect(x2apicMsrForOffset(LAPIC.ICR_LOW)).toBe(X2APIC_MSR.ICR);
    expect(x2apicMsrForOffset(LAPIC.LVT_TIMER)).toBe(0x832);
    expect(x2apicMsrForOffset(LAPIC.TIMER_DIVIDE)).toBe(0x83e);
    expect(x2apicMsrForOffset(LAPIC.IRR_BASE + 0x70)).toBe(0x827);
  });

  it("has no MSR for APR, RRD, DFR, ICR high, or misaligned offsets", () => {
    for (const offset of [LAPIC.APR, LAPIC.RRD, LAPIC.DFR, LAPIC.ICR_HIGH, 0x3f0, 0x24, 0x400, -16]) {
      expect(x2apicMsrForOffset(offset)).toBe(NO_COUNTERPART);
    }
  });

  it("maps back, and SELF IPI and reserved MSRs have no MMIO offset", () => {
    for (let offset = 0; offset < 0x400; offset += 16) {
      const msr = x2apicMsrForOffset(offset);
      if (msr !== NO_COUNTERPART) expect(xapicOffsetForMsr(msr)).toBe(offset);
    }
    expect(xapicOffsetForMsr(X2APIC_MSR.SELF_IPI)).toBe(NO_COUNTERPART);
    expect(xapicOffsetForMsr(0x831)).toBe(NO_COUNTERPART);
    expect(xapicOffsetForMsr(0x80e)).toBe(NO_COUNTERPART);
    expect(xapicOffsetForMsr(0x8ff)).toBe(NO_COUNTERPART);
    expect(xapicOffsetForMsr(0x1b)).toBe(NO_COUNTERPART);
  });

  it("counts 43 mapped registers (19 singles + ISR/TMR/IRR words)", () => {
    let mapped = 0;
    for (let msr = 0x800; msr <= 0x8ff; msr++) if (xapicOffsetForMsr(msr) !== NO_COUNTERPART) mapped++;
    expect(mapped).toBe(19 + 24);
    expect(isX2apicMsrRange(0x800)).toBe(true);
    expect(isX2apicMsrRange(0x8ff)).toBe(true);
    expect(isX2apicMsrRange(0x900)).toBe(false);
  });
});
