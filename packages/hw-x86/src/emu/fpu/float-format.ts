/**
 * Binary floating-point formats of the x86 FPU and SSE units (SDM vol 1
 * §4.2, §4.8), and the unpacked form every software-float operation works on.
 *
 * Unpacked value: `cls` (zero, finite, infinity, NaN), `sign`, and for a
 * finite value a 64-bit significand `hi:lo` with its leading 1 at bit 63
 * (denormal inputs are normalised on unpacking) and an unbiased exponent:
 * value = (hi:lo / 2^63) × 2^exp. A NaN keeps its significand in the same
 * place as the 80-bit format holds it (integer bit 63, quiet bit 62, payload
 * left-aligned below), so converting a NaN between formats is a shift.
 *
 * Exception flags use the bit order both MXCSR and the x87 status word use:
 * IE DE ZE OE UE PE (bits 0–5). Rounding control uses the encoding both
 * MXCSR.RC and FCW.RC use.
 */

/** Exception flags (MXCSR bits 0–5 and FSW bits 0–5; SDM vol 1 §4.9.1). */
export const FLOAT_FLAG = {
  INVALID: 1,
  DENORMAL: 2,
  DIVIDE_BY_ZERO: 4,
  OVERFLOW: 8,
  UNDERFLOW: 16,
  INEXACT: 32,
} as const;

/** Rounding control (MXCSR.RC, FCW.RC; SDM vol 1 table 4-8). */
export const ROUNDING = { NEAREST: 0, DOWN: 1, UP: 2, TOWARD_ZERO: 3 } as const;

/** Class of an unpacked value. */
export const FLOAT_CLASS = { ZERO: 0, FINITE: 1, INFINITY: 2, NAN: 3 } as const;

/** Which NaN a two-operand operation returns (SDM vol 1 table 4-7). */
export const NAN_RULE = {
  /** SSE: the first source operand if it is a NaN, else the second (quieted). */
  FIRST_OPERAND: 0,
  /** x87: a QNaN over an SNaN, else the NaN with the larger significand (quieted). */
  LARGER_SIGNIFICAND: 1,
} as const;

/** A binary interchange (or x87 extended) format: significand precision and exponent range. */
export interface FloatFormat {
  /** Significand bits including the leading bit (24, 53 or 64). */
  readonly precision: number;
  /** Smallest normal exponent. */
  readonly emin: number;
  /** Largest finite exponent. */
  readonly emax: number;
  /** Bit layout results are packed into. */
  readonly encoding: 32 | 64 | 80;
}

export const FLOAT32: FloatFormat = { precision: 24, emin: -126, emax: 127, encoding: 32 };
export const FLOAT64: FloatFormat = { precision: 53, emin: -1022, emax: 1023, encoding: 64 };
export const FLOAT80: FloatFormat = { precision: 64, emin: -16382, emax: 16383, encoding: 80 };
/** x87 with FCW.PC = double: 53-bit significands, extended exponent range. */
export const FLOAT80_DOUBLE: FloatFormat = { precision: 53, emin: -16382, emax: 16383, encoding: 80 };
/** x87 with FCW.PC = single: 24-bit significands, extended exponent range. */
export const FLOAT80_SINGLE: FloatFormat = { precision: 24, emin: -16382, emax: 16383, encoding: 80 };

const QUIET_BIT = 0x40000000;
const INTEGER_BIT = 0x80000000;

/** One operand or intermediate in unpacked form (see the file header). */
export class Unpacked {
  cls = 0;
  sign = 0;
  exp = 0;
  hi = 0;
  lo = 0;
  /** The encoding was a denormal (DE is raised when an operation consumes it). */
  denormal = false;
  /** The encoding is not a value the x87 accepts (pseudo-NaN/infinity/denormal, unnormal): #IA. */
  unsupported = false;

  get isSignalingNaN(): boolean {
    return this.cls === FLOAT_CLASS.NAN && (this.hi & QUIET_BIT) === 0;
  }

  copyFrom(other: Unpacked): void {
    this.cls = other.cls;
    this.sign = other.sign;
    this.exp = other.exp;
    this.hi = other.hi;
    this.lo = other.lo;
    this.denormal = other.denormal;
    this.unsupported = other.unsupported;
  }

  setZero(sign: number): void {
    this.cls = FLOAT_CLASS.ZERO;
    this.sign = sign;
    this.exp = 0;
    this.hi = 0;
    this.lo = 0;
    this.denormal = false;
    this.unsupported = false;
  }

  setInfinity(sign: number): void {
    this.setZero(sign);
    this.cls = FLOAT_CLASS.INFINITY;
  }

