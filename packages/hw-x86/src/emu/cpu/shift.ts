/**
 * Shifts and rotates (SDM vol 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR, SHLD,
 * SHRD) on (low, high) halves. Counts are masked to 5 bits (6 for 64-bit
 * operands); a masked count of 0 changes neither the operand nor the flags.
 * Shifts set CF, OF (defined for count 1; the same formula is used for
 * larger counts, where the SDM leaves OF undefined), SF, ZF, PF; AF is
 * undefined and reported as 0. Rotates change only CF and OF.
 *
 * Returns the result's low half as an int32 (the same 32 bits; callers
 * only store it, and a small integer never allocates), high half in
 * `state.high`. Shift flags
 * are recorded lazily (LAZY.SHIFT: CF and OF stored, SF/ZF/PF evaluated
 * from the result when read); rotates write CF and OF eagerly, keeping
 * the other status flags.
 */
import type { CpuState } from "./cpu-state";
import {
  carryFlag as carryFlagImport,
  setCarryOverflow as setCarryOverflowImport,
  setLazyShift as setLazyShiftImport,
} from "./flags";
import { sizeMask as sizeMaskImport } from "./operands";
import { SHIFT as SHIFTImport } from "./ops";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const carryFlag = carryFlagImport;
const setCarryOverflow = setCarryOverflowImport;
const setLazyShift = setLazyShiftImport;
const SHIFT = SHIFTImport;
const sizeMask = sizeMaskImport;

let outHigh = 0;

function shiftLeft64(low: number, high: number, count: number): number {
  if (count === 0) {
    outHigh = high;
    return low;
  }
  if (count < 32) {
    outHigh = ((high << count) | (low >>> (32 - count))) >>> 0;
    return (low << count) >>> 0;
  }
  outHigh = (low << (count - 32)) >>> 0;
  return 0;
}

function shiftRight64(low: number, high: number, count: number): number {
  if (count === 0) {
    outHigh = high;
    return low;
  }
  if (count < 32) {
    outHigh = high >>> count;
    return ((low >>> count) | (high << (32 - count))) >>> 0;
  }
  outHigh = 0;
  return high >>> (count - 32);
}

function signOf(size: number, low: number, high: number): number {
  return size === 8 ? high >>> 31 : (low >>> (size * 8 - 1)) & 1;
}

/** Bit `bit` (0..63) of a 64-bit value. */
function bitOf(low: number, high: number, bit: number): number {
  return bit < 32 ? (low >>> bit) & 1 : (high >>> (bit - 32)) & 1;
}

/** Group-2 operation `kind` (SHIFT.*) of `value` by `rawCount`. */
export function shiftOperation(
  state: CpuState,
  kind: number,
  size: number,
  low: number,
  high: number,
  rawCount: number,
): number {
  const bits = size * 8;
  const count = rawCount & (size === 8 ? 63 : 31);
  state.high = high;
  if (count === 0) return low;
  let rL: number;
  let rH: number;
  let cf: number;
  switch (kind) {
    case SHIFT.SHL:
    case SHIFT.SAL:
      rL = shiftLeft64(low, high, count);
      rH = outHigh;
      cf = count <= bits ? bitOf(low, high, bits - count) : 0;
      break;
    case SHIFT.SHR:
      rL = shiftRight64(low, high, count);
      rH = outHigh;
      cf = count <= bits ? bitOf(low, high, count - 1) : 0;
      break;
    case SHIFT.SAR: {
      let xL = low | 0;
      let xH = high | 0;
      if (size < 8) {
        xL = (low << (32 - bits)) >> (32 - bits);
        xH = xL >> 31;
      }
      if (count < 32) {
        rL = ((xL >>> count) | (xH << (32 - count))) >>> 0;
        rH = (xH >> count) >>> 0;
      } else {
        rL = (xH >> (count - 32)) >>> 0;
        rH = (xH >> 31) >>> 0;
      }
      cf = bitOf(xL >>> 0, xH >>> 0, count - 1);
      break;
    }
    default:
      return rotate(state, kind, size, low, high, count);
  }
  if (size < 8) {
    rL = (rL & sizeMask(size)) >>> 0;
    rH = 0;
  }
  let of = 0;
  if (kind === SHIFT.SHL || kind === SHIFT.SAL) of = signOf(size, rL, rH) ^ cf;
  else if (kind === SHIFT.SHR) of = signOf(size, low, high);
  setLazyShift(state, size, rL, rH, cf, of);
  state.high = rH;
  return rL | 0;
}

