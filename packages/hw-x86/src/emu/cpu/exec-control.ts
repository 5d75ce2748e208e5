/**
 * Control transfer and stack instruction handlers: Jcc, JMP, CALL, RET,
 * LOOPcc/JRCXZ, PUSH/POP, PUSHF/POPF, ENTER/LEAVE.
 *
 * Branch targets are checked for canonicality before anything is written:
 * a non-canonical target raises #GP(0) on the branch instruction itself
 * (Intel behaviour), so RIP never holds a non-canonical value.
 */
import { GPR as GPRImport } from "../../interfaces/cpu-context";
import {
  POPF_USER_MASK as POPF_USER_MASKImport,
  RFLAGS as RFLAGSImport,
  VECTOR as VECTORImport,
} from "./arch-bits";
import { condition as conditionImport } from "./condition";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import {
  readFlags as readFlagsImport,
  writeFlags as writeFlagsImport,
  zeroFlag as zeroFlagImport,
} from "./flags";
import { writeSized as writeSizedImport } from "./memory";
import {
  operandAddress as operandAddressImport,
  readRegister as readRegisterImport,
  readRm as readRmImport,
  writeRegister as writeRegisterImport,
} from "./operands";
import { OPERAND as OPERANDImport, PREFIX as PREFIXImport } from "./ops";
import {
  adjustStackPointer as adjustStackPointerImport,
  peek as peekImport,
  push as pushImport,
  stackAddress as stackAddressImport,
} from "./stack";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const GPR = GPRImport;
const POPF_USER_MASK = POPF_USER_MASKImport;
const RFLAGS = RFLAGSImport;
const VECTOR = VECTORImport;
const condition = conditionImport;
const readFlags = readFlagsImport;
const writeFlags = writeFlagsImport;
const zeroFlag = zeroFlagImport;
const writeSized = writeSizedImport;
const OPERAND = OPERANDImport;
const PREFIX = PREFIXImport;
const operandAddress = operandAddressImport;
const readRegister = readRegisterImport;
const readRm = readRmImport;
const writeRegister = writeRegisterImport;
const adjustStackPointer = adjustStackPointerImport;
const peek = peekImport;
const push = pushImport;
const stackAddress = stackAddressImport;

const TWO_POW_32 = 4294967296;
const CANONICAL_LIMIT = 2 ** 47;

/** Sets RIP to `target` (a signed number) or raises #GP(0) if it is not canonical. */
export function branchTo(state: CpuState, target: number): boolean {
  if (target < -CANONICAL_LIMIT || target >= CANONICAL_LIMIT) {
    state.raise(VECTOR.GP, 0);
    return false;
  }
  state.nextRip = target;
  return true;
}

/** A 64-bit value as a signed number when canonical, else NaN. */
export function addressFromHalves(low: number, high: number): number {
  if (high < 0x8000) return high * TWO_POW_32 + low;
  if (high >= 0xffff8000) return (high | 0) * TWO_POW_32 + low;
  return Number.NaN;
}

function pushReturnAddress(state: CpuState): boolean {
  const next = state.nextRip;
  const high = Math.floor(next / TWO_POW_32);
  return push(state, 8, next - high * TWO_POW_32, high >>> 0);
}

export function executeJcc(state: CpuState, cache: DecodedCache, slot: number): void {
  if (condition(state, cache.aux[slot]!)) branchTo(state, state.nextRip + cache.immLow[slot]!);
}

export function executeJmpRelative(state: CpuState, cache: DecodedCache, slot: number): void {
  branchTo(state, state.nextRip + cache.immLow[slot]!);
}

export function executeCallRelative(state: CpuState, cache: DecodedCache, slot: number): void {
  const target = state.nextRip + cache.immLow[slot]!;
  if (target < -CANONICAL_LIMIT || target >= CANONICAL_LIMIT) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  if (pushReturnAddress(state)) state.nextRip = target;
}

export function executeIndirect(state: CpuState, cache: DecodedCache, slot: number, call: boolean): void {
  const low = readRm(state, cache, slot, 8);
  if (state.exceptionVector >= 0) return;
  const target = addressFromHalves(low, state.high);
  if (Number.isNaN(target)) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  if (call && !pushReturnAddress(state)) return;
  state.nextRip = target;
}

export function executeRet(state: CpuState, cache: DecodedCache, slot: number): void {
  const low = peek(state, 8, 0);
  if (state.exceptionVector >= 0) return;
  const target = addressFromHalves(low, state.high);
  if (Number.isNaN(target)) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  adjustStackPointer(state, 8 + cache.immLow[slot]!);
  state.nextRip = target;
}

