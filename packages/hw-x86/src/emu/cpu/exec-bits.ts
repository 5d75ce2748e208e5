/**
 * Bit-manipulation and atomic-exchange handlers: BT/BTS/BTR/BTC, BSF, BSR,
 * LZCNT, POPCNT, BSWAP, CMPXCHG, CMPXCHG8B/16B, XADD, XLAT, LAHF/SAHF and
 * the one-byte flag instructions. The interpreter runs one instruction at a
 * time per CPU, so LOCKed forms are atomic by construction.
 */
import { GPR as GPRImport, SLOT as SLOTImport } from "../../interfaces/cpu-context";
import { aluOperation as aluOperationImport } from "./alu";
import { RFLAGS as RFLAGSImport, VECTOR as VECTORImport } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { readModify as readModifyImport, writeModify as writeModifyImport } from "./exec-data";
import {
  carryFlag as carryFlagImport,
  readFlags as readFlagsImport,
  setStatusFlags as setStatusFlagsImport,
  zeroFlag as zeroFlagImport,
} from "./flags";
import {
  probeWrite as probeWriteImport,
  readMemory as readMemoryImport,
  readSized as readSizedImport,
  writeSized as writeSizedImport,
} from "./memory";
import {
  linearFromHalves as linearFromHalvesImport,
  operandAddress as operandAddressImport,
  readRegister as readRegisterImport,
  readRm as readRmImport,
  writeRegister as writeRegisterImport,
} from "./operands";
import {
  ALU as ALUImport,
  FLAG_OP as FLAG_OPImport,
  OPERAND as OPERANDImport,
  PREFIX as PREFIXImport,
} from "./ops";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const GPR = GPRImport;
const SLOT = SLOTImport;
const RFLAGS = RFLAGSImport;
const VECTOR = VECTORImport;
const aluOperation = aluOperationImport;
const carryFlag = carryFlagImport;
const readFlags = readFlagsImport;
const setStatusFlags = setStatusFlagsImport;
const zeroFlag = zeroFlagImport;
const probeWrite = probeWriteImport;
const readMemory = readMemoryImport;
const readSized = readSizedImport;
const writeSized = writeSizedImport;
const readModify = readModifyImport;
const writeModify = writeModifyImport;
const ALU = ALUImport;
const FLAG_OP = FLAG_OPImport;
const OPERAND = OPERANDImport;
const PREFIX = PREFIXImport;
const linearFromHalves = linearFromHalvesImport;
const operandAddress = operandAddressImport;
const readRegister = readRegisterImport;
const readRm = readRmImport;
const writeRegister = writeRegisterImport;

const TWO_POW_32 = 4294967296;

function bitTestApply(state: CpuState, kind: number, low: number, high: number, bit: number): number {
  const inHigh = bit >= 32;
  const mask = 1 << (bit & 31);
  const word = inHigh ? high : low;
  const cf = (word & mask) !== 0 ? 1 : 0;
  setStatusFlags(state, RFLAGS.CF, cf);
  let updated = word;
  if (kind === 1) updated = word | mask;
  else if (kind === 2) updated = word & ~mask;
  else if (kind === 3) updated = word ^ mask;
  state.high = inHigh ? updated >>> 0 : high;
  return inHigh ? low : updated >>> 0;
}

/** BT family; `immediate` selects the imm8 bit offset, else the register (which may address beyond the operand). */
export function executeBitTest(state: CpuState, cache: DecodedCache, slot: number, immediate: boolean): void {
  const size = cache.size[slot]!;
  const bits = size * 8;
  const kind = cache.aux[slot]!;
  let offset: number;
  if (immediate) offset = cache.immLow[slot]! & (bits - 1);
  else {
    const low = readRegister(state, cache.reg[slot]!, size);
    offset = size === 8 ? (state.high | 0) * TWO_POW_32 + low : size === 4 ? low | 0 : (low << 16) >> 16;
  }
  const rm = cache.rm[slot]!;
  if (rm !== OPERAND.MEMORY) {
    const low = readRegister(state, rm, size);
    const result = bitTestApply(state, kind, low, state.high, offset & (bits - 1));
    if (kind !== 0) writeRegister(state, rm, size, result, state.high);
    return;
  }
  let linear = operandAddress(state, cache, slot);
  if (linear < 0) return;
  if (!immediate) {
    const unit = Math.floor(offset / bits);
    linear = (linear + unit * size) % 2 ** 48;
    if (linear < 0) linear += 2 ** 48;
    offset -= unit * bits;
  }
  if (kind !== 0 && !probeWrite(state, linear, size)) return;
  const low = readSized(state, linear, size);
  if (state.exceptionVector >= 0) return;
  const result = bitTestApply(state, kind, low, state.high, offset);
  if (kind !== 0) writeSized(state, linear, size, result, state.high);
}

