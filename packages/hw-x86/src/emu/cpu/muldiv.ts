/**
 * MUL, IMUL (one-, two- and three-operand) and DIV/IDIV on (low, high)
 * halves (SDM vol 2 MUL, IMUL, DIV, IDIV).
 *
 * 64×64 → 128-bit products are built from 16-bit limbs (exact in doubles,
 * no bigint). Division uses doubles when the dividend and divisor are below
 * 2^52 (exact with a one-step correction) and falls back to `bigint` for
 * wider operands: a deliberate cold-path exception to the no-bigint rule,
 * documented as a performance limit. Divide errors (#DE) are returned as
 * `false`; nothing is written then.
 *
 * Flags: MUL/IMUL set CF = OF = "the high half is significant"; SF, ZF, PF
 * (undefined in the SDM) are set from the low result, AF = 0. DIV/IDIV
 * leave the flags unchanged (all undefined in the SDM).
 */
import { RFLAGS as RFLAGSImport, STATUS_FLAGS as STATUS_FLAGSImport } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import { parity as parityImport, setStatusFlags as setStatusFlagsImport } from "./flags";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const RFLAGS = RFLAGSImport;
const STATUS_FLAGS = STATUS_FLAGSImport;
const parity = parityImport;
const setStatusFlags = setStatusFlagsImport;

const TWO_POW_32 = 4294967296;
const TWO_POW_52 = 2 ** 52;

/** Product words, least significant first, of the last `multiply64`. */
export const product = new Uint32Array(4);
let mulHigh = 0;

/** Unsigned 32×32 → 64: returns the low half, high half in `mulHigh`. */
function multiply32(a: number, b: number): number {
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const bLow = b & 0xffff;
  const bHigh = b >>> 16;
  const middle = aLow * bHigh + aHigh * bLow;
  const lowSum = aLow * bLow + (middle % 65536) * 65536;
  mulHigh = (aHigh * bHigh + Math.floor(middle / 65536) + Math.floor(lowSum / TWO_POW_32)) >>> 0;
  return lowSum >>> 0;
}

/** Unsigned 64×64 → 128 into `product`; with `signed`, the operands are two's complement. */
export function multiply64(aL: number, aH: number, bL: number, bH: number, signed: boolean): void {
  const p0 = multiply32(aL, bL);
  const p0h = mulHigh;
  const p1 = multiply32(aL, bH);
  const p1h = mulHigh;
  const p2 = multiply32(aH, bL);
  const p2h = mulHigh;
  const p3 = multiply32(aH, bH);
  const p3h = mulHigh;
  const s1 = p0h + p1 + p2;
  const s2 = p1h + p2h + p3 + Math.floor(s1 / TWO_POW_32);
  product[0] = p0;
  product[1] = s1 >>> 0;
  product[2] = s2 >>> 0;
  product[3] = p3h + Math.floor(s2 / TWO_POW_32);
  if (signed) {
    if (aH >>> 31) subtractHigh(bL, bH);
    if (bH >>> 31) subtractHigh(aL, aH);
  }
}

function subtractHigh(low: number, high: number): void {
  const difference = product[2]! - low;
  product[2] = difference >>> 0;
  product[3] = product[3]! - high - (difference < 0 ? 1 : 0);
}

function setMultiplyFlags(
  state: CpuState,
  significant: boolean,
  resultLow: number,
  size: number,
  resultHigh: number,
): void {
  const cfof = significant ? RFLAGS.CF | RFLAGS.OF : 0;
  const zero = resultLow === 0 && (size < 8 || resultHigh === 0) ? RFLAGS.ZF : 0;
  const sign = (size === 8 ? resultHigh >>> 31 : (resultLow >>> (size * 8 - 1)) & 1) ? RFLAGS.SF : 0;
  setStatusFlags(state, STATUS_FLAGS, cfof | zero | sign | (parity(resultLow) << 2));
}

function signExtend(value: number, size: number): number {
  if (size === 1) return (value << 24) >> 24;
  if (size === 2) return (value << 16) >> 16;
  return value | 0;
}

/**
 * Multiplies at `size` and returns the low `size` bytes of the product (high
 * half in `state.high` for size 8); the upper `size` bytes of the full
 * product are left in `product` words / `upper[0]`/`upper[1]` below.
 */
export function multiply(
  state: CpuState,
  signed: boolean,
  size: number,
  aL: number,
  aH: number,
  bL: number,
  bH: number,
): number {
  if (size <= 2) {
    const a = signed ? signExtend(aL, size) : aL;
    const b = signed ? signExtend(bL, size) : bL;
    const full = a * b;
    const mask = size === 1 ? 0xff : 0xffff;
    const low = full & mask;
    upper[0] = (full >> (size * 8)) & mask;
    upper[1] = 0;
    const significant = signed ? signExtend(low, size) !== full : upper[0]! !== 0;
    setMultiplyFlags(state, significant, low, size, 0);
    state.high = 0;
    return low;
  }
  if (size === 4) {
    const xL = aL;
    const xH = signed && aL >>> 31 ? 0xffffffff : 0;
    const yL = bL;
    const yH = signed && bL >>> 31 ? 0xffffffff : 0;
    multiply64(xL, xH, yL, yH, signed);
    const low = product[0]!;
    upper[0] = product[1]!;
    upper[1] = 0;
    const significant = signed ? upper[0]! !== (low >>> 31 ? 0xffffffff : 0) : upper[0]! !== 0;
    setMultiplyFlags(state, significant, low, 4, 0);
    state.high = 0;
    return low;
  }
  multiply64(aL, aH, bL, bH, signed);
  const low = product[0]!;
  const high = product[1]!;
  upper[0] = product[2]!;
  upper[1] = product[3]!;
  const extension = signed && high >>> 31 ? 0xffffffff : 0;
  const significant = signed
    ? upper[0]! !== extension || upper[1] !== extension
    : upper[0]! !== 0 || upper[1] !== 0;
  setMultiplyFlags(state, significant, low, 8, high);
  state.high = high;
  return low;
}

/** Upper half of the last `multiply` product as (low, high) words (for MUL/IMUL one-operand forms). */
export const upper = new Uint32Array(2);

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
