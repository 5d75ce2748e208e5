/**
 * DIV / IDIV on (low, high) halves (SDM vol 2 DIV, IDIV).
 *
 * Division uses doubles when the dividend and divisor are below 2^52
 * (exact with a one-step correction); wider operands go through Knuth's
 * algorithm D (TAOCP vol 2 §4.3.1) on 16-bit digits, whose partial products
 * stay below 2^32 — exact in doubles and int32 arithmetic, no `bigint`, no
 * allocation. Divide errors (#DE) are returned as `false`; nothing is
 * written then. DIV/IDIV leave the flags unchanged (all undefined in the
 * SDM).
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_52 = 2 ** 52;

/** Quotient and remainder of the last successful `divide`, as halves. */
export const quotient = new Uint32Array(2);
export const remainder = new Uint32Array(2);

/**
 * Divides the 2·size-byte dividend (nH:nL as 64-bit halves for sizes ≤ 4 —
 * i.e. the value `dividendHighPart * 2^(8·size) + dividendLowPart` — see the
 * executor) by the divisor. Returns false for #DE (zero divisor or quotient
 * overflow). Results go to `quotient` / `remainder`.
 */
export function divide(
  signed: boolean,
  size: number,
  upperL: number,
  upperH: number,
  lowerL: number,
  lowerH: number,
  divisorL: number,
  divisorH: number,
): boolean {
  if (divisorL === 0 && divisorH === 0) return false;
  const bits = size * 8;
  if (!signed && size <= 4) {
    const dividend = upperL * 2 ** bits + lowerL;
    if (dividend < TWO_POW_52) {
      const q = Math.floor(dividend / divisorL);
      if (q >= 2 ** bits) return false;
      quotient[0] = q;
      quotient[1] = 0;
      remainder[0] = dividend - q * divisorL;
      remainder[1] = 0;
      return true;
    }
  }
  if (!signed && size === 8 && upperL === 0 && upperH === 0 && lowerH < 0x100000 && divisorH < 0x100000) {
    const dividend = lowerH * TWO_POW_32 + lowerL;
    const divisor = divisorH * TWO_POW_32 + divisorL;
    let q = Math.floor(dividend / divisor);
    let r = dividend - q * divisor;
    if (r < 0) {
      q -= 1;
      r += divisor;
    } else if (r >= divisor) {
      q += 1;
      r -= divisor;
    }
    setHalves(quotient, q);
    setHalves(remainder, r);
    return true;
  }
  if (signed && divideSignedSmall(bits, upperL, upperH, lowerL, lowerH, divisorL, divisorH)) return lastFits;
  return divideBig(signed, bits, upperL, upperH, lowerL, lowerH, divisorL, divisorH);
}

let lastFits = false;

/** Signed value of a 64-bit halves pair when it lies in (-2^52, 2^52), else NaN. */
function smallSigned(low: number, high: number): number {
  if (high < 0x100000) return high * TWO_POW_32 + low;
  if (high >= 0xfff00000) return (high | 0) * TWO_POW_32 + low;
  return Number.NaN;
}

/** Signed division with doubles when exact; returns false if operands are too wide (the caller goes to algorithm D). */
function divideSignedSmall(
  bits: number,
  upperL: number,
  upperH: number,
  lowerL: number,
  lowerH: number,
  divisorL: number,
  divisorH: number,
): boolean {
  let n: number;
  let d: number;
  if (bits <= 32) {
    const shift = 32 - bits;
    n = ((upperL << shift) >> shift) * 2 ** bits + lowerL;
    d = (divisorL << shift) >> shift;
  } else {
    const extension = lowerH >>> 31 ? 0xffffffff : 0;
    if (upperL !== extension || upperH !== extension) return false;
    n = smallSigned(lowerL, lowerH);
    d = smallSigned(divisorL, divisorH);
  }
  if (!(Math.abs(n) < TWO_POW_52) || Number.isNaN(d)) return false;
  let q = Math.trunc(n / d);
  let r = n - q * d;
  const direction = Math.sign(n) * Math.sign(d);
  if (Math.abs(r) >= Math.abs(d)) {
    q += direction;
    r = n - q * d;
  } else if (r !== 0 && Math.sign(r) !== Math.sign(n)) {
    q -= direction;
    r = n - q * d;
  }
  const limit = 2 ** (bits - 1);
  lastFits = q >= -limit && q < limit;
  if (!lastFits) return true;
  setSigned(quotient, q);
  setSigned(remainder, r);
  return true;
}