function leadingZeros(size: number, low: number, high: number): number {
  if (size === 8) return high !== 0 ? Math.clz32(high) : 32 + Math.clz32(low);
  return Math.clz32(low) - (32 - size * 8);
}

/** BSF (`reverse` false) / BSR: a zero source sets ZF and leaves the destination unchanged. */
export function executeBitScan(state: CpuState, cache: DecodedCache, slot: number, reverse: boolean): void {
  const size = cache.size[slot]!;
  const low = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const high = state.high;
  if (low === 0 && high === 0) {
    setStatusFlags(state, RFLAGS.ZF, RFLAGS.ZF);
    return;
  }
  setStatusFlags(state, RFLAGS.ZF, 0);
  let index: number;
  if (reverse) index = size * 8 - 1 - leadingZeros(size, low, high);
  else if (low !== 0) index = 31 - Math.clz32(low & -low);
  else index = 63 - Math.clz32(high & -high);
  writeRegister(state, cache.reg[slot]!, size, index, 0);
}

/** LZCNT: CF = source is zero, ZF = result is zero. */
export function executeLzcnt(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const count = leadingZeros(size, low, state.high);
  setStatusFlags(
    state,
    RFLAGS.CF | RFLAGS.ZF,
    (count === size * 8 ? RFLAGS.CF : 0) | (count === 0 ? RFLAGS.ZF : 0),
  );
  writeRegister(state, cache.reg[slot]!, size, count, 0);
}

function bitCount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** POPCNT: ZF = source is zero; CF, OF, SF, AF, PF cleared. */
export function executePopcnt(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const low = readRm(state, cache, slot, size);
  if (state.exceptionVector >= 0) return;
  const count = bitCount(low) + bitCount(state.high);
  setStatusFlags(
    state,
    RFLAGS.CF | RFLAGS.OF | RFLAGS.SF | RFLAGS.AF | RFLAGS.PF | RFLAGS.ZF,
    count === 0 ? RFLAGS.ZF : 0,
  );
  writeRegister(state, cache.reg[slot]!, size, count, 0);
}

