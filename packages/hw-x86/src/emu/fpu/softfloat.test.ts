import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, divide, multiply, roundValue, squareRoot } from "./float-arith";
import { compare, fromInteger, integerResult, ORDER, toInteger } from "./float-convert";
import {
  FLOAT_FLAG,
  FLOAT32,
  FLOAT64,
  FLOAT80,
  type FloatFormat,
  packed,
  ROUNDING,
  Unpacked,
  unpack32,
  unpack64,
  unpack80,
} from "./float-format";
import { beginOperation, floatEnv } from "./round-pack";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const u32s = new Uint32Array(f32.buffer);
const a = new Unpacked();
const b = new Unpacked();

function bitsOf(value: number): [number, number] {
  f64[0] = value;
  return [u32[0]!, u32[1]!];
}
function load64(into: Unpacked, value: number): void {
  const [low, high] = bitsOf(value);
  unpack64(into, low, high, false);
}
function result64(): number {
  u32[0] = packed.w0;
  u32[1] = packed.w1;
  return f64[0]!;
}
function result32(): number {
  u32s[0] = packed.w0;
  return f32[0]!;
}
/** Same value and, for non-NaN, same bits (so ±0 count). */
function same(actual: number, expected: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Object.is(actual, expected);
}

const doubles = fc.oneof(
  fc.double(),
  fc.double({ min: -1e-300, max: 1e-300 }),
  fc.constantFrom(
    0,
    -0,
    Infinity,
    -Infinity,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    2 ** -1022,
    Number.MAX_VALUE,
    1,
    3,
  ),
);

