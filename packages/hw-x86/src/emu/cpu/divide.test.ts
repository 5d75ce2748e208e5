import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { divide, quotient, remainder } from "./divide";

/** The architectural result, by bigint (the oracle; the emulator itself uses none). */
function oracle(signed: boolean, bits: number, upper: bigint, lower: bigint, divisor: bigint) {
  const width = BigInt(bits);
  let dividend = (upper << width) | lower;
  let d = divisor;
  if (signed) {
    dividend = BigInt.asIntN(bits * 2, dividend);
    d = BigInt.asIntN(bits, d);
  }
  if (d === 0n) return null;
  const q = dividend / d;
  const r = dividend % d;
  if (signed ? q !== BigInt.asIntN(bits, q) : q !== BigInt.asUintN(bits, q)) return null;
  return { q: BigInt.asUintN(bits, q), r: BigInt.asUintN(bits, r) };
}

const halves = (value: bigint) =>
  [Number(value & 0xffffffffn), Number((value >> 32n) & 0xffffffffn)] as const;
const edgy = (bits: number) =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
    fc.constantFrom(
      0n,
      1n,
      2n,
      (1n << BigInt(bits)) - 1n,
      1n << BigInt(bits - 1),
      (1n << BigInt(bits - 1)) - 1n,
    ),
    fc.bigInt({ min: 0n, max: bits > 16 ? 0xffffn : (1n << BigInt(bits)) - 1n }),
  );

describe("DIV / IDIV without bigint", () => {
  for (const bits of [8, 16, 32, 64]) {
    for (const signed of [false, true]) {
      it(`${signed ? "IDIV" : "DIV"} ${bits}-bit agrees with exact arithmetic, #DE included`, () => {
        fc.assert(
          fc.property(edgy(bits), edgy(bits), edgy(bits), (upper, lower, divisor) => {
            const expected = oracle(signed, bits, upper, lower, divisor);
            const [upperL, upperH] = halves(upper);
            const [lowerL, lowerH] = halves(lower);
            const [divisorL, divisorH] = halves(divisor);
            const ok = divide(signed, bits / 8, upperL, upperH, lowerL, lowerH, divisorL, divisorH);
            if (expected === null) {
              expect(ok).toBe(false);
              return;
            }
            expect(ok).toBe(true);
            const mask = (1n << BigInt(bits)) - 1n;
            const q = (BigInt(quotient[1]!) << 32n) | BigInt(quotient[0]!);
            const r = (BigInt(remainder[1]!) << 32n) | BigInt(remainder[0]!);
            expect([q & mask, r & mask]).toEqual([expected.q, expected.r]);
          }),
          { numRuns: 4000 },
        );
      });
    }
  }
});
