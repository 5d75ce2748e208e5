/**
 * Multiply, divide, accumulator sign-extension and shift/rotate handlers
 * (MUL/IMUL/DIV/IDIV, CBW/CWDE/CDQE, CWD/CDQ/CQO, group 2, SHLD/SHRD).
 * Like exec-data.ts, every handler leaves state unchanged when it raises.
 */
import { GPR as GPRImport } from "../../interfaces/cpu-context";
import { VECTOR as VECTORImport } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { divide as divideImport, quotient as quotientImport, remainder as remainderImport } from "./divide";
import { readModify as readModifyImport, writeModify as writeModifyImport } from "./exec-data";
import { multiply as multiplyImport, upper as upperImport } from "./muldiv";
import {
  readRegister as readRegisterImport,
  readRm as readRmImport,
  writeRegister as writeRegisterImport,
} from "./operands";
import { SHIFT as SHIFTImport } from "./ops";
import { doubleShift as doubleShiftImport, shiftOperation as shiftOperationImport } from "./shift";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const GPR = GPRImport;
const VECTOR = VECTORImport;
const readModify = readModifyImport;
const writeModify = writeModifyImport;
const divide = divideImport;
const multiply = multiplyImport;
const quotient = quotientImport;
const remainder = remainderImport;
const upper = upperImport;
const readRegister = readRegisterImport;
const readRm = readRmImport;
const writeRegister = writeRegisterImport;
const SHIFT = SHIFTImport;
const doubleShift = doubleShiftImport;
const shiftOperation = shiftOperationImport;

/** One-operand MUL / IMUL: accumulator × r/m into the (R/E)DX:(R/E)AX pair (AX for bytes). */
export function executeMultiplyAccumulator(
  state: CpuState,
  cache: DecodedCache,
  slot: number,
  signed: boolean,
): void {
  const size = cache.size[slot]!;
  const srcLow = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const srcHigh = state.high;
  const accLow = readRegister(state, GPR.RAX, size);
  const low = multiply(state, signed, size, accLow, state.high, srcLow, srcHigh);
  const high = state.high;
  if (size === 1) {
    writeRegister(state, GPR.RAX, 2, low | (upper[0]! << 8), 0);
    return;
  }
  writeRegister(state, GPR.RAX, size, low, high);
  writeRegister(state, GPR.RDX, size, upper[0]!, upper[1]!);
}

/** Two- and three-operand IMUL: reg ← r/m × (reg or imm), truncated. */
export function executeImul(state: CpuState, cache: DecodedCache, slot: number, immediate: boolean): void {
  const size = cache.size[slot]!;
  const srcLow = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const srcHigh = state.high;
  let otherLow: number;
  let otherHigh: number;
  if (immediate) {
    otherLow = cache.immLow[slot]! >>> 0;
    otherHigh = cache.immHigh[slot]! >>> 0;
    if (size === 2) otherLow &= 0xffff;
  } else {
    otherLow = readRegister(state, cache.reg[slot]!, size);
    otherHigh = state.high;
  }
  const low = multiply(state, true, size, srcLow, srcHigh, otherLow, otherHigh);
  writeRegister(state, cache.reg[slot]!, size, low, state.high);
}

/** DIV / IDIV: #DE on a zero divisor or a quotient that does not fit. */
export function executeDivide(state: CpuState, cache: DecodedCache, slot: number, signed: boolean): void {
  const size = cache.size[slot]!;
  const divisorLow = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const divisorHigh = state.high;
  let upperL: number;
  let upperH = 0;
  let lowerL: number;
  let lowerH = 0;
  if (size === 1) {
    const ax = state.regs[0]! & 0xffff;
    upperL = ax >>> 8;
    lowerL = ax & 0xff;
  } else {
    lowerL = readRegister(state, GPR.RAX, size);
    lowerH = state.high;
    upperL = readRegister(state, GPR.RDX, size);
    upperH = state.high;
  }
  if (!divide(signed, size, upperL, upperH, lowerL, lowerH, divisorLow, divisorHigh)) {
    state.raise(VECTOR.DE, -1);
    return;
  }
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  if (size === 1) {
    writeRegister(state, GPR.RAX, 2, (quotient[0]! & mask) | ((remainder[0]! & mask) << 8), 0);
    return;
  }
  writeRegister(state, GPR.RAX, size, (quotient[0]! & mask) >>> 0, quotient[1]!);
  writeRegister(state, GPR.RDX, size, (remainder[0]! & mask) >>> 0, remainder[1]!);
}

/** CBW/CWDE/CDQE (`wide` false) and CWD/CDQ/CQO (`wide` true). */
export function executeSignExtendAccumulator(
  state: CpuState,
  cache: DecodedCache,
  slot: number,
  wide: boolean,
): void {
  const size = cache.size[slot]!;
  const regs = state.regs;
  if (!wide) {
    if (size === 2) writeRegister(state, GPR.RAX, 2, ((regs[0]! << 24) >> 24) & 0xffff, 0);
    else if (size === 4) writeRegister(state, GPR.RAX, 4, ((regs[0]! << 16) >> 16) >>> 0, 0);
    else writeRegister(state, GPR.RAX, 8, regs[0]!, regs[0]! >>> 31 ? 0xffffffff : 0);
    return;
  }
  const sign = size === 8 ? regs[1]! >>> 31 : (regs[0]! >>> (size * 8 - 1)) & 1;
  writeRegister(state, GPR.RDX, size, sign ? 0xffffffff : 0, sign ? 0xffffffff : 0);
}

/** Group 2: `fromCl` takes the count from CL, else from the immediate (1 for D0/D1). */
export function executeShift(state: CpuState, cache: DecodedCache, slot: number, fromCl: boolean): void {
  const size = cache.size[slot]!;
  const rm = cache.rm[slot]!;
  if (size >= 4 && rm < 16) {
    // Fast path: 32/64-bit register operand (a 32-bit result zero-extends, count 0 included).
    const regs = state.regs;
    const at = rm * 2;
    const count = fromCl ? regs[GPR.RCX * 2]! & 0xff : cache.immLow[slot]! & 0xff;
    const kind = cache.aux[slot]!;
    const low = shiftOperation(
      state,
      kind === SHIFT.SAL ? SHIFT.SHL : kind,
      size,
      regs[at]!,
      size === 8 ? regs[at + 1]! : 0,
      count,
    );
    regs[at] = low;
    regs[at + 1] = state.high;
    return;
  }
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  const count = fromCl ? state.regs[GPR.RCX * 2]! & 0xff : cache.immLow[slot]! & 0xff;
  const kind = cache.aux[slot]!;
  const low = shiftOperation(
    state,
    kind === SHIFT.SAL ? SHIFT.SHL : kind,
    size,
    state.operandLow,
    state.high,
    count,
  );
  writeModify(state, cache, slot, size, linear, low, state.high);
}

/** SHLD / SHRD. */
export function executeDoubleShift(
  state: CpuState,
  cache: DecodedCache,
  slot: number,
  left: boolean,
  fromCl: boolean,
): void {
  const size = cache.size[slot]!;
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  const dstLow = state.operandLow;
  const dstHigh = state.high;
  const srcLow = readRegister(state, cache.reg[slot]!, size);
  const count = fromCl ? state.regs[GPR.RCX * 2]! & 0xff : cache.immLow[slot]! & 0xff;
  const low = doubleShift(state, left, size, dstLow, dstHigh, srcLow, state.high, count);
  writeModify(state, cache, slot, size, linear, low, state.high);
}
