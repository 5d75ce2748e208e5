import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, divide, multiply, roundValue, squareRoot } from "../fpu/float-arith";
import { compare, fromInteger, integerResult, toInteger } from "../fpu/float-convert";
import {
  FLOAT_FLAG,
  FLOAT32,
  FLOAT64,
  packed,
  ROUNDING,
  Unpacked,
  unpack32,
  unpack64,
} from "../fpu/float-format";
import { beginOperation, floatEnv } from "../fpu/round-pack";
import {
  converted,
  fastConvertFloat,
  fastFloatLanes,
  fastFromInteger,
  fastMxcsr,
  fastOperand,
  fastOrder,
  fastTruncate,
} from "./sse-float-fast";
import { SSE_FLOAT } from "./sse-float-ops";

const first = new Unpacked();
const second = new Unpacked();
const f64 = new Float64Array(1);
const w64 = new Uint32Array(f64.buffer);

/** Bit patterns weighted toward the edges the fast path must refuse or get right. */
const doubleBits = fc.oneof(
  fc.double().map((value) => {
    f64[0] = value;
    return [w64[0]!, w64[1]!] as const;
  }),
  fc.tuple(fc.nat(0xffffffff), fc.nat(0xffffffff)).map(([low, high]) => [low, high] as const),
  fc
    .tuple(
      fc.nat(0xffffffff),
      fc.constantFrom(0, 1, 2, 0x7fe, 0x7ff, 0x3ff, 0x001),
      fc.boolean(),
      fc.nat(0xfffff),
    )
    .map(
      ([low, exponent, sign, top]) =>
        [low, ((sign ? 0x80000000 : 0) | (exponent << 20) | top) >>> 0] as const,
    ),
);
const singleBits = fc.oneof(
  fc.float().map((value) => new Uint32Array(new Float32Array([value]).buffer)[0]!),
  fc.nat(0xffffffff),
  fc
    .tuple(fc.constantFrom(0, 1, 2, 0xfe, 0xff, 0x7f), fc.boolean(), fc.nat(0x7fffff))
    .map(([exponent, sign, top]) => ((sign ? 0x80000000 : 0) | (exponent << 23) | top) >>> 0),
);
const kinds = fc.constantFrom(SSE_FLOAT.ADD, SSE_FLOAT.SUB, SSE_FLOAT.MUL, SSE_FLOAT.DIV, SSE_FLOAT.SQRT);

/** The exact unit's result words and flags for one lane (MXCSR 0x1FA0: nearest, all masked). */
function exact(
  kind: number,
  double: boolean,
  a: readonly number[],
  b: readonly number[],
): { words: number[]; flags: number } {
  beginOperation(ROUNDING.NEAREST, false, false);
  const format = double ? FLOAT64 : FLOAT32;
  if (double) {
    unpack64(first, a[0]!, a[1]!, false);
    unpack64(second, b[0]!, b[1]!, false);
  } else {
    unpack32(first, a[0]!, false);
    unpack32(second, b[0]!, false);
  }
  if (kind === SSE_FLOAT.ADD) add(first, second, false, format);
  else if (kind === SSE_FLOAT.SUB) add(first, second, true, format);
  else if (kind === SSE_FLOAT.MUL) multiply(first, second, format);
  else if (kind === SSE_FLOAT.DIV) divide(first, second, format);
  else squareRoot(second, format);
  return { words: double ? [packed.w0, packed.w1] : [packed.w0], flags: floatEnv.flags };
}

