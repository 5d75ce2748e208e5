/**
 * Correctly rounded arithmetic on unpacked values — add, subtract, multiply,
 * divide, square root — for every format and rounding mode (IEEE 754-2008
 * §5.4.1, SDM vol 1 §4.8–4.9). Each operation computes the exact result (or
 * enough bits of it plus a sticky bit) into the window W, then roundPack
 * rounds, flags and packs it; there is no host floating point anywhere, so
 * directed rounding and the extended format are exact.
 *
 * Special operands follow SDM vol 1 table 4-7 (NaN selection per NAN_RULE)
 * and §4.9.1 (invalid operations give the QNaN indefinite). Exception
 * priority (§4.9.2): an SNaN or invalid operation or division by zero
 * suppresses the denormal-operand flag.
 */
import {
  FLOAT_CLASS,
  FLOAT_FLAG,
  type FloatFormat,
  NAN_RULE,
  packIndefinite,
  packQuietNaN,
  packSpecial,
  ROUNDING,
  type Unpacked,
} from "./float-format";
import { floatEnv, normalizeWindow, roundPack, shiftRightJam, W } from "./round-pack";

const TWO_32 = 4294967296;
const { ZERO, FINITE, INFINITY, NAN } = FLOAT_CLASS;

/** Which NaN a two-operand operation returns (NAN_RULE); SSE by default. */
export const nanSelection = { rule: NAN_RULE.FIRST_OPERAND as number };

/** Raises IE for any SNaN among the operands and packs the NaN result. */
export function propagateNaN(a: Unpacked, b: Unpacked | null, encoding: number): void {
  const aNaN = a.cls === NAN;
  const bNaN = b?.cls === NAN;
  if (a.isSignalingNaN || b?.isSignalingNaN) floatEnv.flags |= FLOAT_FLAG.INVALID;
  let pick: Unpacked = aNaN ? a : b!;
  if (aNaN && bNaN && nanSelection.rule === NAN_RULE.LARGER_SIGNIFICAND) {
    const aQuiet = !a.isSignalingNaN;
    const bQuiet = !b!.isSignalingNaN;
    if (aQuiet !== bQuiet) pick = aQuiet ? a : b!;
    else {
      // Equal significands: the positive one (as Intel processors choose).
      const order = compareSignificands(a, b!);
      pick = order > 0 || (order === 0 && a.sign <= b!.sign) ? a : b!;
    }
  }
  packQuietNaN(pick.sign, pick.hi, pick.lo, encoding);
}

function compareSignificands(a: Unpacked, b: Unpacked): number {
  if (a.hi !== b.hi) return a.hi > b.hi ? 1 : -1;
  if (a.lo !== b.lo) return a.lo > b.lo ? 1 : -1;
  return 0;
}

/** Compares magnitudes of two finite values: -1, 0, 1. */
function compareMagnitudes(a: Unpacked, b: Unpacked): number {
  if (a.exp !== b.exp) return a.exp > b.exp ? 1 : -1;
  return compareSignificands(a, b);
}

function invalid(encoding: number): void {
  floatEnv.flags |= FLOAT_FLAG.INVALID;
  packIndefinite(encoding);
}

