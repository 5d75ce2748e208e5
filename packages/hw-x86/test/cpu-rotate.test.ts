/**
 * ROL / ROR at every operand size against a bigint reference (SDM vol 2
 * RCL/RCR/ROL/ROR): the result, CF (LSB of the result for ROL, MSB for
 * ROR), OF (MSB ⊕ CF for ROL, MSB ⊕ MSB-1 for ROR) and the other status
 * flags kept from the preceding lazy operation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aluOperation } from "../src/emu/cpu/alu";
import { STATUS_FLAGS } from "../src/emu/cpu/arch-bits";
import { CpuState } from "../src/emu/cpu/cpu-state";
import { DecodedCache } from "../src/emu/cpu/decoded-cache";
import { readFlags } from "../src/emu/cpu/flags";
import { ALU, SHIFT } from "../src/emu/cpu/ops";
import { shiftOperation } from "../src/emu/cpu/shift";
import { PhysicalRam } from "../src/emu/physical-ram";

const CF = 0x1;
const OF = 0x800;

function makeState(): CpuState {
  const ram = new PhysicalRam(4096 * 4);
  return new CpuState(ram, new DecodedCache(ram, 1), null);
}

function rotateReference(left: boolean, bits: number, value: bigint, rawCount: number) {
  const width = BigInt(bits);
  const mask = (1n << width) - 1n;
  const count = BigInt((rawCount & (bits === 64 ? 63 : 31)) % bits);
  const amount = left ? count : (width - count) % width;
  const result = ((value << amount) | (value >> (width - amount))) & mask;
  const msb = Number((result >> (width - 1n)) & 1n);
  const next = Number((result >> (width - 2n)) & 1n);
  const cf = left ? Number(result & 1n) : msb;
  const of = left ? msb ^ cf : msb ^ next;
  return { result, cf, of };
}

describe("ROL / ROR", () => {
  for (const bits of [8, 16, 32, 64]) {
    it(`${bits}-bit rotates match the reference and keep SF/ZF/PF/AF`, () => {
      const state = makeState();
      const size = bits / 8;
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
          fc.integer({ min: 1, max: 255 }),
          fc.boolean(),
          fc.nat({ max: 0xffffffff }),
          (value, rawCount, left, previous) => {
            // A preceding ADD leaves lazy flags the rotate must keep (except CF/OF).
            aluOperation(state, ALU.ADD, 4, previous, 0, 0x7fffffff, 0);
            const before = readFlags(state) & STATUS_FLAGS;
            const low = Number(value & 0xffffffffn);
            const high = Number(value >> 32n);
            const got = shiftOperation(state, left ? SHIFT.ROL : SHIFT.ROR, size, low, high, rawCount);
            const masked = rawCount & (bits === 64 ? 63 : 31);
            const after = readFlags(state) & STATUS_FLAGS;
            if (masked === 0) {
              expect(after).toBe(before);
              return;
            }
            const expected = rotateReference(left, bits, value, rawCount);
            const result = (BigInt(size === 8 ? state.high : 0) << 32n) | BigInt(got >>> 0);
            expect(result).toBe(expected.result);
            expect(after & CF).toBe(expected.cf);
            expect((after & OF) >>> 11).toBe(expected.of);
            expect(after & ~(CF | OF)).toBe(before & ~(CF | OF));
          },
        ),
        { numRuns: 2000, seed: bits },
      );
    });
  }
});
