import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { product, signedProduct64 } from "./muldiv";

const MASK = (1n << 64n) - 1n;
const toSigned = (low: number, high: number) => BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low));
/** A 64-bit operand as (low, high): any bits, or a sign-extended 32-bit value (the fast path's domain). */
const operand = fc.oneof(
  fc.tuple(fc.nat(0xffffffff), fc.nat(0xffffffff)),
  fc
    .integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
    .map((value) => [value >>> 0, value < 0 ? 0xffffffff : 0] as const),
  fc
    .integer({ min: -(2 ** 26), max: 2 ** 26 })
    .map((value) => [value >>> 0, value < 0 ? 0xffffffff : 0] as const),
);

describe("signedProduct64 (IMUL r64 in compiled blocks)", () => {
  it("gives the low 64 bits of the signed product and whether it overflowed, as bigint arithmetic does", () => {
    fc.assert(
      fc.property(operand, operand, ([aL, aH], [bL, bH]) => {
        const full = toSigned(aL, aH) * toSigned(bL, bH);
        const overflow = signedProduct64(aL, aH, bL, bH);
        const low = full & MASK;
        expect([product[0], product[1]]).toEqual([Number(low & 0xffffffffn), Number(low >> 32n)]);
        expect(overflow).toBe(BigInt.asIntN(64, full) === full ? 0 : 1);
      }),
      { numRuns: 20000 },
    );
  });

  it("handles the edges: −2^63 × −1 overflows, 2^31 × 2^31 does not", () => {
    expect(signedProduct64(0, 0x80000000, 0xffffffff, 0xffffffff)).toBe(1);
    expect([product[0], product[1]]).toEqual([0, 0x80000000]);
    expect(signedProduct64(0x80000000, 0xffffffff, 0x80000000, 0xffffffff)).toBe(0);
    expect([product[0], product[1]]).toEqual([0, 0x40000000]);
  });
});