describe("software floating point against the host's binary64 (round to nearest)", () => {
  const ops: [
    string,
    (x: number, y: number) => number,
    (x: Unpacked, y: Unpacked, f: FloatFormat) => void,
  ][] = [
    ["add", (x, y) => x + y, (x, y, f) => add(x, y, false, f)],
    ["sub", (x, y) => x - y, (x, y, f) => add(x, y, true, f)],
    ["mul", (x, y) => x * y, (x, y, f) => multiply(x, y, f)],
    ["div", (x, y) => x / y, (x, y, f) => divide(x, y, f)],
  ];
  for (const [name, host, soft] of ops) {
    it(`${name} is correctly rounded`, () => {
      fc.assert(
        fc.property(doubles, doubles, (x, y) => {
          beginOperation(ROUNDING.NEAREST, false, false);
          load64(a, x);
          load64(b, y);
          soft(a, b, FLOAT64);
          expect(same(result64(), host(x, y)), `${x} ${name} ${y}: got ${result64()}`).toBe(true);
        }),
        { numRuns: 3000 },
      );
    });
    it(`${name} in binary32 is correctly rounded`, () => {
      fc.assert(
        fc.property(fc.float(), fc.float(), (x, y) => {
          beginOperation(ROUNDING.NEAREST, false, false);
          f32[0] = x;
          unpack32(a, u32s[0]!, false);
          f32[0] = y;
          unpack32(b, u32s[0]!, false);
          soft(a, b, FLOAT32);
          const r = packed.w0;
          // A binary32 operation rounded once from the exact value equals rounding the binary64 result (p ≥ 2·24+2).
          const expected = Math.fround(host(Math.fround(x), Math.fround(y)));
          u32s[0] = r;
          expect(same(f32[0]!, expected), `${x} ${name} ${y}`).toBe(true);
        }),
        { numRuns: 2000 },
      );
    });
  }
  it("sqrt is correctly rounded", () => {
    fc.assert(
      fc.property(doubles, (x) => {
        beginOperation(ROUNDING.NEAREST, false, false);
        load64(a, x);
        squareRoot(a, FLOAT64);
        expect(same(result64(), Math.sqrt(x)), `sqrt ${x}`).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
  it("binary64 → binary32 matches Math.fround", () => {
    fc.assert(
      fc.property(doubles, (x) => {
        beginOperation(ROUNDING.NEAREST, false, false);
        load64(a, x);
        roundValue(a, FLOAT32);
        expect(same(result32(), Math.fround(x)), `fround ${x}`).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
  it("int64 → binary64 and back", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), (n) => {
        beginOperation(ROUNDING.NEAREST, false, false);
        const low = Number(BigInt.asUintN(32, BigInt(n)));
        const high = Number(BigInt.asUintN(32, BigInt(n) >> 32n));
        fromInteger(a, low, high, 64, true);
        roundValue(a, FLOAT64);
        expect(result64()).toBe(n === 0 ? 0 : n);
        unpack64(b, packed.w0, packed.w1, false);
        toInteger(b, 64, ROUNDING.NEAREST);
        expect(integerResult.low).toBe(low);
        expect(integerResult.high).toBe(high);
      }),
    );
  });
  it("compares like the host", () => {
    fc.assert(
      fc.property(doubles, doubles, (x, y) => {
        beginOperation(ROUNDING.NEAREST, false, false);
        load64(a, x);
        load64(b, y);
        const order = compare(a, b, false);
        const expected =
          Number.isNaN(x) || Number.isNaN(y)
            ? ORDER.UNORDERED
            : x < y
              ? ORDER.LESS
              : x > y
                ? ORDER.GREATER
                : ORDER.EQUAL;
        expect(order).toBe(expected);
      }),
    );
  });
});

describe("rounding modes, flags and the extended format", () => {
  it("1/3 rounds down and up in the directed modes, with PE", () => {
    load64(a, 1);
    load64(b, 3);
    beginOperation(ROUNDING.DOWN, false, false);
    divide(a, b, FLOAT64);
    const down = result64();
    beginOperation(ROUNDING.UP, false, false);
    divide(a, b, FLOAT64);
    const up = result64();
    expect(down).toBeLessThan(up);
    expect(floatEnv.flags).toBe(FLOAT_FLAG.INEXACT);
    beginOperation(ROUNDING.TOWARD_ZERO, false, false);
    divide(a, b, FLOAT64);
    expect(result64()).toBe(down);
  });
  it("overflow: infinity to nearest, the largest finite toward zero", () => {
    load64(a, Number.MAX_VALUE);
    load64(b, 2);
    beginOperation(ROUNDING.NEAREST, false, false);
    multiply(a, b, FLOAT64);
    expect(result64()).toBe(Infinity);
    expect(floatEnv.flags).toBe(FLOAT_FLAG.OVERFLOW | FLOAT_FLAG.INEXACT);
    beginOperation(ROUNDING.TOWARD_ZERO, false, false);
    multiply(a, b, FLOAT64);
    expect(result64()).toBe(Number.MAX_VALUE);
  });
  it("underflow is flagged only for a tiny inexact result when masked; FTZ flushes", () => {
    load64(a, 2 ** -1070);
    load64(b, 3);
    beginOperation(ROUNDING.NEAREST, false, false);
    divide(a, b, FLOAT64);
    expect(floatEnv.flags).toBe(FLOAT_FLAG.UNDERFLOW | FLOAT_FLAG.INEXACT | FLOAT_FLAG.DENORMAL);
    load64(b, 2);
    beginOperation(ROUNDING.NEAREST, false, false);
    divide(a, b, FLOAT64);
    expect(floatEnv.flags).toBe(FLOAT_FLAG.DENORMAL);
    expect(result64()).toBe(2 ** -1071);
    beginOperation(ROUNDING.NEAREST, true, false);
    load64(a, 2 ** -1000);
    load64(b, 2 ** 30);
    divide(a, b, FLOAT64);
    expect(Object.is(result64(), 0)).toBe(true);
    expect(floatEnv.flags).toBe(FLOAT_FLAG.UNDERFLOW | FLOAT_FLAG.INEXACT);
  });
  it("invalid operations give the negative QNaN indefinite", () => {
    load64(a, Infinity);
    load64(b, Infinity);
    beginOperation(ROUNDING.NEAREST, false, false);
    add(a, b, true, FLOAT64);
    expect([packed.w1, packed.w0]).toEqual([0xfff80000, 0]);
    expect(floatEnv.flags).toBe(FLOAT_FLAG.INVALID);
  });
  it("extended: 1/3 has 64 significand bits, round to nearest", () => {
    unpack80(a, 0x3fff, 0x80000000, 0);
    unpack80(b, 0x4000, 0xc0000000, 0);
    beginOperation(ROUNDING.NEAREST, false, false);
    divide(a, b, FLOAT80);
    expect([packed.se, packed.w1, packed.w0]).toEqual([0x3ffd, 0xaaaaaaaa, 0xaaaaaaab]);
    squareRoot(b, FLOAT80);
    // √3 = 1.b504f333f9de6484597d89b3754abe9f… (binary 1.1011101101100111…)
    expect([packed.se, packed.w1.toString(16), packed.w0.toString(16)]).toEqual([
      0x3fff,
      "ddb3d742",
      "c265539e",
    ]);
  });
});
