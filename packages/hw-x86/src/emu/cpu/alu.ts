/**
 * The eight group-1 ALU operations plus INC, DEC and NEG on (low, high)
 * halves, at operand sizes 1, 2, 4, 8, recording lazy flags.
 *
 * Each function returns the result's low half and leaves the high half in
 * `state.high` (0 below 64 bits). Results are masked to the operand size;
 * the returned low half is the same 32 bits as an int32 (`| 0`), so it is a
 * small integer to V8 and returning it never allocates a heap number.
 * Callers only store it (registers, memory), where the two forms agree.
 */
import { type CpuState, LAZY as LAZYImport } from "./cpu-state";
import {
  carryFlag as carryFlagImport,
  setLazy as setLazyImport,
  setLazyLogic as setLazyLogicImport,
} from "./flags";
import { ALU as ALUImport } from "./ops";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const LAZY = LAZYImport;
const carryFlag = carryFlagImport;
const setLazy = setLazyImport;
const setLazyLogic = setLazyLogicImport;
const ALU = ALUImport;

const TWO_POW_32 = 4294967296;

function mask(size: number, value: number): number {
  if (size === 4) return value >>> 0;
  return size === 1 ? value & 0xff : value & 0xffff;
}

function add(
  state: CpuState,
  op: number,
  size: number,
  dL: number,
  dH: number,
  sL: number,
  sH: number,
  carryIn: number,
): number {
  let rL: number;
  let rH = 0;
  if (size === 8) {
    const sum = dL + sL + carryIn;
    rL = sum >>> 0;
    rH = (dH + sH + (sum >= TWO_POW_32 ? 1 : 0)) >>> 0;
  } else {
    rL = mask(size, dL + sL + carryIn);
  }
  state.lazyCarry = carryIn;
  setLazy(state, op, size, dL, dH, sL, sH, rL, rH);
  state.high = rH;
  return rL | 0;
}

function subtract(
  state: CpuState,
  op: number,
  size: number,
  dL: number,
  dH: number,
  sL: number,
  sH: number,
  borrowIn: number,
): number {
  let rL: number;
  let rH = 0;
  if (size === 8) {
    const difference = dL - sL - borrowIn;
    rL = difference >>> 0;
    rH = (dH - sH - (difference < 0 ? 1 : 0)) >>> 0;
  } else {
    rL = mask(size, dL - sL - borrowIn);
  }
  state.lazyCarry = borrowIn;
  setLazy(state, op, size, dL, dH, sL, sH, rL, rH);
  state.high = rH;
  return rL | 0;
}

/** Group-1 operation `kind` (ALU.*) of `dst` and `src`; CMP returns the difference but callers discard it. */
export function aluOperation(
  state: CpuState,
  kind: number,
  size: number,
  dL: number,
  dH: number,
  sL: number,
  sH: number,
): number {
  let rL: number;
  let rH = 0;
  switch (kind) {
    case ALU.ADD:
      return add(state, LAZY.ADD, size, dL, dH, sL, sH, 0);
    case ALU.ADC:
      return add(state, LAZY.ADC, size, dL, dH, sL, sH, carryFlag(state));
    case ALU.SUB:
    case ALU.CMP:
      return subtract(state, LAZY.SUB, size, dL, dH, sL, sH, 0);
    case ALU.SBB:
      return subtract(state, LAZY.SBB, size, dL, dH, sL, sH, carryFlag(state));
    case ALU.AND:
      rL = (dL & sL) >>> 0;
      rH = (dH & sH) >>> 0;
      break;
    case ALU.OR:
      rL = (dL | sL) >>> 0;
      rH = (dH | sH) >>> 0;
      break;
    default:
      rL = (dL ^ sL) >>> 0;
      rH = (dH ^ sH) >>> 0;
      break;
  }
  if (size !== 8) rH = 0;
  setLazyLogic(state, size, rL, rH);
  state.high = rH;
  return rL | 0;
}

/** INC: like ADD 1 but CF is preserved. */
export function increment(state: CpuState, size: number, dL: number, dH: number): number {
  const cf = carryFlag(state);
  const result = add(state, LAZY.INC, size, dL, dH, 1, 0, 0);
  state.lazyCarry = cf;
  return result;
}

/** DEC: like SUB 1 but CF is preserved. */
export function decrement(state: CpuState, size: number, dL: number, dH: number): number {
  const cf = carryFlag(state);
  const result = subtract(state, LAZY.DEC, size, dL, dH, 1, 0, 0);
  state.lazyCarry = cf;
  return result;
}

/** NEG: 0 - dst (CF = dst ≠ 0, as SUB from zero gives). */
export function negate(state: CpuState, size: number, dL: number, dH: number): number {
  return subtract(state, LAZY.SUB, size, 0, 0, dL, dH, 0);
}