function noteDenormals(a: Unpacked, b: Unpacked | null): void {
  if (a.denormal || b?.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
}

/** Rounds one finite or special value to `format` (FST, CVTSD2SS, a precision-controlled result). */
export function roundValue(a: Unpacked, format: FloatFormat): void {
  if (a.cls === NAN) {
    propagateNaN(a, null, format.encoding);
    return;
  }
  if (a.cls !== FINITE) {
    packSpecial(a.sign, a.cls === INFINITY, format.encoding);
    return;
  }
  W.w2 = a.hi;
  W.w1 = a.lo;
  W.w0 = 0;
  roundPack(a.sign, a.exp, format);
}

/** a + b (or a − b when `subtract`), rounded to `format`. */
export function add(a: Unpacked, b: Unpacked, subtract: boolean, format: FloatFormat): void {
  const encoding = format.encoding;
  if (a.cls === NAN || b.cls === NAN) {
    propagateNaN(a, b, encoding);
    return;
  }
  const bSign = subtract ? b.sign ^ 1 : b.sign;
  if (a.cls === INFINITY || b.cls === INFINITY) {
    if (a.cls === INFINITY && b.cls === INFINITY && a.sign !== bSign) invalid(encoding);
    else {
      noteDenormals(a, b);
      packSpecial(a.cls === INFINITY ? a.sign : bSign, true, encoding);
    }
    return;
  }
  noteDenormals(a, b);
  if (a.cls === ZERO && b.cls === ZERO) {
    const sign = a.sign === bSign ? a.sign : floatEnv.rounding === ROUNDING.DOWN ? 1 : 0;
    packSpecial(sign, false, encoding);
    return;
  }
  if (b.cls === ZERO) {
    roundValue(a, format);
    return;
  }
  if (a.cls === ZERO) {
    W.w2 = b.hi;
    W.w1 = b.lo;
    W.w0 = 0;
    roundPack(bSign, b.exp, format);
    return;
  }
  const aLarger = compareMagnitudes(a, b) >= 0;
  const big = aLarger ? a : b;
  const small = aLarger ? b : a;
  const bigSign = aLarger ? a.sign : bSign;
  W.w2 = small.hi;
  W.w1 = small.lo;
  W.w0 = 0;
  shiftRightJam(big.exp - small.exp);
  const s2 = W.w2;
  const s1 = W.w1;
  const s0 = W.w0;
  let exp = big.exp;
  if (a.sign === bSign) {
    const sum1 = big.lo + s1;
    const carry1 = sum1 >= TWO_32 ? 1 : 0;
    const sum2 = big.hi + s2 + carry1;
    W.w0 = s0;
    W.w1 = sum1 - carry1 * TWO_32;
    if (sum2 >= TWO_32) {
      W.w2 = sum2 - TWO_32;
      shiftRightJam(1);
      W.w2 = (W.w2 | 0x80000000) >>> 0;
      exp += 1;
    } else W.w2 = sum2;
  } else {
    const diff0 = -s0;
    const borrow0 = s0 !== 0 ? 1 : 0;
    const diff1 = big.lo - s1 - borrow0;
    const borrow1 = diff1 < 0 ? 1 : 0;
    const diff2 = big.hi - s2 - borrow1;
    W.w0 = (diff0 + borrow0 * TWO_32) >>> 0;
    W.w1 = (diff1 + borrow1 * TWO_32) >>> 0;
    W.w2 = diff2 >>> 0;
    if ((W.w2 | W.w1 | W.w0) === 0) {
      packSpecial(floatEnv.rounding === ROUNDING.DOWN ? 1 : 0, false, encoding);
      return;
    }
    exp -= normalizeWindow();
  }
  roundPack(bigSign, exp, format);
}

/** Splits x × y (both below 2^32) into mulHigh:return (exact, in doubles). */
let mulHigh = 0;
function multiply32(x: number, y: number): number {
  const low = (x & 0xffff) * y;
  const high = (x >>> 16) * y;
  const highLow = high % 65536;
  const total = low + highLow * 65536;
  const word = total % TWO_32;
  mulHigh = (high - highLow) / 65536 + (total - word) / TWO_32;
  return word;
}

/** a × b, rounded to `format`. */
export function multiply(a: Unpacked, b: Unpacked, format: FloatFormat): void {
  const encoding = format.encoding;
  if (a.cls === NAN || b.cls === NAN) {
    propagateNaN(a, b, encoding);
    return;
  }
  const sign = a.sign ^ b.sign;
  if (a.cls === INFINITY || b.cls === INFINITY) {
    if (a.cls === ZERO || b.cls === ZERO) invalid(encoding);
    else {
      noteDenormals(a, b);
      packSpecial(sign, true, encoding);
    }
    return;
  }
  noteDenormals(a, b);
  if (a.cls === ZERO || b.cls === ZERO) {
    packSpecial(sign, false, encoding);
    return;
  }
  const p0 = multiply32(a.lo, b.lo);
  const t1 = mulHigh;
  const u0 = multiply32(a.lo, b.hi);
  const u1 = mulHigh;
  const v0 = multiply32(a.hi, b.lo);
  const v1 = mulHigh;
  const x0 = multiply32(a.hi, b.hi);
  const x1 = mulHigh;
  const sum1 = t1 + u0 + v0;
  const p1 = sum1 % TWO_32;
  const sum2 = u1 + v1 + x0 + (sum1 - p1) / TWO_32;
  const p2 = sum2 % TWO_32;
  const p3 = x1 + (sum2 - p2) / TWO_32;
  let exp = a.exp + b.exp;
  if (p3 >= 0x80000000) {
    W.w2 = p3;
    W.w1 = p2;
    W.w0 = p0 !== 0 ? (p1 | 1) >>> 0 : p1;
    exp += 1;
  } else {
    W.w2 = ((p3 << 1) | (p2 >>> 31)) >>> 0;
    W.w1 = ((p2 << 1) | (p1 >>> 31)) >>> 0;
    W.w0 = ((p1 << 1) | (p0 !== 0 ? 1 : 0)) >>> 0;
  }
  roundPack(sign, exp, format);
}

/** a ÷ b, rounded to `format`. */
export function divide(a: Unpacked, b: Unpacked, format: FloatFormat): void {
  const encoding = format.encoding;
  if (a.cls === NAN || b.cls === NAN) {
    propagateNaN(a, b, encoding);
    return;
  }
  const sign = a.sign ^ b.sign;
  if (a.cls === INFINITY) {
    if (b.cls === INFINITY) invalid(encoding);
    else {
      noteDenormals(a, b);
      packSpecial(sign, true, encoding);
    }
    return;
  }
  if (b.cls === INFINITY) {
    noteDenormals(a, b);
    packSpecial(sign, false, encoding);
    return;
  }
  if (b.cls === ZERO) {
    if (a.cls === ZERO) invalid(encoding);
    else {
      floatEnv.flags |= FLOAT_FLAG.DIVIDE_BY_ZERO;
      packSpecial(sign, true, encoding);
    }
    return;
  }
  noteDenormals(a, b);
  if (a.cls === ZERO) {
    packSpecial(sign, false, encoding);
    return;
  }
  let exp = a.exp - b.exp;
  let remHigh = a.hi;
  let remLow = a.lo;
  const divHigh = b.hi;
  const divLow = b.lo;
  if (compareSignificands(a, b) < 0) {
    remHigh = remHigh * 2 + (remLow >>> 31);
    remLow = (remLow << 1) >>> 0;
    exp -= 1;
  }
  // Restoring division: 66 quotient bits land in W bits 95..30.
  let q2 = 0;
  let q1 = 0;
  let q0 = 0;
  for (let bit = 95; bit >= 30; bit--) {
    if (remHigh > divHigh || (remHigh === divHigh && remLow >= divLow)) {
      const borrow = remLow < divLow ? 1 : 0;
      remLow = remLow - divLow + borrow * TWO_32;
      remHigh = remHigh - divHigh - borrow;
      if (bit >= 64) q2 |= 1 << (bit - 64);
      else if (bit >= 32) q1 |= 1 << (bit - 32);
      else q0 |= 1 << bit;
    }
    remHigh = remHigh * 2 + (remLow >>> 31);
    remLow = (remLow << 1) >>> 0;
  }
  W.w2 = q2 >>> 0;
  W.w1 = q1 >>> 0;
  W.w0 = (q0 | (remHigh !== 0 || remLow !== 0 ? 1 : 0)) >>> 0;
  roundPack(sign, exp, format);
}

/** √a, rounded to `format`. */
export function squareRoot(a: Unpacked, format: FloatFormat): void {
  const encoding = format.encoding;
  if (a.cls === NAN) {
    propagateNaN(a, null, encoding);
    return;
  }
  if (a.cls === ZERO) {
    packSpecial(a.sign, false, encoding);
    return;
  }
  if (a.sign !== 0) {
    invalid(encoding);
    return;
  }
  if (a.cls === INFINITY) {
    packSpecial(0, true, encoding);
    return;
  }
  noteDenormals(a, null);
  // Radicand bit string of 132 bits: the significand after one leading zero (even exponent) or none (odd).
  const odd = (a.exp & 1) !== 0;
  const offset = odd ? 0 : 1;
  const exp = (a.exp - (odd ? 1 : 0)) / 2;
  const { hi, lo } = a;
  let remHigh = 0;
  let remLow = 0;
  let rootHigh = 0;
  let rootLow = 0;
  let q2 = 0;
  let q1 = 0;
  let q0 = 0;
  for (let pair = 0; pair < 66; pair++) {
    const first = significandBit(hi, lo, 63 - (2 * pair - offset));
    const second = significandBit(hi, lo, 63 - (2 * pair + 1 - offset));
    remHigh = remHigh * 4 + (remLow >>> 30);
    remLow = ((remLow << 2) | (first << 1) | second) >>> 0;
    // trial = 4·root + 1
    const trialHigh = rootHigh * 4 + (rootLow >>> 30);
    const trialLow = ((rootLow << 2) | 1) >>> 0;
    let bit = 0;
    if (remHigh > trialHigh || (remHigh === trialHigh && remLow >= trialLow)) {
      const borrow = remLow < trialLow ? 1 : 0;
      remLow = remLow - trialLow + borrow * TWO_32;
      remHigh = remHigh - trialHigh - borrow;
      bit = 1;
    }
    rootHigh = rootHigh * 2 + (rootLow >>> 31);
    rootLow = ((rootLow << 1) | bit) >>> 0;
    if (bit !== 0) {
      const position = 95 - pair;
      if (position >= 64) q2 |= 1 << (position - 64);
      else if (position >= 32) q1 |= 1 << (position - 32);
      else q0 |= 1 << position;
    }
  }
  W.w2 = q2 >>> 0;
  W.w1 = q1 >>> 0;
  W.w0 = (q0 | (remHigh !== 0 || remLow !== 0 ? 1 : 0)) >>> 0;
  roundPack(0, exp, format);
}

/** Bit `index` (0–63) of the significand hi:lo; 0 outside. */
function significandBit(hi: number, lo: number, index: number): number {
  if (index < 0 || index > 63) return 0;
  return index >= 32 ? (hi >>> (index - 32)) & 1 : (lo >>> index) & 1;
}
