/**
 * DIV / IDIV on (low, high) halves (SDM vol 2 DIV, IDIV).
 *
 * Division uses doubles when the dividend and divisor are below 2^52
 * (exact with a one-step correction) and falls back to `bigint` for wider
 * operands: a deliberate cold-path exception to the no-bigint rule,
 * documented as a performance limit. Divide errors (#DE) are returned as
 * `false`; nothing is written then. DIV/IDIV leave the flags unchanged
 * (all undefined in the SDM).
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_52 = 2 ** 52;

/** Quotient and remainder of the last successful `divide`, as halves. */
export const quotient = new Uint32Array(2);
export const remainder = new Uint32Array(2);

function toBig(low: number, high: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

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

/** Signed division with doubles when exact; returns false if operands are too wide (caller uses bigint). */
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
  const width = BigInt(bits);
  let dividend = (toBig(upperL, upperH) << width) | toBig(lowerL, lowerH);
  let divisor = toBig(divisorL, divisorH);
  if (signed) {
    dividend = BigInt.asIntN(bits * 2, dividend);
    divisor = BigInt.asIntN(bits, divisor);
  }
  const q = dividend / divisor;
  const r = dividend % divisor;
  if (signed ? q !== BigInt.asIntN(bits, q) : q !== BigInt.asUintN(bits, q)) return false;
  const qBits = BigInt.asUintN(64, BigInt.asUintN(bits, q));
  const rBits = BigInt.asUintN(64, BigInt.asUintN(bits, r));
  quotient[0] = Number(qBits & 0xffffffffn);
  quotient[1] = Number(qBits >> 32n);
  remainder[0] = Number(rBits & 0xffffffffn);
  remainder[1] = Number(rBits >> 32n);
  return true;
}
