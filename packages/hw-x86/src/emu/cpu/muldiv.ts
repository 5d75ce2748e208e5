/**
 * MUL and IMUL (one-, two- and three-operand) on (low, high) halves (SDM
 * vol 2 MUL, IMUL); DIV/IDIV are in divide.ts.
 *
 * Products of 32-bit operands (and of 64-bit operands that are sign- or
 * zero-extended 32-bit values) below 2^52 in magnitude are computed in one
 * double, which holds them exactly; wider 64×64 → 128-bit products are
 * built from 16-bit limbs (exact in doubles, no bigint).
 *
 * Flags: MUL/IMUL set CF = OF = "the high half is significant"; SF, ZF, PF
 * (undefined in the SDM) are set from the low result, AF = 0.
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
const TWO_POW_53 = 2 ** 53;

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

/**
 * The signed 64×64-bit product's low 64 bits into `product[0..1]`; returns
 * 1 when the full product does not fit in 64 bits (IMUL's CF = OF), else 0.
 * Operands that are sign-extended 32-bit values with a product below 2^53
 * take one double multiplication. Used by compiled blocks (2- and 3-operand
 * IMUL r64).
 */
export function signedProduct64(aL: number, aH: number, bL: number, bH: number): number {
  if (aH === (aL >>> 31 ? 0xffffffff : 0) && bH === (bL >>> 31 ? 0xffffffff : 0)) {
    const full = (aL | 0) * (bL | 0);
    if (full > -TWO_POW_53 && full < TWO_POW_53) {
      const high = Math.floor(full / TWO_POW_32);
      product[0] = full - high * TWO_POW_32;
      product[1] = high >>> 0;
      return 0;
    }
  }
  multiply64(aL, aH, bL, bH, true);
  const sign = product[1]! >>> 31 ? 0xffffffff : 0;
  return product[2] !== sign || product[3] !== sign ? 1 : 0;
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
    // Fast path: the product of two 32-bit operands is exact in a double below 2^52.
    const full = signed ? (aL | 0) * (bL | 0) : aL * bL;
    if (full > -TWO_POW_52 && full < TWO_POW_52) {
      const low = Math.imul(aL, bL) >>> 0;
      const upperWord = Math.floor(full / TWO_POW_32);
      upper[0] = upperWord >>> 0;
      upper[1] = 0;
      const significant = signed ? upperWord !== (low >>> 31 ? -1 : 0) : upperWord !== 0;
      setMultiplyFlags(state, significant, low, 4, 0);
      state.high = 0;
      return low;
    }
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
  const fast = multiplySmall64(state, signed, aL, aH, bL, bH);
  if (fast >= 0) return fast;
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

/**
 * 64-bit multiply when both operands are 32-bit values (sign-extended when
 * `signed`, zero-extended otherwise) and the product is below 2^52 in
 * magnitude, so a double holds it exactly and it cannot overflow 64 bits.
 * Returns the low half, or -1 when the operands do not qualify.
 */
function multiplySmall64(
  state: CpuState,
  signed: boolean,
  aL: number,
  aH: number,
  bL: number,
  bH: number,
): number {
  let a: number;
  let b: number;
  if (signed) {
    if (aH !== (aL >>> 31 ? 0xffffffff : 0) || bH !== (bL >>> 31 ? 0xffffffff : 0)) return -1;
    a = aL | 0;
    b = bL | 0;
  } else {
    if (aH !== 0 || bH !== 0) return -1;
    a = aL;
    b = bL;
  }
  const full = a * b;
  if (full <= -TWO_POW_52 || full >= TWO_POW_52) return -1;
  const highWord = Math.floor(full / TWO_POW_32);
  const low = full - highWord * TWO_POW_32;
  const high = highWord >>> 0;
  const extension = highWord < 0 ? 0xffffffff : 0;
  upper[0] = extension;
  upper[1] = extension;
  setMultiplyFlags(state, false, low, 8, high);
  state.high = high;
  return low;
}

/** Upper half of the last `multiply` product as (low, high) words (for MUL/IMUL one-operand forms). */
export const upper = new Uint32Array(2);
