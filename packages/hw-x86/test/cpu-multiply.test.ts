/**
 * `multiply` (MUL / IMUL at every size) against a bigint reference, with
 * operands biased towards the small values the double-precision fast paths
 * take and the wide ones that need the 16-bit-limb path: product halves,
 * the upper half MUL/IMUL one-operand forms write, and CF = OF.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { STATUS_FLAGS } from "../src/emu/cpu/arch-bits";
import { CpuState } from "../src/emu/cpu/cpu-state";
import { DecodedCache } from "../src/emu/cpu/decoded-cache";
import { readFlags } from "../src/emu/cpu/flags";
import { multiply, upper } from "../src/emu/cpu/muldiv";
import { PhysicalRam } from "../src/emu/physical-ram";

const CF_OF = 0x801;

function makeState(): CpuState {
  const ram = new PhysicalRam(4096 * 4);
  return new CpuState(ram, new DecodedCache(ram, 1), null);
}

/** A `bits`-wide operand: mostly small magnitudes (either sign), sometimes anything. */
function operand(bits: number): fc.Arbitrary<bigint> {
  const full = fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
  const small = fc.bigInt({ min: -(1n << 20n), max: 1n << 20n }).map((v) => BigInt.asUintN(bits, v));
  const medium = fc.bigInt({ min: -(1n << 31n), max: (1n << 31n) - 1n }).map((v) => BigInt.asUintN(bits, v));
  return fc.oneof(small, medium, full);
}

function reference(signed: boolean, bits: number, a: bigint, b: bigint) {
  const width = BigInt(bits);
  const x = signed ? BigInt.asIntN(bits, a) : a;
  const y = signed ? BigInt.asIntN(bits, b) : b;
  const productValue = BigInt.asUintN(bits * 2, x * y);
  const low = BigInt.asUintN(bits, productValue);
  const high = productValue >> width;
  const significant = signed ? BigInt.asIntN(bits, low) !== x * y : high !== 0n;
  return { low, high, significant };
}

describe("multiply matches a bigint reference", () => {
  for (const bits of [32, 64]) {
    for (const signed of [false, true]) {
      it(`${signed ? "IMUL" : "MUL"} ${bits}-bit`, () => {
        const state = makeState();
        const size = bits / 8;
        fc.assert(
          fc.property(operand(bits), operand(bits), (a, b) => {
            const aL = Number(a & 0xffffffffn);
            const aH = Number(a >> 32n);
            const bL = Number(b & 0xffffffffn);
            const bH = Number(b >> 32n);
            const low = multiply(state, signed, size, aL, aH, bL, bH);
            const got = (BigInt(size === 8 ? state.high : 0) << 32n) | BigInt(low);
            const expected = reference(signed, bits, a, b);
            expect(got).toBe(expected.low);
            const upperValue =
              size === 8 ? (BigInt(upper[1]!) << 32n) | BigInt(upper[0]!) : BigInt(upper[0]!);
            expect(upperValue).toBe(expected.high);
            const flags = readFlags(state) & STATUS_FLAGS;
            expect(flags & CF_OF).toBe(expected.significant ? CF_OF : 0);
          }),
          { numRuns: 3000, seed: bits * 2 + (signed ? 1 : 0) },
        );
      });
    }
  }
});