describe("SSE host-double fast path", () => {
  it("takes MXCSR only at round-to-nearest, no FTZ/DAZ, all masked, PE already set", () => {
    expect(fastMxcsr(0x1fa0)).toBe(true);
    expect(fastMxcsr(0x1fbf)).toBe(true);
    expect(fastMxcsr(0x1f80)).toBe(false);
    expect(fastMxcsr(0x3fa0)).toBe(false);
    expect(fastMxcsr(0x9fa0)).toBe(false);
    expect(fastMxcsr(0x1fe0)).toBe(false);
    expect(fastMxcsr(0x0fa0)).toBe(false);
  });

  for (const double of [true, false]) {
    it(`${double ? "doubles" : "singles"}: every lane it keeps is the exact unit's bits, with no flag but PE`, () => {
      let taken = 0;
      const bits = double ? doubleBits.map((pair) => [...pair]) : singleBits.map((word) => [word]);
      fc.assert(
        fc.property(kinds, bits, bits, (kind, a, b) => {
          const xmm = new Uint32Array(4);
          xmm.set(a);
          const source = new Uint32Array(4);
          source.set(b);
          const before = [...xmm];
          const kept = fastFloatLanes(kind, double, 1, xmm, 0, source);
          if (!kept) {
            expect([...xmm]).toEqual(before);
            return;
          }
          taken++;
          const reference = exact(kind, double, a, b);
          expect([...xmm.subarray(0, reference.words.length)]).toEqual(reference.words);
          expect(reference.flags & ~FLOAT_FLAG.INEXACT).toBe(0);
        }),
        { numRuns: 20000 },
      );
      expect(taken).toBeGreaterThan(2000);
    });
  }

  it("refuses the smallest normal (it may be a rounded-up tiny result, which raises UE)", () => {
    // (1 − 2^-53) × 2^-1022 rounds to 2^-1022 at nearest but is tiny after rounding.
    const almostOne = [0xffffffff, 0x3fefffff];
    const minNormal = [0, 0x00100000];
    expect(exact(SSE_FLOAT.MUL, true, almostOne, minNormal).flags & FLOAT_FLAG.UNDERFLOW).not.toBe(0);
    const xmm = new Uint32Array([...almostOne, 0, 0]);
    expect(fastFloatLanes(SSE_FLOAT.MUL, true, 1, xmm, 0, new Uint32Array([...minNormal, 0, 0]))).toBe(false);
  });

  it("orders normal numbers and zeros like the exact compare, and refuses the rest", () => {
    fc.assert(
      fc.property(doubleBits, doubleBits, (a, b) => {
        const order = fastOrder(true, new Uint32Array(a), 0, new Uint32Array(b), 0);
        if (order < 0) return;
        beginOperation(ROUNDING.NEAREST, false, false);
        unpack64(first, a[0], a[1], false);
        unpack64(second, b[0], b[1], false);
        expect(order).toBe(compare(first, second, true));
        expect(floatEnv.flags).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  it("converts integers to floats only when exact, with the exact unit's bits", () => {
    fc.assert(
      fc.property(
        fc.nat(0xffffffff),
        fc.nat(0xffffffff),
        fc.boolean(),
        fc.boolean(),
        (low, high, wide, double) => {
          if (!fastFromInteger(low, high, wide, double)) return;
          beginOperation(ROUNDING.NEAREST, false, false);
          fromInteger(first, low, wide ? high : 0, wide ? 64 : 32, true);
          roundValue(first, double ? FLOAT64 : FLOAT32);
          expect(floatEnv.flags).toBe(0);
          expect(converted.low).toBe(packed.w0);
          if (double) expect(converted.high).toBe(packed.w1);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("truncates to integers like the exact unit, refusing out-of-range values", () => {
    fc.assert(
      fc.property(doubleBits, fc.boolean(), (bits, wide) => {
        const value = fastOperand(new Uint32Array(bits), 0, true);
        if (Number.isNaN(value) || !fastTruncate(value, wide, true)) return;
        beginOperation(ROUNDING.NEAREST, false, false);
        unpack64(first, bits[0], bits[1], false);
        toInteger(first, wide ? 64 : 32, ROUNDING.TOWARD_ZERO);
        expect(floatEnv.flags & ~FLOAT_FLAG.INEXACT).toBe(0);
        expect([converted.low, converted.high]).toEqual([integerResult.low, wide ? integerResult.high : 0]);
      }),
      { numRuns: 5000 },
    );
  });

  it("narrows doubles to singles like the exact unit", () => {
    fc.assert(
      fc.property(doubleBits, fc.boolean(), (bits, mxcsrFast) => {
        const value = fastOperand(new Uint32Array(bits), 0, true);
        if (!fastConvertFloat(value, false, mxcsrFast)) return;
        beginOperation(ROUNDING.NEAREST, false, false);
        unpack64(first, bits[0], bits[1], false);
        roundValue(first, FLOAT32);
        expect(converted.low).toBe(packed.w0);
        expect(floatEnv.flags & ~(mxcsrFast ? FLOAT_FLAG.INEXACT : 0)).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });
});
