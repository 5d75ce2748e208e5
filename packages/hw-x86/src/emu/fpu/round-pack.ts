/**
 * Rounding an exact intermediate to a format: the one place where results
 * are rounded, flagged and packed (the scheme of IEEE 754-2008 §4 and §7, with
 * the choices x86 makes, SDM vol 1 §4.8.3 and §4.9.1).
 *
 * The intermediate is a 96-bit window `W` (w2:w1:w0, w2 most significant)
 * holding the significand with its leading 1 at bit 95 and every bit the
 * operation computed below it; an inexact tail too long to hold is "jammed"
 * into bit 0 (sticky), which keeps round-to-nearest-even and the directed
 * modes exact. value = (W / 2^95) × 2^exp.
 *
 * x86 choices: tininess is detected after rounding; with underflow masked,
 * UE is raised only when the tiny result is also inexact, with it unmasked
 * whenever the result is tiny (then the caller traps and writes nothing);
 * SSE's flush-to-zero replaces a tiny result by ±0 and raises UE and PE.
 */
import { FLOAT_FLAG, type FloatFormat, packed, packSpecial, ROUNDING } from "./float-format";

/** The 96-bit intermediate (see the file header). */
export const W = { w2: 0, w1: 0, w0: 0 };

/** Rounding environment of the instruction being executed. */
export const floatEnv = {
  /** ROUNDING mode. */
  rounding: 0 as number,
  /** FLOAT_FLAG bits raised so far by this instruction. */
  flags: 0,
  /** MXCSR.FTZ with UE masked: tiny results become ±0. */
  flushToZero: false,
  /** UE is unmasked: every tiny result raises UE. */
  underflowUnmasked: false,
  /** The last rounded result's magnitude was increased by rounding (the x87's C1). */
  roundedUp: false,
};

/** Resets the environment for one instruction. */
export function beginOperation(rounding: number, flushToZero: boolean, underflowUnmasked: boolean): void {
  floatEnv.rounding = rounding;
  floatEnv.flags = 0;
  floatEnv.flushToZero = flushToZero && !underflowUnmasked;
  floatEnv.underflowUnmasked = underflowUnmasked;
  floatEnv.roundedUp = false;
}

/** W >>= count, jamming every bit shifted out into bit 0. */
export function shiftRightJam(count: number): void {
  if (count <= 0) return;
  let { w2, w1, w0 } = W;
  if (count >= 96) {
    W.w0 = (w2 | w1 | w0) !== 0 ? 1 : 0;
    W.w1 = 0;
    W.w2 = 0;
    return;
  }
  let sticky = 0;
  while (count >= 32) {
    sticky |= w0;
    w0 = w1;
    w1 = w2;
    w2 = 0;
    count -= 32;
  }
  if (count > 0) {
    sticky |= w0 << (32 - count);
    w0 = ((w0 >>> count) | (w1 << (32 - count))) >>> 0;
    w1 = ((w1 >>> count) | (w2 << (32 - count))) >>> 0;
    w2 >>>= count;
  }
  W.w2 = w2;
  W.w1 = w1;
  W.w0 = sticky !== 0 ? (w0 | 1) >>> 0 : w0;
}

/** Shifts W left until bit 95 is set; returns the shift (W must not be zero). */
export function normalizeWindow(): number {
  let shift = 0;
  while (W.w2 === 0) {
    W.w2 = W.w1;
    W.w1 = W.w0;
    W.w0 = 0;
    shift += 32;
  }
  const bits = Math.clz32(W.w2);
  if (bits > 0) {
    W.w2 = ((W.w2 << bits) | (W.w1 >>> (32 - bits))) >>> 0;
    W.w1 = ((W.w1 << bits) | (W.w0 >>> (32 - bits))) >>> 0;
    W.w0 = (W.w0 << bits) >>> 0;
  }
  return shift + bits;
}

const TWO_32 = 4294967296;

/**
 * Rounds W (already aligned so its LSB position for `precision` is fixed)
 * to `precision` bits in place; returns true when the rounding carried out of
 * bit 95 (W is then 2^96, stored as w2 = 0 — the caller renormalises) and
 * sets `roundedInexact`.
 */