  /** A finite value from a 64-bit significand that need not be normalised (zero if it is 0). */
  setFinite(sign: number, exp: number, hi: number, lo: number): void {
    this.setZero(sign);
    if (hi === 0 && lo === 0) return;
    this.cls = FLOAT_CLASS.FINITE;
    let shift = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
    let h = hi;
    let l = lo;
    if (shift >= 32) {
      h = l;
      l = 0;
      shift -= 32;
    }
    if (shift > 0) {
      h = ((h << shift) | (l >>> (32 - shift))) >>> 0;
      l = (l << shift) >>> 0;
    }
    this.hi = h;
    this.lo = l;
    this.exp = exp - (hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
  }
}

/** Unpacks a binary32 encoding; `daz` reads denormals as zero (MXCSR.DAZ). */
export function unpack32(into: Unpacked, bits: number, daz: boolean): void {
  const sign = bits >>> 31;
  const biased = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  if (biased === 0xff) {
    if (fraction === 0) into.setInfinity(sign);
    else setNaN(into, sign, (INTEGER_BIT | (fraction << 8)) >>> 0, 0);
  } else if (biased === 0) {
    if (fraction === 0 || daz) into.setZero(sign);
    else {
      // value = 0.fraction × 2^-126 = (fraction << 8 : 0) / 2^63 × 2^-126.
      into.setFinite(sign, -126, fraction << 8, 0);
      into.denormal = true;
    }
  } else {
    into.setZero(sign);
    into.cls = FLOAT_CLASS.FINITE;
    into.exp = biased - 127;
    into.hi = (INTEGER_BIT | (fraction << 8)) >>> 0;
  }
}

/** Unpacks a binary64 encoding given as (low, high) words; `daz` reads denormals as zero. */
export function unpack64(into: Unpacked, low: number, high: number, daz: boolean): void {
  const sign = high >>> 31;
  const biased = (high >>> 20) & 0x7ff;
  const fractionHigh = high & 0xfffff;
  const hi = ((fractionHigh << 11) | (low >>> 21)) >>> 0;
  const lo = (low << 11) >>> 0;
  if (biased === 0x7ff) {
    if (fractionHigh === 0 && low === 0) into.setInfinity(sign);
    else setNaN(into, sign, (INTEGER_BIT | hi) >>> 0, lo);
  } else if (biased === 0) {
    if ((fractionHigh === 0 && low === 0) || daz) into.setZero(sign);
    else {
      // value = 0.fraction × 2^-1022 = (hi:lo / 2^63) × 2^-1022.
      into.setFinite(sign, -1022, hi, lo);
      into.denormal = true;
    }
  } else {
    into.setZero(sign);
    into.cls = FLOAT_CLASS.FINITE;
    into.exp = biased - 1023;
    into.hi = (INTEGER_BIT | hi) >>> 0;
    into.lo = lo;
  }
}

/**
 * Unpacks an 80-bit extended encoding (sign/exponent word, significand
 * high and low words). Pseudo-NaNs, pseudo-infinities and unnormals are
 * marked `unsupported` (the x87 raises #IA for them); pseudo-denormals are
 * read as the value they encode (SDM vol 1 §8.2.2).
 */
export function unpack80(into: Unpacked, signExponent: number, hi: number, lo: number): void {
  const sign = (signExponent >>> 15) & 1;
  const biased = signExponent & 0x7fff;
  const integer = (hi & INTEGER_BIT) !== 0;
  if (biased === 0x7fff) {
    if (!integer) {
      setNaN(into, sign, (hi | INTEGER_BIT) >>> 0, lo);
      into.unsupported = true;
    } else if ((hi & 0x7fffffff) === 0 && lo === 0) into.setInfinity(sign);
    else setNaN(into, sign, hi, lo);
  } else if (biased === 0) {
    if (hi === 0 && lo === 0) into.setZero(sign);
    else {
      into.setFinite(sign, -16382, hi, lo);
      into.denormal = true;
    }
  } else if (!integer) {
    into.setFinite(sign, biased - 16383, hi, lo);
    into.unsupported = true;
  } else {
    into.setZero(sign);
    into.cls = FLOAT_CLASS.FINITE;
    into.exp = biased - 16383;
    into.hi = hi >>> 0;
    into.lo = lo >>> 0;
  }
}

function setNaN(into: Unpacked, sign: number, hi: number, lo: number): void {
  into.setZero(sign);
  into.cls = FLOAT_CLASS.NAN;
  into.hi = hi >>> 0;
  into.lo = lo >>> 0;
}

/** Packed result of an operation: `w0` (low word), `w1` (high word of binary64 / significand high of extended), `se` (extended sign/exponent). */
export const packed = { w0: 0, w1: 0, se: 0 };

/** Packs a NaN with the significand `hi:lo` (integer bit ignored) into `encoding`, quiet bit set. */
export function packQuietNaN(sign: number, hi: number, lo: number, encoding: number): void {
  const h = (hi | INTEGER_BIT | QUIET_BIT) >>> 0;
  if (encoding === 32) {
    packed.w0 = ((sign << 31) | 0x7f800000 | ((h >>> 8) & 0x7fffff)) >>> 0;
    packed.w1 = 0;
  } else if (encoding === 64) {
    packed.w0 = (((h & 0x7ff) << 21) | (lo >>> 11)) >>> 0;
    packed.w1 = ((sign << 31) | 0x7ff00000 | ((h >>> 11) & 0xfffff)) >>> 0;
  } else {
    packed.w0 = lo >>> 0;
    packed.w1 = h;
    packed.se = (sign << 15) | 0x7fff;
  }
}

/** Packs the QNaN floating-point indefinite (sign 1, quiet, zero payload). */
export function packIndefinite(encoding: number): void {
  packQuietNaN(1, 0, 0, encoding);
}

/** Packs ±0 or ±infinity. */
export function packSpecial(sign: number, infinity: boolean, encoding: number): void {
  if (encoding === 32) {
    packed.w0 = ((sign << 31) | (infinity ? 0x7f800000 : 0)) >>> 0;
    packed.w1 = 0;
  } else if (encoding === 64) {
    packed.w0 = 0;
    packed.w1 = ((sign << 31) | (infinity ? 0x7ff00000 : 0)) >>> 0;
  } else {
    packed.w0 = 0;
    packed.w1 = infinity ? INTEGER_BIT : 0;
    packed.se = (sign << 15) | (infinity ? 0x7fff : 0);
  }
}

/** Packs an unpacked value that needs no rounding (a NaN is quieted; finite values must fit `format`). */
export function packExact(value: Unpacked, encoding: number): void {
  if (value.cls === FLOAT_CLASS.NAN) packQuietNaN(value.sign, value.hi, value.lo, encoding);
  else packSpecial(value.sign, value.cls === FLOAT_CLASS.INFINITY, encoding);
}
