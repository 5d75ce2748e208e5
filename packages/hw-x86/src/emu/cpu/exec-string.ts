/**
 * String instructions MOVS, CMPS, STOS, LODS, SCAS with REP / REPE / REPNE
 * (SDM vol 2 "REP/REPE/REPZ/REPNE/REPNZ"). RSI/RDI/RCX are used at 64 bits,
 * or 32 bits with the 67 prefix; DF selects the direction. FS/GS overrides
 * apply to the source (RSI) operand only; the destination is ES (base 0).
 *
 * Invariants: registers are committed after every element, so a fault in
 * the middle leaves RSI/RDI/RCX describing the remaining work and RIP at
 * the instruction (restartable, as on hardware). A repeated instruction
 * runs at most MAX_ITERATIONS_PER_STEP elements per step and then restarts
 * itself, so huge counts cannot monopolise one interpreter step.
 */
import { GPR as GPRImport, SLOT as SLOTImport } from "../../interfaces/cpu-context";
import { aluOperation as aluOperationImport } from "./alu";
import { RFLAGS as RFLAGSImport } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { zeroFlag as zeroFlagImport } from "./flags";
import { readSized as readSizedImport, writeSized as writeSizedImport } from "./memory";
import {
  linearFromHalves as linearFromHalvesImport,
  readRegister as readRegisterImport,
  writeRegister as writeRegisterImport,
} from "./operands";
import { ALU as ALUImport, OP as OPImport, PREFIX as PREFIXImport } from "./ops";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const GPR = GPRImport;
const SLOT = SLOTImport;
const RFLAGS = RFLAGSImport;
const aluOperation = aluOperationImport;
const zeroFlag = zeroFlagImport;
const readSized = readSizedImport;
const writeSized = writeSizedImport;
const ALU = ALUImport;
const OP = OPImport;
const PREFIX = PREFIXImport;
const linearFromHalves = linearFromHalvesImport;
const readRegister = readRegisterImport;
const writeRegister = writeRegisterImport;

const TWO_POW_32 = 4294967296;
/** Elements one step of a REP instruction processes before restarting itself. */
export const MAX_ITERATIONS_PER_STEP = 65536;

function pointerLinear(state: CpuState, reg: number, addressSize: number, segmentSlot: number): number {
  let low = readRegister(state, reg, addressSize);
  let high = state.high;
  if (segmentSlot >= 0) {
    const sum = low + state.regs[segmentSlot * 2]!;
    high = (high + state.regs[segmentSlot * 2 + 1]! + (sum >= TWO_POW_32 ? 1 : 0)) >>> 0;
    low = sum >>> 0;
  }
  return linearFromHalves(state, low, high, false);
}

function advance(state: CpuState, reg: number, addressSize: number, delta: number): void {
  const low = readRegister(state, reg, addressSize);
  let high = state.high;
  const sum = low + delta;
  if (addressSize === 8) high = (high + Math.floor(sum / TWO_POW_32)) >>> 0;
  writeRegister(state, reg, addressSize, sum >>> 0, high);
}

/** Runs one string instruction (all repetitions up to the per-step cap). */
export function executeString(state: CpuState, cache: DecodedCache, slot: number): void {
  const op = cache.op[slot]!;
  const size = cache.size[slot]!;
  const prefix = cache.prefix[slot]!;
  const addressSize = (prefix & PREFIX.ADDR32) !== 0 ? 4 : 8;
  const segment = (prefix & PREFIX.FS) !== 0 ? SLOT.FS_BASE : (prefix & PREFIX.GS) !== 0 ? SLOT.GS_BASE : -1;
  const repeat = (prefix & (PREFIX.REP | PREFIX.REPNE)) !== 0;
  const delta = (state.flagBits & RFLAGS.DF) !== 0 ? -size : size;
  const compares = op === OP.CMPS || op === OP.SCAS;
  for (let iteration = 0; ; iteration++) {
    if (repeat) {
      const countLow = readRegister(state, GPR.RCX, addressSize);
      if (countLow === 0 && state.high === 0) return;
      if (iteration === MAX_ITERATIONS_PER_STEP) {
        state.nextRip = state.rip;
        return;
      }
    }
    if (!stringElement(state, op, size, addressSize, segment, delta)) return;
    if (!repeat) return;
    const countLow = readRegister(state, GPR.RCX, addressSize);
    const countHigh = state.high;
    writeRegister(
      state,
      GPR.RCX,
      addressSize,
      (countLow - 1) >>> 0,
      countLow === 0 ? (countHigh - 1) >>> 0 : countHigh,
    );
    if (compares) {
      const zf = zeroFlag(state);
      if ((prefix & PREFIX.REP) !== 0 ? zf === 0 : zf === 1) return;
    }
  }
}

function stringElement(
  state: CpuState,
  op: number,
  size: number,
  addressSize: number,
  segment: number,
  delta: number,
): boolean {
  switch (op) {
    case OP.MOVS: {
      const source = pointerLinear(state, GPR.RSI, addressSize, segment);
      if (source < 0) return false;
      const low = readSized(state, source, size);
      if (state.exceptionVector >= 0) return false;
      const high = state.high;
      const destination = pointerLinear(state, GPR.RDI, addressSize, -1);
      if (destination < 0) return false;
      writeSized(state, destination, size, low, high);
      if (state.exceptionVector >= 0) return false;
      advance(state, GPR.RSI, addressSize, delta);
      advance(state, GPR.RDI, addressSize, delta);
      return true;
    }
    case OP.STOS: {
      const destination = pointerLinear(state, GPR.RDI, addressSize, -1);
      if (destination < 0) return false;
      const low = readRegister(state, GPR.RAX, size);
      writeSized(state, destination, size, low, state.high);
      if (state.exceptionVector >= 0) return false;
      advance(state, GPR.RDI, addressSize, delta);
      return true;
    }
    case OP.LODS: {
      const source = pointerLinear(state, GPR.RSI, addressSize, segment);
      if (source < 0) return false;
      const low = readSized(state, source, size);
      if (state.exceptionVector >= 0) return false;
      writeRegister(state, GPR.RAX, size, low, state.high);
      advance(state, GPR.RSI, addressSize, delta);
      return true;
    }
    case OP.SCAS: {
      const destination = pointerLinear(state, GPR.RDI, addressSize, -1);
      if (destination < 0) return false;
      const low = readSized(state, destination, size);
      if (state.exceptionVector >= 0) return false;
      const high = state.high;
      const accLow = readRegister(state, GPR.RAX, size);
      aluOperation(state, ALU.CMP, size, accLow, state.high, low, high);
      advance(state, GPR.RDI, addressSize, delta);
      return true;
    }
    default: {
      const source = pointerLinear(state, GPR.RSI, addressSize, segment);
      if (source < 0) return false;
      const sLow = readSized(state, source, size);
      const sHigh = state.high;
      if (state.exceptionVector >= 0) return false;
      const destination = pointerLinear(state, GPR.RDI, addressSize, -1);
      if (destination < 0) return false;
      const dLow = readSized(state, destination, size);
      if (state.exceptionVector >= 0) return false;
      aluOperation(state, ALU.CMP, size, sLow, sHigh, dLow, state.high);
      advance(state, GPR.RSI, addressSize, delta);
      advance(state, GPR.RDI, addressSize, delta);
      return true;
    }
  }
}
