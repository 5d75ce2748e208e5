/**
 * Data-movement and arithmetic instruction handlers: group-1 ALU, TEST, MOV
 * family, XCHG, LEA, INC/DEC/NOT/NEG, MOVZX/MOVSX, CMOVcc/SETcc (multiplies,
 * divides, sign extensions and shifts are in exec-wide.ts). Each takes the
 * CPU state, the decoded cache and the slot, and leaves state unchanged if
 * an exception is raised.
 */
import {
  aluOperation as aluOperationImport,
  decrement as decrementImport,
  increment as incrementImport,
  negate as negateImport,
} from "./alu";
import { condition as conditionImport } from "./condition";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { setLazyLogic as setLazyLogicImport } from "./flags";
import {
  probeWrite as probeWriteImport,
  readSized as readSizedImport,
  writeSized as writeSizedImport,
} from "./memory";
import {
  effectiveAddress as effectiveAddressImport,
  operandAddress as operandAddressImport,
  readRegister as readRegisterImport,
  readRm as readRmImport,
  writeRegister as writeRegisterImport,
  writeRm as writeRmImport,
} from "./operands";
import { ALU as ALUImport, OPERAND as OPERANDImport } from "./ops";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const aluOperation = aluOperationImport;
const decrement = decrementImport;
const increment = incrementImport;
const negate = negateImport;
const condition = conditionImport;
const setLazyLogic = setLazyLogicImport;
const probeWrite = probeWriteImport;
const readSized = readSizedImport;
const writeSized = writeSizedImport;
const ALU = ALUImport;
const OPERAND = OPERANDImport;
const effectiveAddress = effectiveAddressImport;
const operandAddress = operandAddressImport;
const readRegister = readRegisterImport;
const readRm = readRmImport;
const writeRegister = writeRegisterImport;
const writeRm = writeRmImport;

/** Reads r/m for a read-modify-write: returns the linear address (or -2 for a register, -1 on fault); value in `state.operandLow`/`state.high`. */
export function readModify(state: CpuState, cache: DecodedCache, slot: number, size: number): number {
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    state.operandLow = readRegister(state, rm, size);
    return -2;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return -1;
  if (!probeWrite(state, linear, size)) return -1;
  state.operandLow = readSized(state, linear, size);
  return state.exceptionVector >= 0 ? -1 : linear;
}

/** Writes back the result of a read-modify-write to the operand found by `readModify`. */
export function writeModify(
  state: CpuState,
  cache: DecodedCache,
  slot: number,
  size: number,
  linear: number,
  low: number,
  high: number,
): void {
  writeRm(state, cache, slot, size, linear, low, high);
}

export function executeAluRmReg(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const kind = cache.aux[slot]!;
  const rm = cache.rm[slot]!;
  if (size >= 4 && rm < 16) {
    // Fast path: 32/64-bit register-register form.
    const regs = state.regs;
    const src = cache.reg[slot]! * 2;
    const dst = rm * 2;
    const wide = size === 8;
    const result = aluOperation(
      state,
      kind,
      size,
      regs[dst]!,
      wide ? regs[dst + 1]! : 0,
      regs[src]!,
      wide ? regs[src + 1]! : 0,
    );
    if (kind !== ALU.CMP) {
      regs[dst] = result;
      regs[dst + 1] = state.high;
    }
    return;
  }
  const srcLow = readRegister(state, cache.reg[slot]!, size);
  const srcHigh = state.high;
  if (kind === ALU.CMP) {
    const dstLow = readRm(state, cache, slot, size);
    if (state.exceptionVector >= 0) return;
    aluOperation(state, kind, size, dstLow, state.high, srcLow, srcHigh);
    return;
  }
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  const result = aluOperation(state, kind, size, state.operandLow, state.high, srcLow, srcHigh);
  writeModify(state, cache, slot, size, linear, result, state.high);
}

export function executeAluRegRm(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const kind = cache.aux[slot]!;
  const rm = cache.rm[slot]!;
  if (size >= 4 && rm < 16) {
    const regs = state.regs;
    const dst = cache.reg[slot]! * 2;
    const src = rm * 2;
    const wide = size === 8;
    const result = aluOperation(
      state,
      kind,
      size,
      regs[dst]!,
      wide ? regs[dst + 1]! : 0,
      regs[src]!,
      wide ? regs[src + 1]! : 0,
    );
    if (kind !== ALU.CMP) {
      regs[dst] = result;
      regs[dst + 1] = state.high;
    }
    return;
  }
  const srcLow = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const srcHigh = state.high;
  const reg = cache.reg[slot]!;
  const dstLow = readRegister(state, reg, size);
  const result = aluOperation(state, kind, size, dstLow, state.high, srcLow, srcHigh);
  if (kind !== ALU.CMP) writeRegister(state, reg, size, result, state.high);
}

export function executeAluRmImm(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const kind = cache.aux[slot]!;
  const immLow = cache.immLow[slot]! >>> 0;
  const immHigh = size === 8 ? cache.immHigh[slot]! >>> 0 : 0;
  const srcLow = size === 4 || size === 8 ? immLow : immLow & (size === 1 ? 0xff : 0xffff);
  const rm = cache.rm[slot]!;
  if (size >= 4 && rm < 16) {
    const regs = state.regs;
    const dst = rm * 2;
    const result = aluOperation(
      state,
      kind,
      size,
      regs[dst]!,
      size === 8 ? regs[dst + 1]! : 0,
      srcLow,
      immHigh,
    );
    if (kind !== ALU.CMP) {
      regs[dst] = result;
      regs[dst + 1] = state.high;
    }
    return;
  }
  if (kind === ALU.CMP) {
    const dstLow = readRm(state, cache, slot, size);
    if (state.exceptionVector >= 0) return;
    aluOperation(state, kind, size, dstLow, state.high, srcLow, immHigh);
    return;
  }
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  const result = aluOperation(state, kind, size, state.operandLow, state.high, srcLow, immHigh);
  writeModify(state, cache, slot, size, linear, result, state.high);
}