function setSigned(into: Uint32Array, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  into[0] = value - high * TWO_POW_32;
  into[1] = high >>> 0;
}

function setHalves(into: Uint32Array, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  into[0] = value - high * TWO_POW_32;
  into[1] = high;
}

/** Dividend digits (16-bit, least significant first, one spare), divisor, quotient: scratch for algorithm D. */
const dividendDigits = new Int32Array(9);
const divisorDigits = new Int32Array(4);
const quotientDigits = new Int32Array(8);
const DIGIT = 0x10000;

function putDigits(into: Int32Array, at: number, word: number): void {
  into[at] = word & 0xffff;
  into[at + 1] = word >>> 16;
}

function digitsToWord(from: Int32Array, at: number): number {
  return ((from[at + 1]! << 16) | from[at]!) >>> 0;
}

/** Two's-complement negation of the 4-word value in place (words least significant first). */
function negateWords(words: number[]): void {
  let carry = 1;
  for (let i = 0; i < words.length; i++) {
    const sum = (~words[i]! >>> 0) + carry;
    words[i] = sum >>> 0;
    carry = sum > 0xffffffff ? 1 : 0;
  }
}

const wideDividend = [0, 0, 0, 0];
const wideDivisor = [0, 0];

/**
 * Unsigned division of the 128-bit `wideDividend` by the nonzero 64-bit
 * `wideDivisor` (algorithm D on 16-bit digits, Hacker's Delight divmnu
 * layout). Quotient digits go to `quotientDigits`; the remainder to
 * `remainder`. The caller guarantees the quotient fits in 64 bits.
 */
function divideDigits(): void {
  const u = dividendDigits;
  const v = divisorDigits;
  const q = quotientDigits;
  for (let i = 0; i < 4; i++) putDigits(u, 2 * i, wideDividend[i]!);
  u[8] = 0;
  putDigits(v, 0, wideDivisor[0]!);
  putDigits(v, 2, wideDivisor[1]!);
  let n = 4;
  while (n > 1 && v[n - 1] === 0) n--;
  let m = 8;
  while (m > n && u[m - 1] === 0) m--;
  q.fill(0);
  if (n === 1) {
    // Short division by one digit.
    const divisor = v[0]!;
    let rest = 0;
    for (let j = m - 1; j >= 0; j--) {
      const part = rest * DIGIT + u[j]!;
      q[j] = Math.floor(part / divisor);
      rest = part - q[j]! * divisor;
    }
    remainder[0] = rest;
    remainder[1] = 0;
    return;
  }
  // Normalise: the divisor's top digit gets its top bit set; the dividend gains a digit.
  const shift = Math.clz32(v[n - 1]!) - 16;
  if (shift > 0) {
    for (let i = n - 1; i > 0; i--) v[i] = ((v[i]! << shift) | (v[i - 1]! >>> (16 - shift))) & 0xffff;
    v[0] = (v[0]! << shift) & 0xffff;
    u[m] = u[m - 1]! >>> (16 - shift);
    for (let i = m - 1; i > 0; i--) u[i] = ((u[i]! << shift) | (u[i - 1]! >>> (16 - shift))) & 0xffff;
    u[0] = (u[0]! << shift) & 0xffff;
  } else u[m] = 0;
  const top = v[n - 1]!;
  const next = v[n - 2]!;
  for (let j = m - n; j >= 0; j--) {
    const numerator = u[j + n]! * DIGIT + u[j + n - 1]!;
    let estimate = Math.floor(numerator / top);
    let rest = numerator - estimate * top;
    while (estimate >= DIGIT || estimate * next > rest * DIGIT + u[j + n - 2]!) {
      estimate -= 1;
      rest += top;
      if (rest >= DIGIT) break;
    }
    // u[j .. j+n] -= estimate · v
    let borrow = 0;
    for (let i = 0; i < n; i++) {
      const product = estimate * v[i]!;
      const difference = u[i + j]! - borrow - (product & 0xffff);
      u[i + j] = difference & 0xffff;
      borrow = Math.floor(product / DIGIT) - (difference >> 16);
    }
    const last = u[j + n]! - borrow;
    u[j + n] = last & 0xffff;
    if (last < 0) {
      // The estimate was one too large: add v back.
      estimate -= 1;
      let carry = 0;
      for (let i = 0; i < n; i++) {
        const sum = u[i + j]! + v[i]! + carry;
        u[i + j] = sum & 0xffff;
        carry = sum >>> 16;
      }
      u[j + n] = (u[j + n]! + carry) & 0xffff;
    }
    q[j] = estimate;
  }
  // Remainder: the low n digits, shifted back.
  for (let i = 0; i < n; i++) {
    u[i] = shift > 0 ? ((u[i]! >>> shift) | (u[i + 1]! << (16 - shift))) & 0xffff : u[i]!;
  }
  for (let i = n; i < 4; i++) u[i] = 0;
  remainder[0] = digitsToWord(u, 0);
  remainder[1] = digitsToWord(u, 2);
}

