/**
 * The x87 instructions that compute more than one rounding: FPREM and
 * FPREM1 (exact partial remainders), FSCALE, FXTRACT, and the
 * transcendental ones — F2XM1, FYL2X, FYL2XP1, FPATAN, FSIN, FCOS, FSINCOS,
 * FPTAN (SDM vol 2 entries; vol 1 §8.3.10 for their accuracy).
 *
 * Transcendental results are computed in double-double (~106 bits, fpu/
 * double-double.ts) from the exact 64-bit operands and rounded once to the
 * extended format under FCW.RC, so they are within 1 ulp of the true value
 * (almost always correctly rounded) — the accuracy the SDM states, though
 * not always the same last bit as a given Intel model. As on Intel
 * processors, FSIN/FCOS/FSINCOS/FPTAN reduce their argument by a 66-bit
 * approximation of π (exactly, by long division), accept |x| < 2^63 (else
 * C2 = 1 and ST0 is unchanged), and FPREM's partial reduction for exponent
 * differences of 64 or more removes 32 + (difference mod 32) bits per step.
 * Precision control does not apply to these instructions.
 */

import { FPU } from "../../interfaces/cpu-context";
import { dd, ddAdd, ddDiv, ddMul, ddSeries, ddSqrt, SERIES } from "../fpu/double-double";
import { add, propagateNaN, roundValue } from "../fpu/float-arith";
import { integerResult, toInteger } from "../fpu/float-convert";
import {
  FLOAT_CLASS,
  FLOAT_FLAG,
  FLOAT80,
  packed,
  packIndefinite,
  packSpecial,
  ROUNDING,
  Unpacked,
  unpack64,
} from "../fpu/float-format";
import { floatEnv, roundPack, W } from "../fpu/round-pack";
import {
  beginX87,
  FSW,
  finishX87,
  isEmpty,
  pop,
  pushSlot,
  readStack,
  setConditionCodes,
  stackFault,
  writeStack,
} from "./x87-stack";

const { ZERO, FINITE, INFINITY, NAN } = FLOAT_CLASS;
const TWO_32 = 4294967296;
const x = new Unpacked();
const y = new Unpacked();
const partHigh = new Unpacked();
const partLow = new Unpacked();
const bits = new Float64Array(1);
const bitWords = new Uint32Array(bits.buffer);

const PI_HIGH = Math.PI;
const PI_LOW = 1.2246467991473532e-16;
const LN2_HIGH = Math.LN2;
const LN2_LOW = 2.3190468138462996e-17;

/** D9 F0–FF except FSQRT, FRNDINT, FDECSTP, FINCSTP (sub 6 or 7, index = ModRM.rm). */
export function executeX87Function(fpu: Uint32Array, sub: number, index: number): void {
  const code = (sub - 6) * 8 + index;
  switch (code) {
    case 0:
      unaryFunction(fpu, twoToXMinusOne);
      return;
    case 1:
      binaryFunction(fpu, logarithm, false);
      return;
    case 2:
      trigonometric(fpu, TRIG.TAN);
      return;
    case 3:
      binaryFunction(fpu, arcTangent, false);
      return;
    case 4:
      extract(fpu);
      return;
    case 5:
      partialRemainder(fpu, true);
      return;
    case 8:
      partialRemainder(fpu, false);
      return;
    case 9:
      binaryFunction(fpu, logarithm, true);
      return;
    case 11:
      trigonometric(fpu, TRIG.SINCOS);
      return;
    case 13:
      binaryFunction(fpu, scale, false);
      return;
    case 14:
      trigonometric(fpu, TRIG.SIN);
      return;
    default:
      trigonometric(fpu, TRIG.COS);
      return;
  }
}

// ---- helpers ----

/** Significand of a finite value as a double-double in [1, 2). */
function significand(value: Unpacked): void {
  dd.hi = (value.hi * 2 ** 21 + (value.lo >>> 11)) * 2 ** -52;
  dd.lo = (value.lo & 0x7ff) * 2 ** -63;
}