let roundedInexact = false;
let roundedIncrement = false;
function roundWindow(precision: number, sign: number): boolean {
  let { w2, w1 } = W;
  const w0 = W.w0;
  let roundBit: number;
  let sticky: boolean;
  let lsb: number;
  let step: number;
  let inWord1: boolean;
  if (precision > 32) {
    const k = 64 - precision;
    inWord1 = true;
    if (k === 0) {
      roundBit = w0 >>> 31;
      sticky = (w0 & 0x7fffffff) !== 0;
    } else {
      roundBit = (w1 >>> (k - 1)) & 1;
      sticky = (w1 & ((1 << (k - 1)) - 1)) !== 0 || w0 !== 0;
    }
    lsb = (w1 >>> k) & 1;
    step = 2 ** k;
    w1 = k === 0 ? w1 : ((w1 >>> k) << k) >>> 0;
  } else {
    const k = 32 - precision;
    inWord1 = false;
    roundBit = (w2 >>> (k - 1)) & 1;
    sticky = (w2 & ((1 << (k - 1)) - 1)) !== 0 || w1 !== 0 || w0 !== 0;
    lsb = (w2 >>> k) & 1;
    step = 2 ** k;
    w2 = ((w2 >>> k) << k) >>> 0;
    w1 = 0;
  }
  roundedInexact = roundBit !== 0 || sticky;
  let increment = false;
  if (roundedInexact) {
    switch (floatEnv.rounding) {
      case ROUNDING.NEAREST:
        increment = roundBit !== 0 && (sticky || lsb !== 0);
        break;
      case ROUNDING.DOWN:
        increment = sign !== 0;
        break;
      case ROUNDING.UP:
        increment = sign === 0;
        break;
      default:
        increment = false;
    }
  }
  let carry = false;
  if (increment) {
    if (inWord1) {
      const sum = w1 + step;
      if (sum >= TWO_32) {
        w1 = sum - TWO_32;
        w2 += 1;
        if (w2 >= TWO_32) {
          w2 -= TWO_32;
          carry = true;
        }
      } else w1 = sum;
    } else {
      w2 += step;
      if (w2 >= TWO_32) {
        w2 -= TWO_32;
        carry = true;
      }
    }
  }
  W.w2 = w2 >>> 0;
  W.w1 = w1 >>> 0;
  W.w0 = 0;
  roundedIncrement = increment;
  return carry;
}

/** True when rounding the normalised W at `precision` would carry to the next power of two. */
function roundsToNextPower(precision: number, sign: number): boolean {
  const { w2, w1, w0 } = W;
  const carry = roundWindow(precision, sign);
  W.w2 = w2;
  W.w1 = w1;
  W.w0 = w0;
  return carry;
}

/**
 * Rounds the exact value ±(W / 2^95) × 2^exp (W normalised, or zero) to
 * `format` under floatEnv, raises the flags it must, and packs the result
 * into `packed`.
 */
export function roundPack(sign: number, exp: number, format: FloatFormat): void {
  const encoding = format.encoding;
  if ((W.w2 | W.w1 | W.w0) === 0) {
    packSpecial(sign, false, encoding);
    return;
  }
  const precision = format.precision;
  let tiny = false;
  if (exp < format.emin) {
    tiny = !(exp === format.emin - 1 && roundsToNextPower(precision, sign));
    if (tiny && floatEnv.flushToZero) {
      floatEnv.flags |= FLOAT_FLAG.UNDERFLOW | FLOAT_FLAG.INEXACT;
      packSpecial(sign, false, encoding);
      return;
    }
    shiftRightJam(format.emin - exp);
    exp = format.emin;
  }
  if (roundWindow(precision, sign)) {
    W.w2 = 0x80000000;
    exp += 1;
  }
  if (roundedInexact) floatEnv.flags |= FLOAT_FLAG.INEXACT;
  floatEnv.roundedUp = roundedIncrement;
  if (tiny && (roundedInexact || floatEnv.underflowUnmasked)) floatEnv.flags |= FLOAT_FLAG.UNDERFLOW;
  if (exp > format.emax) {
    packOverflow(sign, format);
    return;
  }
  packWindow(sign, exp, format);
}

/** Overflow: ±infinity or the largest finite value, as the rounding direction decides. */
function packOverflow(sign: number, format: FloatFormat): void {
  floatEnv.flags |= FLOAT_FLAG.OVERFLOW | FLOAT_FLAG.INEXACT;
  const mode = floatEnv.rounding;
  const toInfinity =
    mode === ROUNDING.NEAREST ||
    (mode === ROUNDING.UP && sign === 0) ||
    (mode === ROUNDING.DOWN && sign !== 0);
  floatEnv.roundedUp = toInfinity;
  if (toInfinity) {
    packSpecial(sign, true, format.encoding);
    return;
  }
  // All `precision` significand bits set at the largest exponent.
  const precision = format.precision;
  W.w2 = precision >= 32 ? 0xffffffff : (0xffffffff << (32 - precision)) >>> 0;
  W.w1 = precision <= 32 ? 0 : precision >= 64 ? 0xffffffff : (0xffffffff << (64 - precision)) >>> 0;
  W.w0 = 0;
  packWindow(sign, format.emax, format);
}

/** Packs the rounded W (leading bit 95 set for a normal, clear for a denormal at emin). */
function packWindow(sign: number, exp: number, format: FloatFormat): void {
  const { w2, w1 } = W;
  const normal = (w2 & 0x80000000) !== 0;
  if (!normal && w2 === 0 && w1 === 0) {
    packSpecial(sign, false, format.encoding);
    return;
  }
  switch (format.encoding) {
    case 32: {
      const biased = normal ? exp + 127 : 0;
      packed.w0 = ((sign << 31) | (biased << 23) | ((w2 >>> 8) & 0x7fffff)) >>> 0;
      packed.w1 = 0;
      return;
    }
    case 64: {
      const biased = normal ? exp + 1023 : 0;
      packed.w0 = (((w2 & 0x7ff) << 21) | (w1 >>> 11)) >>> 0;
      packed.w1 = ((sign << 31) | (biased << 20) | ((w2 >>> 11) & 0xfffff)) >>> 0;
      return;
    }
    default:
      packed.se = (sign << 15) | (normal ? exp + 16383 : 0);
      packed.w1 = w2;
      packed.w0 = w1;
  }
}