export function executeTest(state: CpuState, cache: DecodedCache, slot: number, immediate: boolean): void {
  const size = cache.size[slot]!;
  let srcLow: number;
  let srcHigh: number;
  if (immediate) {
    srcLow = cache.immLow[slot]! >>> 0;
    srcHigh = size === 8 ? cache.immHigh[slot]! >>> 0 : 0;
  } else {
    srcLow = readRegister(state, cache.reg[slot]!, size);
    srcHigh = state.high;
  }
  const dstLow = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const mask = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  setLazyLogic(state, size, (dstLow & srcLow & mask) >>> 0, (state.high & srcHigh) >>> 0);
}

export function executeMovRmImm(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  // int32 halves (small integers, never boxed): registers and memory store the same 32 bits.
  const low = cache.immLow[slot]!;
  const high = cache.immHigh[slot]!;
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    writeRegister(state, rm, size, low, high);
    return;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return;
  writeSized(state, linear, size, low, high);
}

export function executeMovRmReg(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const rmFast = cache.rm[slot]!;
  if (size >= 4 && rmFast < 16) {
    const regs = state.regs;
    const src = cache.reg[slot]! * 2;
    regs[rmFast * 2] = regs[src]!;
    regs[rmFast * 2 + 1] = size === 8 ? regs[src + 1]! : 0;
    return;
  }
  const low = readRegister(state, cache.reg[slot]!, size);
  const high = state.high;
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    writeRegister(state, rm, size, low, high);
    return;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return;
  writeSized(state, linear, size, low, high);
}

export function executeMovRegRm(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const rmFast = cache.rm[slot]!;
  if (size >= 4 && rmFast < 16) {
    const regs = state.regs;
    const dst = cache.reg[slot]! * 2;
    regs[dst] = regs[rmFast * 2]!;
    regs[dst + 1] = size === 8 ? regs[rmFast * 2 + 1]! : 0;
    return;
  }
  const low = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  writeRegister(state, cache.reg[slot]!, size, low, state.high);
}

/** MOVZX / MOVSX / MOVSXD: `aux` is the source size. */
export function executeExtend(state: CpuState, cache: DecodedCache, slot: number, signed: boolean): void {
  const size = cache.size[slot]!;
  const sourceSize = cache.aux[slot]!;
  let low = readRm(state, cache, slot, sourceSize);
  if (state.exceptionVector >= 0) return;
  let high = 0;
  if (signed) {
    const shift = 32 - sourceSize * 8;
    low = (low << shift) >> shift;
    high = low < 0 ? 0xffffffff : 0;
    low >>>= 0;
  }
  if (size === 2) low &= 0xffff;
  writeRegister(state, cache.reg[slot]!, size, low, high);
}

export function executeLea(state: CpuState, cache: DecodedCache, slot: number): void {
  effectiveAddress(state, cache, slot);
  const size = cache.size[slot]!;
  writeRegister(state, cache.reg[slot]!, size, size === 2 ? state.eaLow & 0xffff : state.eaLow, state.eaHigh);
}

export function executeXchg(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const reg = cache.reg[slot]!;
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  const otherLow = state.operandLow;
  const otherHigh = state.high;
  const low = readRegister(state, reg, size);
  writeModify(state, cache, slot, size, linear, low, state.high);
  if (state.exceptionVector >= 0) return;
  writeRegister(state, reg, size, otherLow, otherHigh);
}

/** INC, DEC, NOT, NEG (`which`: 0 inc, 1 dec, 2 not, 3 neg). */
export function executeUnary(state: CpuState, cache: DecodedCache, slot: number, which: number): void {
  const size = cache.size[slot]!;
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  let low: number;
  let high = 0;
  if (which === 0) low = increment(state, size, state.operandLow, state.high);
  else if (which === 1) low = decrement(state, size, state.operandLow, state.high);
  else if (which === 3) low = negate(state, size, state.operandLow, state.high);
  else {
    low = ~state.operandLow >>> 0;
    high = ~state.high >>> 0;
    if (size < 4) low &= size === 1 ? 0xff : 0xffff;
    if (size < 8) high = 0;
    state.high = high;
  }
  writeModify(state, cache, slot, size, linear, low, state.high);
}

export function executeCmov(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const reg = cache.reg[slot]!;
  // A 32-bit CMOV zero-extends the destination even when the condition is false (SDM vol 2 CMOVcc).
  if (condition(state, cache.aux[slot]!)) writeRegister(state, reg, size, low, state.high);
  else if (size === 4) state.regs[reg * 2 + 1] = 0;
}

export function executeSetcc(state: CpuState, cache: DecodedCache, slot: number): void {
  const value = condition(state, cache.aux[slot]!) ? 1 : 0;
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    writeRegister(state, rm, 1, value, 0);
    return;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return;
  writeSized(state, linear, 1, value, 0);
}
