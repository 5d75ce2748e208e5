import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalToBig,
  isCanonicalBig,
  isCanonicalHalves,
  isCanonicalNumber,
  isUserHalfHigh,
  isUserRange,
  KERNEL_HALF_START,
  signExtend48,
  signExtendHigh,
  truncate48,
  USER_ADDRESS_END,
} from "./canonical-address";

describe("canonical addresses (SDM vol 1 §3.3.7.1)", () => {
  it("accepts the edges of both halves and rejects the hole", () => {
    expect(isCanonicalHalves(0xffffffff, 0x00007fff)).toBe(true);
    expect(isCanonicalHalves(0, 0x00008000)).toBe(false);
    expect(isCanonicalHalves(0xffffffff, 0xffff7fff)).toBe(false);
    expect(isCanonicalHalves(KERNEL_HALF_START.LOW, KERNEL_HALF_START.HIGH)).toBe(true);
    expect(isCanonicalBig(0x0000_7fff_ffff_ffffn)).toBe(true);
    expect(isCanonicalBig(0x0000_8000_0000_0000n)).toBe(false);
    expect(isCanonicalBig(-1n)).toBe(true);
    expect(isCanonicalNumber(USER_ADDRESS_END - 1)).toBe(true);
    expect(isCanonicalNumber(USER_ADDRESS_END)).toBe(false);
    expect(isCanonicalNumber(-(2 ** 47))).toBe(true);
    expect(isCanonicalNumber(-(2 ** 47) - 1)).toBe(false);
    expect(isCanonicalNumber(0.5)).toBe(false);
    expect(isUserHalfHigh(0x7fff)).toBe(true);
    expect(isUserHalfHigh(0xffff8000)).toBe(false);
  });

  it("agrees between the halves and bigint forms", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        const high = Number(value >> 32n);
        const low = Number(value & 0xffffffffn);
        expect(isCanonicalHalves(low, high)).toBe(isCanonicalBig(value));
        const canonicalHigh = signExtendHigh(high);
        expect(isCanonicalHalves(low, canonicalHigh)).toBe(true);
        expect(canonicalHigh & 0xffff).toBe(high & 0xffff);
      }),
    );
  });

  it("sign-extends 48-bit numbers and back", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (address48) => {
        const signed = signExtend48(address48);
        expect(isCanonicalNumber(signed)).toBe(true);
        expect(truncate48(signed)).toBe(address48);
        expect(isCanonicalBig(canonicalToBig(signed))).toBe(true);
      }),
    );
    expect(canonicalToBig(signExtend48(2 ** 47))).toBe(0xffff_8000_0000_0000n);
  });

  it("checks user ranges against the top of the lower half", () => {
    expect(isUserRange(USER_ADDRESS_END - 4096, 4096)).toBe(true);
    expect(isUserRange(USER_ADDRESS_END - 4096, 4097)).toBe(false);
    expect(isUserRange(-1, 1)).toBe(false);
  });
});