function swapBytes(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/** BSWAP (16-bit form is undefined in the SDM: it clears the low word, as hardware does). */
export function executeBswap(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const reg = cache.rm[slot]!;
  const low = readRegister(state, reg, size);
  if (size === 8) writeRegister(state, reg, 8, swapBytes(state.high), swapBytes(low));
  else if (size === 4) writeRegister(state, reg, 4, swapBytes(low), 0);
  else writeRegister(state, reg, 2, 0, 0);
}

/** CMPXCHG: compares the accumulator with r/m; equal → r/m ← reg, else accumulator ← r/m. */
export function executeCmpxchg(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  const dstLow = state.operandLow;
  const dstHigh = state.high;
  const accLow = readRegister(state, GPR.RAX, size);
  aluOperation(state, ALU.CMP, size, accLow, state.high, dstLow, dstHigh);
  if (zeroFlag(state) === 1) {
    const srcLow = readRegister(state, cache.reg[slot]!, size);
    writeModify(state, cache, slot, size, linear, srcLow, state.high);
  } else {
    if (linear >= 0) writeModify(state, cache, slot, size, linear, dstLow, dstHigh);
    if (state.exceptionVector >= 0) return;
    writeRegister(state, GPR.RAX, size, dstLow, dstHigh);
  }
}

/** CMPXCHG8B / CMPXCHG16B (size 8 / 16); 16B needs a 16-byte aligned operand (#GP(0)). */
export function executeCmpxchgWide(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return;
  if (size === 16 && (linear & 15) !== 0) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  if (!probeWrite(state, linear, size)) return;
  const half = size / 2;
  const lowWordLow = readSized(state, linear, half);
  const lowWordHigh = state.high;
  const highWordLow = readSized(state, linear + half, half);
  const highWordHigh = state.high;
  if (state.exceptionVector >= 0) return;
  const axLow = readRegister(state, GPR.RAX, half);
  const axHigh = state.high;
  const dxLow = readRegister(state, GPR.RDX, half);
  const dxHigh = state.high;
  const equal =
    axLow === lowWordLow && axHigh === lowWordHigh && dxLow === highWordLow && dxHigh === highWordHigh;
  if (equal) {
    const bxLow = readRegister(state, GPR.RBX, half);
    const bxHigh = state.high;
    const cxLow = readRegister(state, GPR.RCX, half);
    writeSized(state, linear, half, bxLow, bxHigh);
    writeSized(state, linear + half, half, cxLow, state.high);
  } else {
    writeRegister(state, GPR.RAX, half, lowWordLow, lowWordHigh);
    writeRegister(state, GPR.RDX, half, highWordLow, highWordHigh);
  }
  setStatusFlags(state, RFLAGS.ZF, equal ? RFLAGS.ZF : 0);
}

/** XADD: r/m ← r/m + reg, reg ← old r/m (ADD flags). */
export function executeXadd(state: CpuState, cache: DecodedCache, slot: number): void {
  const size = cache.size[slot]!;
  const linear = readModify(state, cache, slot, size);
  if (linear === -1) return;
  const dstLow = state.operandLow;
  const dstHigh = state.high;
  const reg = cache.reg[slot]!;
  const srcLow = readRegister(state, reg, size);
  const sumLow = aluOperation(state, ALU.ADD, size, dstLow, dstHigh, srcLow, state.high);
  const sumHigh = state.high;
  writeRegister(state, reg, size, dstLow, dstHigh);
  writeModify(state, cache, slot, size, linear, sumLow, sumHigh);
}

/** XLAT: AL ← [RBX + zero-extended AL] (EBX with 67; FS/GS override applies). */
export function executeXlat(state: CpuState, cache: DecodedCache, slot: number): void {
  const regs = state.regs;
  const prefix = cache.prefix[slot]!;
  let low = regs[GPR.RBX * 2]! + (regs[0]! & 0xff);
  let high = (prefix & PREFIX.ADDR32) !== 0 ? 0 : regs[GPR.RBX * 2 + 1]! + (low >= TWO_POW_32 ? 1 : 0);
  low >>>= 0;
  if ((prefix & (PREFIX.FS | PREFIX.GS)) !== 0) {
    const segment = (prefix & PREFIX.FS) !== 0 ? SLOT.FS_BASE : SLOT.GS_BASE;
    const sum = low + regs[segment * 2]!;
    high += regs[segment * 2 + 1]! + (sum >= TWO_POW_32 ? 1 : 0);
    low = sum >>> 0;
  }
  const linear = linearFromHalves(state, low, high >>> 0, false);
  if (linear < 0) return;
  const value = readMemory(state, linear, 1);
  if (state.exceptionVector >= 0) return;
  writeRegister(state, GPR.RAX, 1, value, 0);
}

/** SAHF: SF, ZF, AF, PF, CF ← AH. LAHF: AH ← low byte of FLAGS. */
export function executeAhFlags(state: CpuState, store: boolean): void {
  const mask = RFLAGS.SF | RFLAGS.ZF | RFLAGS.AF | RFLAGS.PF | RFLAGS.CF;
  if (store) setStatusFlags(state, mask, (state.regs[0]! >>> 8) & 0xff);
  else writeRegister(state, OPERAND.HIGH_BYTE_BASE, 1, readFlags(state) & 0xff, 0);
}

/** CLC, STC, CMC, CLD, STD. */
export function executeFlagOp(state: CpuState, which: number): void {
  switch (which) {
    case FLAG_OP.CLC:
      setStatusFlags(state, RFLAGS.CF, 0);
      break;
    case FLAG_OP.STC:
      setStatusFlags(state, RFLAGS.CF, RFLAGS.CF);
      break;
    case FLAG_OP.CMC:
      setStatusFlags(state, RFLAGS.CF, carryFlag(state) ^ 1);
      break;
    case FLAG_OP.CLD:
      state.flagBits &= ~RFLAGS.DF;
      break;
    default:
      state.flagBits |= RFLAGS.DF;
      break;
  }
}
