/**
 * Conversions and comparisons on unpacked values: integer ↔ float (CVTSI2SD,
 * CVT[T]SD2SI, FILD, FIST[T]P), rounding to an integral value (FRNDINT,
 * ROUNDSD), and the four-way comparison behind UCOMISD/COMISD, CMPSD, FCOM
 * and FUCOM. Out-of-range or NaN conversions to integers produce the
 * integer indefinite (the most negative value) and raise IE (SDM vol 1
 * §4.8.3.5 and §11.5.2.1).
 */
import {
  FLOAT_CLASS,
  FLOAT_FLAG,
  type FloatFormat,
  packSpecial,
  ROUNDING,
  type Unpacked,
} from "./float-format";
import { floatEnv, normalizeWindow, roundPack, shiftRightJam, W } from "./round-pack";

const TWO_32 = 4294967296;
const { ZERO, FINITE, NAN } = FLOAT_CLASS;

/** Result of {@link toInteger}: low and high words of the two's-complement integer. */
export const integerResult = { low: 0, high: 0 };

/** Reads the signed (or unsigned) `width`-bit integer (low, high) into `into` exactly. */
export function fromInteger(into: Unpacked, low: number, high: number, width: number, signed: boolean): void {
  let lo = low >>> 0;
  let hi = width === 64 ? high >>> 0 : 0;
  let sign = 0;
  if (width === 32 && signed && lo >= 0x80000000) {
    sign = 1;
    lo = TWO_32 - lo;
  } else if (width === 16) {
    lo &= 0xffff;
    if (signed && lo >= 0x8000) {
      sign = 1;
      lo = 0x10000 - lo;
    }
  } else if (width === 64 && signed && hi >= 0x80000000) {
    sign = 1;
    // Two's-complement negation of hi:lo.
    lo = (TWO_32 - lo) % TWO_32;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  into.setFinite(sign, 63, hi, lo >>> 0);
}

/**
 * Rounds `a` to a signed `width`-bit integer (16, 32 or 64) with `rounding`;
 * writes integerResult. NaN, infinity and out-of-range values give the
 * integer indefinite and raise IE; a rounded fraction raises PE.
 */
export function toInteger(a: Unpacked, width: number, rounding: number): void {
  if (a.cls === ZERO) {
    integerResult.low = 0;
    integerResult.high = 0;
    return;
  }
  if (a.cls !== FINITE || a.exp > 63) {
    integerIndefinite(width);
    return;
  }
  // No DE: conversions to integers do not report denormal operands (SDM CVTSD2SI, FIST).
  const inexact = integralPart(a, rounding);
  const high = W.w2;
  const low = W.w1;
  const limitHigh = width === 64 ? 0x80000000 : 0;
  const limitLow = width === 64 ? 0 : width === 32 ? 0x80000000 : 0x8000;
  // |result| may reach the limit only for a negative result.
  const belowLimit = high < limitHigh || (high === limitHigh && low < limitLow);
  const atLimit = high === limitHigh && low === limitLow;
  if (!(belowLimit || (atLimit && a.sign !== 0))) {
    integerIndefinite(width);
    return;
  }
  if (inexact) floatEnv.flags |= FLOAT_FLAG.INEXACT;
  if (a.sign === 0) {
    integerResult.low = low;
    integerResult.high = high;
    return;
  }
  const negLow = (TWO_32 - low) % TWO_32;
  integerResult.low = negLow;
  integerResult.high = (~high + (negLow === 0 ? 1 : 0)) >>> 0;
}

function integerIndefinite(width: number): void {
  floatEnv.flags |= FLOAT_FLAG.INVALID;
  integerResult.low = width === 64 ? 0 : width === 32 ? 0x80000000 : 0x8000;
  integerResult.high = width === 64 ? 0x80000000 : 0;
}

/**
 * Leaves round(|a|) (finite a, exp ≤ 63) in W.w2:W.w1 under `rounding`
 * (directed modes look at a.sign); returns true when a fraction was dropped.
 * A carry past 2^64 cannot happen below exp 63 and at 63 there is no fraction.
 */
function integralPart(a: Unpacked, rounding: number): boolean {
  W.w2 = a.hi;
  W.w1 = a.lo;
  W.w0 = 0;
  shiftRightJam(63 - a.exp);
  const fraction = W.w0;
  if (fraction === 0) return false;
  const half = fraction >>> 31;
  const rest = (fraction & 0x7fffffff) !== 0;
  let up = false;
  switch (rounding) {
    case ROUNDING.NEAREST:
      up = half !== 0 && (rest || (W.w1 & 1) !== 0);
      break;
    case ROUNDING.DOWN:
      up = a.sign !== 0;
      break;
    case ROUNDING.UP:
      up = a.sign === 0;
      break;
    default:
      up = false;
  }
  floatEnv.roundedUp = up;
  if (up) {
    const low = W.w1 + 1;
    if (low === TWO_32) {
      W.w1 = 0;
      W.w2 = (W.w2 + 1) >>> 0;
    } else W.w1 = low;
  }
  W.w0 = 0;
  return true;
}

/**
 * Rounds a finite `a` to an integral value in its own format (FRNDINT,
 * ROUNDSD): packs the result; raises PE when inexact unless `quiet`.
 */
export function roundToIntegral(a: Unpacked, rounding: number, format: FloatFormat, quiet: boolean): void {
  if (a.exp >= 63) {
    W.w2 = a.hi;
    W.w1 = a.lo;
    W.w0 = 0;
    roundPack(a.sign, a.exp, format);
    return;
  }
  const inexact = integralPart(a, rounding);
  if (inexact && !quiet) floatEnv.flags |= FLOAT_FLAG.INEXACT;
  if ((W.w2 | W.w1) === 0) {
    packSpecial(a.sign, false, format.encoding);
    return;
  }
  // W.w2:W.w1 is the integer; as W / 2^95 × 2^exp it is exact in any format whose precision covers a.
  W.w0 = W.w1;
  W.w1 = W.w2;
  W.w2 = 0;
  const shift = normalizeWindow();
  const exp = 95;
  const flags = floatEnv.flags;
  const roundedUp = floatEnv.roundedUp;
  roundPack(a.sign, exp - shift, format);
  floatEnv.flags = flags;
  floatEnv.roundedUp = roundedUp;
}

/** Outcome of {@link compare}. */
export const ORDER = { LESS: 0, EQUAL: 1, GREATER: 2, UNORDERED: 3 } as const;

/**
 * Orders a and b. `signaling`: any NaN raises IE (COMISD, FCOM, CMPLTSD);
 * otherwise only an SNaN does (UCOMISD, FUCOM, CMPEQSD). Denormal operands
 * of an ordered comparison raise DE.
 */
export function compare(a: Unpacked, b: Unpacked, signaling: boolean): number {
  if (a.cls === NAN || b.cls === NAN) {
    if (signaling || a.isSignalingNaN || b.isSignalingNaN) floatEnv.flags |= FLOAT_FLAG.INVALID;
    return ORDER.UNORDERED;
  }
  if (a.denormal || b.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
  if (a.cls === ZERO && b.cls === ZERO) return ORDER.EQUAL;
  if (a.sign !== b.sign) {
    if (a.cls === ZERO) return b.sign !== 0 ? ORDER.GREATER : ORDER.LESS;
    return a.sign !== 0 ? ORDER.LESS : ORDER.GREATER;
  }
  const magnitude = compareMagnitude(a, b);
  if (magnitude === 0) return ORDER.EQUAL;
  return magnitude > 0 !== (a.sign !== 0) ? ORDER.GREATER : ORDER.LESS;
}

/** |a| vs |b| for non-NaN values of any class (zero < finite < infinity). */
function compareMagnitude(a: Unpacked, b: Unpacked): number {
  if (a.cls !== b.cls) return a.cls > b.cls ? 1 : -1;
  if (a.cls !== FINITE) return 0;
  if (a.exp !== b.exp) return a.exp > b.exp ? 1 : -1;
  if (a.hi !== b.hi) return a.hi > b.hi ? 1 : -1;
  if (a.lo !== b.lo) return a.lo > b.lo ? 1 : -1;
  return 0;
}