/** LOOPNE (aux 0), LOOPE (1), LOOP (2), JRCXZ (3); 67 selects ECX. */
export function executeLoop(state: CpuState, cache: DecodedCache, slot: number): void {
  const kind = cache.aux[slot]!;
  const addressSize = (cache.prefix[slot]! & PREFIX.ADDR32) !== 0 ? 4 : 8;
  let low = readRegister(state, GPR.RCX, addressSize);
  let high = state.high;
  let taken: boolean;
  if (kind === 3) {
    taken = low === 0 && high === 0;
  } else {
    if (low === 0) high = (high - 1) >>> 0;
    low = (low - 1) >>> 0;
    const nonZero = low !== 0 || high !== 0;
    taken =
      kind === 2 ? nonZero : kind === 1 ? nonZero && zeroFlag(state) === 1 : nonZero && zeroFlag(state) === 0;
    const target = state.nextRip + cache.immLow[slot]!;
    if (taken && (target < -CANONICAL_LIMIT || target >= CANONICAL_LIMIT)) {
      state.raise(VECTOR.GP, 0);
      return;
    }
    writeRegister(state, GPR.RCX, addressSize, low, high);
  }
  if (taken) branchTo(state, state.nextRip + cache.immLow[slot]!);
}

export function executePushRegister(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = readRegister(state, cache.reg[slot]!, size);
  push(state, size, low, state.high);
}

export function executePushImmediate(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = cache.immLow[slot]! >>> 0;
  push(state, size, size === 2 ? low & 0xffff : low, cache.immHigh[slot]! >>> 0);
}

export function executePushRm(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  push(state, size, low, state.high);
}

export function executePopRegister(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = peek(state, size, 0);
  if (state.exceptionVector >= 0) return;
  const high = state.high;
  adjustStackPointer(state, size);
  writeRegister(state, cache.reg[slot]!, size, low, high);
}

/** POP r/m: RSP is incremented before the destination address is computed (SDM vol 2 POP). */
export function executePopRm(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = peek(state, size, 0);
  if (state.exceptionVector >= 0) return;
  const high = state.high;
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    adjustStackPointer(state, size);
    writeRegister(state, rm, size, low, high);
    return;
  }
  adjustStackPointer(state, size);
  const linear = operandAddress(state, cache, slot);
  if (linear >= 0) writeSized(state, linear, size, low, high);
  if (state.exceptionVector >= 0) adjustStackPointer(state, -size);
}

export function executePushFlags(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const flags = readFlags(state) & ~(RFLAGS.VM | RFLAGS.RF);
  push(state, size, size === 2 ? flags & 0xffff : flags, 0);
}

/** POPF at CPL 3 with IOPL 0: IF, IOPL, VM, RF, VIF, VIP keep their values (SDM vol 2 POPF). */
export function executePopFlags(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const value = peek(state, size, 0);
  if (state.exceptionVector >= 0) return;
  adjustStackPointer(state, size);
  const mask = size === 2 ? POPF_USER_MASK & 0xffff : POPF_USER_MASK;
  writeFlags(state, (readFlags(state) & ~mask) | (value & mask));
}

/** ENTER imm16, imm8 (nesting level masked to 5 bits). */
export function executeEnter(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const allocation = cache.immLow[slot]! & 0xffff;
  const level = cache.immHigh[slot]! & 31;
  const rbpLow = readRegister(state, GPR.RBP, size);
  const rbpHigh = state.high;
  if (!push(state, size, rbpLow, rbpHigh)) return;
  const frameLow = readRegister(state, GPR.RSP, 8);
  const frameHigh = state.high;
  for (let i = 1; i < level; i++) {
    const outer = peekFrame(state, size, i);
    if (state.exceptionVector >= 0 || !push(state, size, outer, state.high)) return;
  }
  if (level > 0 && !push(state, size, frameLow, frameHigh)) return;
  writeRegister(state, GPR.RBP, size, frameLow, frameHigh);
  if (stackAddress(state, -allocation) < 0) return;
  adjustStackPointer(state, -allocation);
}

/** Reads the i-th enclosing frame pointer for ENTER with nesting (at RBP - i·size). */
function peekFrame(state: CpuState, size: number, index: number): number {
  const rbpLow = readRegister(state, GPR.RBP, 8);
  const rbpHigh = state.high;
  const sum = rbpLow - index * size;
  const high = (rbpHigh + Math.floor(sum / TWO_POW_32)) >>> 0;
  const regs = state.regs;
  const savedLow = regs[GPR.RSP * 2]!;
  const savedHigh = regs[GPR.RSP * 2 + 1]!;
  regs[GPR.RSP * 2] = sum >>> 0;
  regs[GPR.RSP * 2 + 1] = high;
  const value = peek(state, size, 0);
  regs[GPR.RSP * 2] = savedLow;
  regs[GPR.RSP * 2 + 1] = savedHigh;
  return value;
}

/** LEAVE: RSP ← RBP, then pop RBP; nothing changes if the load faults. */
export function executeLeave(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const regs = state.regs;
  const savedLow = regs[GPR.RSP * 2]!;
  const savedHigh = regs[GPR.RSP * 2 + 1]!;
  regs[GPR.RSP * 2] = regs[GPR.RBP * 2]!;
  regs[GPR.RSP * 2 + 1] = regs[GPR.RBP * 2 + 1]!;
  const low = peek(state, size, 0);
  if (state.exceptionVector >= 0) {
    regs[GPR.RSP * 2] = savedLow;
    regs[GPR.RSP * 2 + 1] = savedHigh;
    return;
  }
  const high = state.high;
  adjustStackPointer(state, size);
  writeRegister(state, GPR.RBP, size, low, high);
}