/** True when the 2-word magnitude a (high, low) ≥ b. */
function atLeast(aLow: number, aHigh: number, bLow: number, bHigh: number): boolean {
  return aHigh > bHigh || (aHigh === bHigh && aLow >= bLow);
}

/** Two's-complement negation of (low, high) into `negated`. */
const negated = [0, 0];
function negatePair(low: number, high: number): void {
  negated[0] = low;
  negated[1] = high;
  negateWords(negated);
}

/**
 * The wide cases: 64-bit operands, and 32-bit ones whose dividend (EDX:EAX)
 * is beyond 2^52 (narrower dividends always take the double paths above).
 */
function divideBig(
  signed: boolean,
  bits: number,
  upperL: number,
  upperH: number,
  lowerL: number,
  lowerH: number,
  divisorL: number,
  divisorH: number,
): boolean {
  // A 128-bit dividend and a 64-bit divisor, sign-extended when signed.
  if (bits === 64) {
    wideDividend[0] = lowerL >>> 0;
    wideDividend[1] = lowerH >>> 0;
    wideDividend[2] = upperL >>> 0;
    wideDividend[3] = upperH >>> 0;
    wideDivisor[0] = divisorL >>> 0;
    wideDivisor[1] = divisorH >>> 0;
  } else {
    const dividendFill = signed && upperL >>> 31 !== 0 ? 0xffffffff : 0;
    wideDividend[0] = lowerL >>> 0;
    wideDividend[1] = upperL >>> 0;
    wideDividend[2] = dividendFill;
    wideDividend[3] = dividendFill;
    wideDivisor[0] = divisorL >>> 0;
    wideDivisor[1] = signed && divisorL >>> 31 !== 0 ? 0xffffffff : 0;
  }
  let quotientNegative = false;
  let remainderNegative = false;
  if (signed) {
    if (wideDividend[3]! >>> 31 !== 0) {
      negateWords(wideDividend);
      quotientNegative = true;
      remainderNegative = true;
    }
    if (wideDivisor[1]! >>> 31 !== 0) {
      negateWords(wideDivisor);
      quotientNegative = !quotientNegative;
    }
  }
  // |quotient| < 2^64 exactly when the dividend's high 64 bits are below the divisor.
  if (atLeast(wideDividend[2]!, wideDividend[3]!, wideDivisor[0]!, wideDivisor[1]!)) return false;
  divideDigits();
  let qLow = digitsToWord(quotientDigits, 0);
  let qHigh = digitsToWord(quotientDigits, 2);
  // Range: unsigned below 2^bits; signed magnitude at most 2^(bits−1), and below it when positive.
  if (signed) {
    const limitHigh = bits === 64 ? 0x80000000 : 0;
    const limitLow = bits === 64 ? 0 : 0x80000000;
    const overLimit = qHigh > limitHigh || (qHigh === limitHigh && qLow > limitLow);
    const atLimit = qHigh === limitHigh && qLow === limitLow;
    if (overLimit || (atLimit && !quotientNegative)) return false;
  } else if (bits === 32 && qHigh !== 0) return false;
  if (quotientNegative) {
    negatePair(qLow, qHigh);
    qLow = negated[0]!;
    qHigh = negated[1]!;
  }
  if (remainderNegative) {
    negatePair(remainder[0]!, remainder[1]!);
    remainder[0] = negated[0]!;
    remainder[1] = negated[1]!;
  }
  quotient[0] = qLow;
  quotient[1] = bits === 64 ? qHigh : 0;
  if (bits !== 64) remainder[1] = 0;
  return true;
}