/** Rounds ±(hi + lo) × 2^scale to the extended format into `packed` (one rounding, flags raised). */
function packDoubleDouble(hi: number, lo: number, scale: number, negate: boolean): void {
  loadPart(partHigh, hi, scale, negate);
  loadPart(partLow, lo, scale, negate);
  if (partHigh.cls === ZERO && partLow.cls === ZERO) {
    packSpecial(negate ? 1 : 0, false, 80);
    return;
  }
  add(partHigh, partLow, false, FLOAT80);
}

function loadPart(into: Unpacked, value: number, scale: number, negate: boolean): void {
  bits[0] = value;
  unpack64(into, bitWords[0]!, bitWords[1]!, false);
  into.denormal = false;
  if (into.cls === FINITE) into.exp += scale;
  if (negate) into.sign ^= 1;
}

function invalidResult(): void {
  floatEnv.flags |= FLOAT_FLAG.INVALID;
  packIndefinite(80);
}

// ---- F2XM1 ----

function unaryFunction(fpu: Uint32Array, compute: () => void): void {
  beginX87(fpu);
  if (isEmpty(fpu, 0)) stackFault(fpu, false);
  else {
    readStack(fpu, 0, x);
    if (x.unsupported) invalidResult();
    else if (x.cls === NAN) propagateNaN(x, null, 80);
    else {
      if (x.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
      compute();
    }
  }
  if (finishX87(fpu)) writeStack(fpu, 0);
}

/** 2^x − 1 (defined for −1 ≤ x ≤ 1). */
function twoToXMinusOne(): void {
  if (x.cls === ZERO) {
    packSpecial(x.sign, false, 80);
    return;
  }
  if (x.cls === INFINITY) {
    if (x.sign === 0) {
      packSpecial(0, true, 80);
      return;
    }
    W.w2 = 0x80000000;
    W.w1 = 0;
    W.w0 = 0;
    roundPack(1, 0, FLOAT80);
    return;
  }
  significand(x);
  const high = dd.hi;
  const low = dd.lo;
  if (x.exp < -70) {
    // 2^x − 1 = x·ln 2 · (1 + x·ln2/2 + …): the correction is below 2^-71.
    ddMul(high, low, LN2_HIGH, LN2_LOW);
    packDoubleDouble(dd.hi, dd.lo, x.exp, x.sign !== 0);
    return;
  }
  const scale = 2 ** x.exp;
  ddMul(high * scale, low * scale, LN2_HIGH, LN2_LOW);
  ddSeries(x.sign !== 0 ? -dd.hi : dd.hi, x.sign !== 0 ? -dd.lo : dd.lo, SERIES.EXPM1);
  packDoubleDouble(dd.hi, dd.lo, 0, false);
}

// ---- two-operand functions: ST1 = f(ST1, ST0), pop ----

function binaryFunction(fpu: Uint32Array, compute: (plusOne: boolean) => void, plusOne: boolean): void {
  beginX87(fpu);
  if (isEmpty(fpu, 0) || isEmpty(fpu, 1)) stackFault(fpu, false);
  else {
    readStack(fpu, 0, x);
    readStack(fpu, 1, y);
    if (x.unsupported || y.unsupported) invalidResult();
    else if (x.cls === NAN || y.cls === NAN) propagateNaN(x, y, 80);
    else {
      if (x.denormal || y.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
      compute(plusOne);
    }
  }
  if (!finishX87(fpu)) return;
  if (compute === scale) {
    writeStack(fpu, 0);
    return;
  }
  writeStack(fpu, 1);
  pop(fpu);
}

/** FYL2X: y·log2(x); FYL2XP1 (`plusOne`): y·log2(x + 1). */
function logarithm(plusOne: boolean): void {
  const ySign = y.sign;
  if (plusOne) {
    if (x.cls === ZERO) {
      if (y.cls === INFINITY) {
        invalidResult();
        return;
      }
      packSpecial(x.sign ^ ySign, false, 80);
      return;
    }
    if (x.cls === INFINITY || (x.sign !== 0 && x.exp >= 0)) {
      invalidResult();
      return;
    }
    if (y.cls === ZERO) {
      packSpecial(x.sign ^ ySign, false, 80);
      return;
    }
    if (y.cls === INFINITY) {
      packSpecial(x.sign ^ ySign, true, 80);
      return;
    }
    significand(x);
    const xHigh = dd.hi;
    const xLow = dd.lo;
    if (x.exp < -70) {
      // log2(1 + x) = x / ln 2 · (1 − x/2 + …).
      ddDiv(xHigh, xLow, LN2_HIGH, LN2_LOW);
      multiplyByY(dd.hi, dd.lo, x.exp, x.sign);
      return;
    }
    const scale = 2 ** x.exp;
    const valueHigh = x.sign !== 0 ? -xHigh * scale : xHigh * scale;
    const valueLow = x.sign !== 0 ? -xLow * scale : xLow * scale;
    // log2(1 + v) = 2·atanh(v / (2 + v)) / ln 2.
    ddAdd(2, 0, valueHigh, valueLow);
    ddDiv(valueHigh, valueLow, dd.hi, dd.lo);
    ddSeries(dd.hi, dd.lo, SERIES.ATANH);
    ddDiv(dd.hi * 2, dd.lo * 2, LN2_HIGH, LN2_LOW);
    multiplyByY(dd.hi, dd.lo, 0, 0);
    return;
  }
  if (x.sign !== 0 && x.cls !== ZERO) {
    invalidResult();
    return;
  }
  if (x.cls === ZERO) {
    if (y.cls === ZERO) {
      invalidResult();
      return;
    }
    if (y.cls !== INFINITY) floatEnv.flags |= FLOAT_FLAG.DIVIDE_BY_ZERO;
    packSpecial(ySign ^ 1, true, 80);
    return;
  }
  if (x.cls === INFINITY) {
    if (y.cls === ZERO) {
      invalidResult();
      return;
    }
    packSpecial(ySign, true, 80);
    return;
  }
  const isOne = x.exp === 0 && x.hi === 0x80000000 && x.lo === 0;
  if (isOne) {
    if (y.cls === INFINITY) {
      invalidResult();
      return;
    }
    packSpecial(ySign, false, 80);
    return;
  }
  const below = x.exp < 0;
  if (y.cls === ZERO) {
    packSpecial(ySign ^ (below ? 1 : 0), false, 80);
    return;
  }
  if (y.cls === INFINITY) {
    packSpecial(ySign ^ (below ? 1 : 0), true, 80);
    return;
  }
  // x = m·2^e with m in [√½, √2): log2 x = e + 2·atanh((m − 1)/(m + 1)) / ln 2.
  significand(x);
  let mHigh = dd.hi;
  let mLow = dd.lo;
  let e = x.exp;
  if (mHigh > Math.SQRT2) {
    mHigh /= 2;
    mLow /= 2;
    e += 1;
  }
  ddAdd(mHigh, mLow, -1, 0);
  const numeratorHigh = dd.hi;
  const numeratorLow = dd.lo;
  ddAdd(mHigh, mLow, 1, 0);
  ddDiv(numeratorHigh, numeratorLow, dd.hi, dd.lo);
  ddSeries(dd.hi, dd.lo, SERIES.ATANH);
  ddDiv(dd.hi * 2, dd.lo * 2, LN2_HIGH, LN2_LOW);
  ddAdd(e, 0, dd.hi, dd.lo);
  multiplyByY(dd.hi, dd.lo, 0, 0);
}

/** Packs y × (hi + lo) × 2^scale, with `sign` xored in. */
function multiplyByY(hi: number, lo: number, scale: number, sign: number): void {
  significand(y);
  ddMul(dd.hi, dd.lo, hi, lo);
  packDoubleDouble(dd.hi, dd.lo, scale + y.exp, (y.sign ^ sign) !== 0);
}

/** FPATAN: atan2(ST1, ST0) — y = ST1, x = ST0 — in (−π, π]. */
function arcTangent(): void {
  const negative = y.sign !== 0;
  const xNegative = x.sign !== 0;
  if (y.cls === ZERO) {
    if (!xNegative) {
      packSpecial(y.sign, false, 80);
      return;
    }
    packDoubleDouble(PI_HIGH, PI_LOW, 0, negative);
    return;
  }
  if (y.cls === INFINITY) {
    if (x.cls === INFINITY) {
      packDoubleDouble(
        xNegative ? PI_HIGH * 0.75 : PI_HIGH * 0.25,
        xNegative ? PI_LOW * 0.75 : PI_LOW * 0.25,
        0,
        negative,
      );
      return;
    }
    packDoubleDouble(PI_HIGH / 2, PI_LOW / 2, 0, negative);
    return;
  }
  if (x.cls === ZERO) {
    packDoubleDouble(PI_HIGH / 2, PI_LOW / 2, 0, negative);
    return;
  }
  if (x.cls === INFINITY) {
    if (!xNegative) {
      packSpecial(y.sign, false, 80);
      return;
    }
    packDoubleDouble(PI_HIGH, PI_LOW, 0, negative);
    return;
  }
  // |y| / |x| = (my / mx) · 2^(ey − ex)
  significand(y);
  const yHigh = dd.hi;
  const yLow = dd.lo;
  significand(x);
  ddDiv(yHigh, yLow, dd.hi, dd.lo);
  const ratioHigh = dd.hi;
  const ratioLow = dd.lo;
  const exponent = y.exp - x.exp;
  if (exponent < -70) {
    // atan r = r − r³/3 …; with x < 0 the result is π − r.
    if (!xNegative) {
      packDoubleDouble(ratioHigh, ratioLow, exponent, negative);
      return;
    }
    const scale = exponent < -1000 ? 0 : 2 ** exponent;
    ddAdd(PI_HIGH, PI_LOW, -ratioHigh * scale, -ratioLow * scale);
    packDoubleDouble(dd.hi, dd.lo, 0, negative);
    return;
  }
  let angleHigh: number;
  let angleLow: number;
  if (exponent > 70) {
    // atan r = π/2 − 1/r + …
    const scale = exponent > 1000 ? 0 : 2 ** -exponent;
    ddDiv(1, 0, ratioHigh, ratioLow);
    ddAdd(PI_HIGH / 2, PI_LOW / 2, -dd.hi * scale, -dd.lo * scale);
    angleHigh = dd.hi;
    angleLow = dd.lo;
  } else {
    const scale = 2 ** exponent;
    atanPositive(ratioHigh * scale, ratioLow * scale);
    angleHigh = dd.hi;
    angleLow = dd.lo;
  }
  if (xNegative) {
    ddAdd(PI_HIGH, PI_LOW, -angleHigh, -angleLow);
    angleHigh = dd.hi;
    angleLow = dd.lo;
  }
  packDoubleDouble(angleHigh, angleLow, 0, negative);
}

/** atan of a positive double-double: reflect above 1, halve the angle three times, then the series. */
function atanPositive(high: number, low: number): void {
  let zHigh = high;
  let zLow = low;
  const reflect = zHigh > 1;
  if (reflect) {
    ddDiv(1, 0, zHigh, zLow);
    zHigh = dd.hi;
    zLow = dd.lo;
  }
  // atan z = 2·atan(z / (1 + √(1 + z²)))
  for (let i = 0; i < 3; i++) {
    ddMul(zHigh, zLow, zHigh, zLow);
    ddAdd(1, 0, dd.hi, dd.lo);
    ddSqrt(dd.hi, dd.lo);
    ddAdd(1, 0, dd.hi, dd.lo);
    ddDiv(zHigh, zLow, dd.hi, dd.lo);
    zHigh = dd.hi;
    zLow = dd.lo;
  }
  ddSeries(zHigh, zLow, SERIES.ATAN);
  let angleHigh = dd.hi * 8;
  let angleLow = dd.lo * 8;
  if (reflect) {
    ddAdd(PI_HIGH / 2, PI_LOW / 2, -angleHigh, -angleLow);
    angleHigh = dd.hi;
    angleLow = dd.lo;
  }
  dd.hi = angleHigh;
  dd.lo = angleLow;
}

/** FSCALE: ST0 × 2^trunc(ST1), rounded once (exact unless it overflows or underflows). */
function scale(): void {
  // Here x = ST0 (the value), y = ST1 (the scale).
  if (y.cls === INFINITY) {
    if (y.sign !== 0) {
      if (x.cls === INFINITY) {
        invalidResult();
        return;
      }
      packSpecial(x.sign, false, 80);
      return;
    }
    if (x.cls === ZERO) {
      invalidResult();
      return;
    }
    packSpecial(x.sign, true, 80);
    return;
  }
  if (x.cls !== FINITE) {
    roundValue(x, FLOAT80);
    return;
  }
  let shift = 0;
  if (y.cls === FINITE) {
    if (y.exp > 30) shift = y.sign !== 0 ? -(2 ** 31) : 2 ** 31;
    else {
      const flags = floatEnv.flags;
      toInteger(y, 32, ROUNDING.TOWARD_ZERO);
      floatEnv.flags = flags;
      shift = integerResult.low | 0;
    }
  }
  W.w2 = x.hi;
  W.w1 = x.lo;
  W.w0 = 0;
  roundPack(x.sign, x.exp + shift, FLOAT80);
}

// ---- FXTRACT ----

function extract(fpu: Uint32Array): void {
  beginX87(fpu);
  if (isEmpty(fpu, 0)) {
    // Masked underflow: ST0 and the pushed register get the indefinite, even over a full ST7.
    stackFault(fpu, false);
    if (!finishX87(fpu)) return;
    writeStack(fpu, 0);
    pushSlot(fpu);
    writeStack(fpu, 0);
    return;
  }
  if (!isEmpty(fpu, 7)) {
    // Masked overflow: both results are the indefinite, and the push happens.
    stackFault(fpu, true);
    if (!finishX87(fpu)) return;
    writeStack(fpu, 0);
    pushSlot(fpu);
    writeStack(fpu, 0);
    return;
  }
  readStack(fpu, 0, x);
  let exponentWords: readonly number[];
  if (x.unsupported || x.cls === NAN) {
    if (x.unsupported) invalidResult();
    else propagateNaN(x, null, 80);
    exponentWords = [packed.w0, packed.w1, packed.se];
  } else if (x.cls === ZERO) {
    floatEnv.flags |= FLOAT_FLAG.DIVIDE_BY_ZERO;
    exponentWords = [0, 0x80000000, 0xffff];
    packSpecial(x.sign, false, 80);
  } else if (x.cls === INFINITY) {
    exponentWords = [0, 0x80000000, 0x7fff];
    packSpecial(x.sign, true, 80);
  } else {
    if (x.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
    const magnitude = Math.abs(x.exp);
    // The exponent as an extended value (an integer below 2^15: exact).
    W.w2 = (magnitude << (31 - (31 - Math.clz32(magnitude)))) >>> 0;
    W.w1 = 0;
    W.w0 = 0;
    if (magnitude === 0) packSpecial(0, false, 80);
    else roundPack(x.exp < 0 ? 1 : 0, 31 - Math.clz32(magnitude), FLOAT80);
    exponentWords = [packed.w0, packed.w1, packed.se];
    packed.w0 = x.lo;
    packed.w1 = x.hi;
    packed.se = (x.sign << 15) | 16383;
  }
  if (!finishX87(fpu)) return;
  const w0 = packed.w0;
  const w1 = packed.w1;
  const se = packed.se;
  packed.w0 = exponentWords[0]!;
  packed.w1 = exponentWords[1]!;
  packed.se = exponentWords[2]!;
  writeStack(fpu, 0);
  pushSlot(fpu);
  packed.w0 = w0;
  packed.w1 = w1;
  packed.se = se;
  writeStack(fpu, 0);
}

// ---- FPREM / FPREM1 ----

/**
 * ST0 = ST0 − q·ST1 with q = trunc(ST0/ST1) (FPREM) or round-to-nearest-even
 * (FPREM1), exactly; C0, C3, C1 = q's bits 2, 1, 0; C2 = 1 when only a
 * partial reduction was done.
 */
function partialRemainder(fpu: Uint32Array, ieee: boolean): void {
  beginX87(fpu);
  if (isEmpty(fpu, 0) || isEmpty(fpu, 1)) {
    stackFault(fpu, false);
    if (!finishX87(fpu)) return;
    writeStack(fpu, 0);
    fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C2;
    return;
  }
  readStack(fpu, 0, x);
  readStack(fpu, 1, y);
  let quotient = 0;
  let partial = false;
  let computed = false;
  if (x.unsupported || y.unsupported) invalidResult();
  else if (x.cls === NAN || y.cls === NAN) propagateNaN(x, y, 80);
  else if (x.cls === INFINITY || y.cls === ZERO) invalidResult();
  else {
    computed = true;
    if (x.denormal || y.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
    if (x.cls === ZERO || y.cls === INFINITY) roundValue(x, FLOAT80);
    else {
      const difference = x.exp - y.exp;
      partial = difference >= 64;
      quotient = remainder(ieee && !partial, partial ? (difference & 31) | 32 : difference);
    }
  }
  if (!finishX87(fpu)) return;
  writeStack(fpu, 0);
  if (!computed) {
    // A NaN result: C2 = 0, the other condition codes stay (as Intel processors leave them).
    fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C2;
    return;
  }
  const q = partial ? 0 : quotient;
  setConditionCodes(
    fpu,
    ((q & 4) !== 0 ? FSW.C0 : 0) |
      ((q & 2) !== 0 ? FSW.C3 : 0) |
      ((q & 1) !== 0 ? FSW.C1 : 0) |
      (partial ? FSW.C2 : 0),
  );
}

/**
 * |x| mod (|y|·2^(difference − steps)) by restoring division over `steps`
 * exponent positions (the full remainder when steps = x.exp − y.exp); packs
 * the exact result and returns the low quotient bits.
 */
function remainder(nearest: boolean, steps: number): number {
  const divisorHigh = y.hi;
  const divisorLow = y.lo;
  const divisorExp = x.exp - steps;
  if (steps < 0) {
    // |x| < |y|: q = 0, except FPREM1 with |x| > |y|/2 (then q = 1 and the result is |x| − |y|).
    if (nearest && steps === -1 && (x.hi > y.hi || (x.hi === y.hi && x.lo > y.lo))) {
      y.sign = x.sign ^ 1;
      add(x, y, false, FLOAT80);
      return 1;
    }
    roundValue(x, FLOAT80);
    return 0;
  }
  let remHigh = x.hi;
  let remLow = x.lo;
  let quotient = 0;
  for (let step = 0; step <= steps; step++) {
    quotient = (quotient * 2) & 7;
    if (remHigh > divisorHigh || (remHigh === divisorHigh && remLow >= divisorLow)) {
      const borrow = remLow < divisorLow ? 1 : 0;
      remLow = remLow - divisorLow + borrow * TWO_32;
      remHigh = remHigh - divisorHigh - borrow;
      quotient |= 1;
    }
    if (step < steps) {
      remHigh = remHigh * 2 + (remLow >>> 31);
      remLow = (remLow << 1) >>> 0;
    }
  }
  let sign = x.sign;
  if (nearest) {
    // Compare 2·rem with the divisor; round half to even.
    const doubleHigh = remHigh * 2 + (remLow >>> 31);
    const doubleLow = (remLow << 1) >>> 0;
    const above = doubleHigh > divisorHigh || (doubleHigh === divisorHigh && doubleLow > divisorLow);
    const tie = doubleHigh === divisorHigh && doubleLow === divisorLow;
    if (above || (tie && (quotient & 1) !== 0)) {
      const borrow = divisorLow < remLow ? 1 : 0;
      remLow = divisorLow - remLow + borrow * TWO_32;
      remHigh = divisorHigh - remHigh - borrow;
      quotient = (quotient + 1) & 7;
      sign ^= 1;
    }
  }
  if (remHigh === 0 && remLow === 0) {
    packSpecial(x.sign, false, 80);
    return quotient;
  }
  partHigh.setFinite(sign, divisorExp, remHigh, remLow);
  roundValue(partHigh, FLOAT80);
  return quotient;
}

// ---- FSIN / FCOS / FSINCOS / FPTAN ----

const TRIG = { SIN: 0, COS: 1, SINCOS: 2, TAN: 3 } as const;
/** π/2 rounded to 66 bits (Intel's reduction constant) as an integer: value × 2^65. */
const HALF_PI_HIGH = 0x3243f6a88; // bits 65..32
const HALF_PI_LOW = 0x85a308d3; // bits 31..0

function trigonometric(fpu: Uint32Array, kind: number): void {
  beginX87(fpu);
  const pushes = kind === TRIG.SINCOS || kind === TRIG.TAN;
  if (isEmpty(fpu, 0)) {
    stackFault(fpu, false);
    if (!finishX87(fpu)) return;
    writeStack(fpu, 0);
    if (pushes) {
      pushSlot(fpu);
      writeStack(fpu, 0);
    }
    return;
  }
  if (pushes && !isEmpty(fpu, 7)) {
    stackFault(fpu, true);
    finishX87(fpu);
    return;
  }
  readStack(fpu, 0, x);
  if (x.cls === FINITE && x.exp >= 63) {
    // Out of range: C2 = 1, nothing changes.
    setConditionCodes(fpu, FSW.C2);
    return;
  }
  let second: readonly number[] | null = null;
  if (x.unsupported || x.cls === INFINITY) invalidResult();
  else if (x.cls === NAN) propagateNaN(x, null, 80);
  else if (x.cls === ZERO) {
    if (kind === TRIG.COS) onePacked();
    else packSpecial(x.sign, false, 80);
    if (kind === TRIG.SINCOS) second = [0, 0x80000000, 0x3fff];
    if (kind === TRIG.TAN) second = [0, 0x80000000, 0x3fff];
  } else {
    if (x.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
    reduce();
    const sinHigh = reducedSinHigh;
    const sinLow = reducedSinLow;
    const cosHigh = reducedCosHigh;
    const cosLow = reducedCosLow;
    if (kind === TRIG.SIN || kind === TRIG.SINCOS) {
      packDoubleDouble(sinHigh, sinLow, reducedScale, x.sign !== 0);
      if (kind === TRIG.SINCOS) {
        const sinWords = [packed.w0, packed.w1, packed.se];
        packDoubleDouble(cosHigh, cosLow, 0, false);
        second = [packed.w0, packed.w1, packed.se];
        packed.w0 = sinWords[0]!;
        packed.w1 = sinWords[1]!;
        packed.se = sinWords[2]!;
      }
    } else if (kind === TRIG.COS) packDoubleDouble(cosHigh, cosLow, 0, false);
    else {
      ddDiv(sinHigh, sinLow, cosHigh, cosLow);
      packDoubleDouble(dd.hi, dd.lo, reducedScale, x.sign !== 0);
      second = [0, 0x80000000, 0x3fff];
    }
  }
  if (!finishX87(fpu)) return;
  fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C2;
  writeStack(fpu, 0);
  if (!pushes) return;
  if (second === null) {
    // NaN or invalid: both results are the same NaN.
    pushSlot(fpu);
    writeStack(fpu, 0);
    return;
  }
  pushSlot(fpu);
  packed.w0 = second[0]!;
  packed.w1 = second[1]!;
  packed.se = second[2]!;
  writeStack(fpu, 0);
}

function onePacked(): void {
  packed.w0 = 0;
  packed.w1 = 0x80000000;
  packed.se = 0x3fff;
}

let reducedSinHigh = 0;
let reducedSinLow = 0;
let reducedCosHigh = 0;
let reducedCosLow = 0;
/** The sine result's extra binary exponent (tiny arguments keep theirs out of double range). */
let reducedScale = 0;

/**
 * sin and cos of |x| (finite, nonzero, |x| < 2^63): |x| = q·(π66/2) + r by
 * exact long division with r in [−π66/4, π66/4], then the series for r and
 * the quadrant q mod 4. The sine is for |x| (the caller applies the sign).
 */
function reduce(): void {
  reducedScale = 0;
  if (x.exp < -2) {
    significand(x);
    if (x.exp < -900) {
      // sin x = x (the x³/6 term is far below the last bit), cos x = 1 − tiny.
      reducedSinHigh = dd.hi;
      reducedSinLow = dd.lo;
      reducedScale = x.exp;
      reducedCosHigh = 1;
      reducedCosLow = -(2 ** -200);
      return;
    }
    const scale = 2 ** x.exp;
    sinCos(dd.hi * scale, dd.lo * scale, 0);
    return;
  }
  // N = significand · 2^(exp + 2), in units of 2^-65; divide by P = HALF_PI (66 bits).
  let remHigh = x.hi;
  let remLow = x.lo;
  let quotient = 0;
  for (let step = 0; step < x.exp + 2; step++) {
    remHigh = remHigh * 2 + (remLow >>> 31);
    remLow = (remLow << 1) >>> 0;
    quotient = (quotient * 2) & 3;
    if (remHigh > HALF_PI_HIGH || (remHigh === HALF_PI_HIGH && remLow >= HALF_PI_LOW)) {
      const borrow = remLow < HALF_PI_LOW ? 1 : 0;
      remLow = remLow - HALF_PI_LOW + borrow * TWO_32;
      remHigh = remHigh - HALF_PI_HIGH - borrow;
      quotient |= 1;
    }
  }
  // Round the quotient to nearest: r > π/4 ⇔ 2·rem > P.
  const doubleHigh = remHigh * 2 + (remLow >>> 31);
  const doubleLow = (remLow << 1) >>> 0;
  let negative = false;
  if (doubleHigh > HALF_PI_HIGH || (doubleHigh === HALF_PI_HIGH && doubleLow > HALF_PI_LOW)) {
    const borrow = HALF_PI_LOW < remLow ? 1 : 0;
    remLow = HALF_PI_LOW - remLow + borrow * TWO_32;
    remHigh = HALF_PI_HIGH - remHigh - borrow;
    quotient = (quotient + 1) & 3;
    negative = true;
  }
  ddAdd(remHigh * TWO_32 * 2 ** -65, 0, remLow * 2 ** -65, 0);
  sinCos(negative ? -dd.hi : dd.hi, negative ? -dd.lo : dd.lo, quotient);
}

/** sin and cos of q·π/2 + r (|r| ≤ π/4). */
function sinCos(rHigh: number, rLow: number, quadrant: number): void {
  ddSeries(rHigh, rLow, SERIES.SIN);
  const sinHigh = dd.hi;
  const sinLow = dd.lo;
  ddSeries(rHigh, rLow, SERIES.COS);
  const cosHigh = dd.hi;
  const cosLow = dd.lo;
  switch (quadrant) {
    case 0:
      reducedSinHigh = sinHigh;
      reducedSinLow = sinLow;
      reducedCosHigh = cosHigh;
      reducedCosLow = cosLow;
      return;
    case 1:
      reducedSinHigh = cosHigh;
      reducedSinLow = cosLow;
      reducedCosHigh = -sinHigh;
      reducedCosLow = -sinLow;
      return;
    case 2:
      reducedSinHigh = -sinHigh;
      reducedSinLow = -sinLow;
      reducedCosHigh = -cosHigh;
      reducedCosLow = -cosLow;
      return;
    default:
      reducedSinHigh = -cosHigh;
      reducedSinLow = -cosLow;
      reducedCosHigh = sinHigh;
      reducedCosLow = sinLow;
  }
}
