/**
 * Condition codes (SDM vol 1 appendix B, table B-1) evaluated by
 * `condition` after lazy operations — including the shortcut that reads
 * B/E/BE/S/L/LE straight off CMP's operands and the lazy SHL/SHR/SAR
 * record — agree with the same condition computed from the materialised
 * RFLAGS word, for every cc and operand size.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aluOperation, negate } from "../src/emu/cpu/alu";
import { condition } from "../src/emu/cpu/condition";
import { CpuState } from "../src/emu/cpu/cpu-state";
import { DecodedCache } from "../src/emu/cpu/decoded-cache";
import { readFlags } from "../src/emu/cpu/flags";
import { ALU, SHIFT } from "../src/emu/cpu/ops";
import { shiftOperation } from "../src/emu/cpu/shift";
import { PhysicalRam } from "../src/emu/physical-ram";

function makeState(): CpuState {
  const ram = new PhysicalRam(4096 * 4);
  return new CpuState(ram, new DecodedCache(ram, 1), null);
}

/** Condition `cc` from an RFLAGS word, straight from table B-1. */
function conditionFromFlags(flags: number, cc: number): boolean {
  const cf = flags & 1;
  const pf = (flags >>> 2) & 1;
  const zf = (flags >>> 6) & 1;
  const sf = (flags >>> 7) & 1;
  const of = (flags >>> 11) & 1;
  const table = [of, cf, zf, cf | zf, sf, pf, sf ^ of, zf | (sf ^ of)];
  const result = table[cc >>> 1] === 1;
  return (cc & 1) === 0 ? result : !result;
}

/** Operand halves of `size` bytes, biased to edge values (0, 1, sign bits, all-ones). */
function operand(size: number): fc.Arbitrary<[number, number]> {
  const mask = size === 8 ? 0xffffffff : size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  const word = fc.oneof(
    fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff),
    fc.nat({ max: 0xffffffff }),
  );
  return fc.tuple(word, word).map(([low, high]) => [(low & mask) >>> 0, size === 8 ? high >>> 0 : 0]);
}

describe("condition agrees with the materialised flags", () => {
  for (const size of [1, 2, 4, 8]) {
    it(`after CMP, SUB, NEG and shifts at size ${size}`, () => {
      const state = makeState();
      fc.assert(
        fc.property(
          operand(size),
          operand(size),
          fc.constantFrom(0, 1, 2),
          fc.nat({ max: 63 }),
          ([dL, dH], [sL, sH], kind, count) => {
            if (kind === 0) aluOperation(state, ALU.CMP, size, dL, dH, sL, sH);
            else if (kind === 1) negate(state, size, dL, dH);
            else shiftOperation(state, [SHIFT.SHL, SHIFT.SHR, SHIFT.SAR][count % 3]!, size, dL, dH, count);
            const flags = readFlags(state);
            for (let cc = 0; cc < 16; cc++) {
              expect(condition(state, cc)).toBe(conditionFromFlags(flags, cc));
            }
          },
        ),
        { numRuns: 2000, seed: size },
      );
    });
  }
});
