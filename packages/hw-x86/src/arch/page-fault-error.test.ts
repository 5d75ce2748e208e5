import { describe, expect, it } from "vitest";
import {
  decodePageFaultError,
  encodePageFaultError,
  formatPageFaultError,
  PF_ERROR,
  PF_ERROR_DEFINED_MASK,
  pageFaultErrorCode,
} from "./page-fault-error";

describe("#PF error code (SDM vol 3A §4.7, fig. 4-12)", () => {
  it("places P, W/R, U/S, RSVD, I/D, PK, SS, HLAT, SGX at bits 0-7 and 15", () => {
    expect(
      [
        PF_ERROR.P,
        PF_ERROR.W,
        PF_ERROR.U,
        PF_ERROR.RSVD,
        PF_ERROR.I,
        PF_ERROR.PK,
        PF_ERROR.SS,
        PF_ERROR.HLAT,
      ].map(Math.log2),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(PF_ERROR.SGX).toBe(1 << 15);
  });

  it("round-trips every combination of defined bits", () => {
    const bits = Object.values(PF_ERROR);
    for (let combination = 0; combination < 1 << bits.length; combination++) {
      let code = 0;
      bits.forEach((bit, index) => {
        if ((combination >>> index) & 1) code |= bit;
      });
      expect(encodePageFaultError(decodePageFaultError(code))).toBe(code);
    }
  });

  it("drops reserved bits when decoding", () => {
    expect(encodePageFaultError(decodePageFaultError(0xffffffff))).toBe(PF_ERROR_DEFINED_MASK);
  });

  it("builds the codes Linux sees for common user faults", () => {
    expect(pageFaultErrorCode(false, true, true, false, false)).toBe(0x6);
    expect(pageFaultErrorCode(true, false, true, true, false)).toBe(0x15);
    expect(pageFaultErrorCode(false, false, true, false, true)).toBe(0xd);
    expect(pageFaultErrorCode(true, true, false, false, false)).toBe(0x3);
  });

  it("formats for debugging", () => {
    expect(formatPageFaultError(0x6)).toBe("#PF(not-present W U)");
    expect(formatPageFaultError(0x15)).toBe("#PF(P R U I)");
  });
});