function rotate(
  state: CpuState,
  kind: number,
  size: number,
  low: number,
  high: number,
  count: number,
): number {
  if (size === 4 && (kind === SHIFT.ROL || kind === SHIFT.ROR)) {
    // Fast path (SHA-style code): `count` is 1..31 here, one 32-bit rotate.
    const result =
      kind === SHIFT.ROL
        ? ((low << count) | (low >>> (32 - count))) >>> 0
        : ((low >>> count) | (low << (32 - count))) >>> 0;
    const carry = kind === SHIFT.ROL ? result & 1 : result >>> 31;
    const overflow = kind === SHIFT.ROL ? (result >>> 31) ^ carry : carry ^ ((result >>> 30) & 1);
    setCarryOverflow(state, carry, overflow);
    state.high = 0;
    return result | 0;
  }
  const bits = size * 8;
  let rL = low;
  let rH = high;
  let cf: number;
  let of: number;
  if (kind === SHIFT.ROL || kind === SHIFT.ROR) {
    const amount = count % bits;
    const left = kind === SHIFT.ROL ? amount : (bits - amount) % bits;
    if (left !== 0) {
      const aL = shiftLeft64(low, high, left);
      const aH = outHigh;
      const bL = shiftRight64(low, high, bits - left);
      rL = (aL | bL) >>> 0;
      rH = (aH | outHigh) >>> 0;
      if (size < 8) {
        rL = (rL & sizeMask(size)) >>> 0;
        rH = 0;
      }
    }
    if (kind === SHIFT.ROL) {
      cf = rL & 1;
      of = signOf(size, rL, rH) ^ cf;
    } else {
      cf = signOf(size, rL, rH);
      of = cf ^ bitOf(rL, rH, bits - 2);
    }
  } else {
    const steps = size <= 2 ? count % (bits + 1) : count;
    cf = carryFlag(state);
    of = kind === SHIFT.RCR ? signOf(size, low, high) ^ cf : 0;
    for (let i = 0; i < steps; i++) {
      if (kind === SHIFT.RCL) {
        const out = signOf(size, rL, rH);
        rL = shiftLeft64(rL, rH, 1);
        rH = outHigh;
        rL = (rL | cf) >>> 0;
        cf = out;
      } else {
        const out = rL & 1;
        rL = shiftRight64(rL, rH, 1);
        rH = outHigh;
        if (cf) {
          if (size === 8) rH = (rH | 0x80000000) >>> 0;
          else rL = (rL | (1 << (bits - 1))) >>> 0;
        }
        cf = out;
      }
      if (size < 8) {
        rL = (rL & sizeMask(size)) >>> 0;
        rH = 0;
      }
    }
    if (kind === SHIFT.RCL) of = signOf(size, rL, rH) ^ cf;
  }
  setCarryOverflow(state, cf, of);
  state.high = rH;
  return rL | 0;
}

/** SHLD (`left`) / SHRD: shifts `dst` by `rawCount`, filling from `src`. */
export function doubleShift(
  state: CpuState,
  left: boolean,
  size: number,
  dL: number,
  dH: number,
  sL: number,
  sH: number,
  rawCount: number,
): number {
  const bits = size * 8;
  const count = rawCount & (size === 8 ? 63 : 31);
  state.high = dH;
  if (count === 0) return dL;
  let rL: number;
  let rH: number;
  let cf: number;
  if (size === 2) {
    // 16-bit: shift the 32-bit concatenation (counts above 16 are undefined in the SDM).
    const joined = left ? ((dL << 16) | sL) >>> 0 : ((sL << 16) | dL) >>> 0;
    const shifted = left ? shiftLeft64(joined, 0, count) : shiftRight64(joined, 0, count);
    rL = left ? (((shifted >>> 16) | (outHigh << 16)) & 0xffff) >>> 0 : shifted & 0xffff;
    rH = 0;
    cf = left ? bitOf(joined, 0, Math.min(32 - count, 31)) : bitOf(joined, 0, count - 1);
  } else {
    const aL = left ? shiftLeft64(dL, dH, count) : shiftRight64(dL, dH, count);
    const aH = outHigh;
    const bL = left ? shiftRight64(sL, sH, bits - count) : shiftLeft64(sL, sH, bits - count);
    rL = (aL | bL) >>> 0;
    rH = (aH | outHigh) >>> 0;
    if (size === 4) {
      if (left) rL = ((dL << count) | (sL >>> (32 - count))) >>> 0;
      else rL = ((dL >>> count) | (sL << (32 - count))) >>> 0;
      rH = 0;
    }
    cf = left ? bitOf(dL, dH, bits - count) : bitOf(dL, dH, count - 1);
  }
  const of = signOf(size, rL, rH) ^ signOf(size, dL, dH);
  setLazyShift(state, size, rL, rH, cf, of);
  state.high = rH;
  return rL | 0;
}
