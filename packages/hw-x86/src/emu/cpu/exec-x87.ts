/**
 * The x87 FPU instructions (escape opcodes D8–DF and FWAIT; SDM vol 1 ch. 8,
 * vol 2 "FADD" … "FYL2XP1"), on the software float unit: loads and stores
 * of m16/m32/m64 integers, m32/m64/m80 reals and m80 BCD, arithmetic in
 * every operand form, compares, FXAM, constants, control and environment
 * instructions, FCMOVcc, FPREM/FPREM1, FSCALE, FXTRACT, FRNDINT and the
 * transcendental instructions (x87-functions.ts).
 *
 * Faults: CR0.EM or CR0.TS → #NM. A waiting instruction (all but FNINIT,
 * FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE) first raises #MF when an
 * unmasked exception is pending. Memory is read, or probed for writing,
 * before any FPU state changes, so a #PF leaves the FPU as it was.
 */
import { FPU, resetFpu } from "../../interfaces/cpu-context";
import { add, divide, multiply, roundValue, squareRoot } from "../fpu/float-arith";
import { compare, fromInteger, integerResult, ORDER, roundToIntegral, toInteger } from "../fpu/float-convert";
import {
  FLOAT_CLASS,
  FLOAT_FLAG,
  FLOAT32,
  FLOAT64,
  FLOAT80,
  packed,
  packIndefinite,
  packSpecial,
  Unpacked,
  unpack32,
  unpack64,
} from "../fpu/float-format";
import { floatEnv, roundPack, W } from "../fpu/round-pack";
import { CR0, RFLAGS, STATUS_FLAGS, VECTOR } from "./arch-bits";
import { condition } from "./condition";
import type { CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { setStatusFlags } from "./flags";
import { probeWrite, readMemory, readMemory64, writeMemory, writeMemory64 } from "./memory";
import { operandAddress, writeRegister } from "./operands";
import { OPERAND, X87_FWAIT } from "./ops";
import { executeX87Function } from "./x87-functions";
import { loadEnvironment, loadState, storeEnvironment, storeState } from "./x87-memory";
import {
  beginX87,
  copyStack,
  exceptionPending,
  FSW,
  finishX87,
  free,
  incrementTop,
  isEmpty,
  pop,
  precisionFormat,
  pushSlot,
  readStack,
  roundingControl,
  setConditionCodes,
  stackFault,
  stackFaultedNow,
  updateErrorSummary,
  writeStack,
} from "./x87-stack";

const first = new Unpacked();
const second = new Unpacked();
const { ZERO, FINITE, INFINITY, NAN } = FLOAT_CLASS;
const ARITHMETIC = { ADD: 0, MUL: 1, COM: 2, COMP: 3, SUB: 4, SUBR: 5, DIV: 6, DIVR: 7 } as const;
/** Operand kinds of the memory arithmetic forms, by escape (D8, DA, DC, DE). */
const OPERAND_KIND = { FLOAT32: 0, INT32: 1, FLOAT64: 2, INT16: 3 } as const;

/** Executes one x87 instruction (OP.X87). */
export function executeX87(state: CpuState, cache: DecodedCache, slot: number): void {
  if ((state.cr0 & (CR0.EM | CR0.TS)) !== 0) {
    state.raise(VECTOR.NM, -1);
    return;
  }
  const fpu = state.context.fpu;
  const escapeIndex = cache.aux[slot]!;
  const memory = cache.rm[slot] === OPERAND.MEMORY;
  const sub = cache.reg[slot]! & 7;
  const index = cache.rm[slot]! & 7;
  if (!nonWaiting(escapeIndex, sub, memory, index) && exceptionPending(fpu)) {
    state.raise(VECTOR.MF, -1);
    return;
  }
  if (escapeIndex === X87_FWAIT) return;
  if (memory) {
    const linear = operandAddress(state, cache, slot);
    if (linear >= 0) memoryForm(state, fpu, escapeIndex, sub, linear);
    return;
  }
  registerForm(state, fpu, escapeIndex, sub, index);
}

function nonWaiting(escapeIndex: number, sub: number, memory: boolean, index: number): boolean {
  if (memory) return (escapeIndex === 1 || escapeIndex === 5) && sub >= 6;
  return (
    (escapeIndex === 3 && sub === 4 && (index === 2 || index === 3)) ||
    (escapeIndex === 7 && sub === 4 && index === 0)
  );
}

// ---- memory forms ----

function memoryForm(
  state: CpuState,
  fpu: Uint32Array,
  escapeIndex: number,
  sub: number,
  linear: number,
): void {
  switch (escapeIndex) {
    case 0:
      arithmeticMemory(state, fpu, sub, linear, OPERAND_KIND.FLOAT32);
      return;
    case 2:
      arithmeticMemory(state, fpu, sub, linear, OPERAND_KIND.INT32);
      return;
    case 4:
      arithmeticMemory(state, fpu, sub, linear, OPERAND_KIND.FLOAT64);
      return;
    case 6:
      arithmeticMemory(state, fpu, sub, linear, OPERAND_KIND.INT16);
      return;
    case 1:
      escapeD9Memory(state, fpu, sub, linear);
      return;
    case 3:
      escapeDBMemory(state, fpu, sub, linear);
      return;
    case 5:
      escapeDDMemory(state, fpu, sub, linear);
      return;
    default:
      escapeDFMemory(state, fpu, sub, linear);
      return;
  }
}

/** Reads a memory operand into `second`; false on #PF. */
function loadOperand(state: CpuState, linear: number, kind: number): boolean {
  switch (kind) {
    case OPERAND_KIND.FLOAT32: {
      const bits = readMemory(state, linear, 4);
      if (state.exceptionVector >= 0) return false;
      unpack32(second, bits, false);
      return true;
    }
    case OPERAND_KIND.FLOAT64: {
      const low = readMemory64(state, linear);
      if (state.exceptionVector >= 0) return false;
      unpack64(second, low, state.high, false);
      return true;
    }
    case OPERAND_KIND.INT32: {
      const value = readMemory(state, linear, 4);
      if (state.exceptionVector >= 0) return false;
      fromInteger(second, value, 0, 32, true);
      return true;
    }
    default: {
      const value = readMemory(state, linear, 2);
      if (state.exceptionVector >= 0) return false;
      fromInteger(second, value, 0, 16, true);
      return true;
    }
  }
}

function arithmeticMemory(
  state: CpuState,
  fpu: Uint32Array,
  sub: number,
  linear: number,
  kind: number,
): void {
  if (!loadOperand(state, linear, kind)) return;
  beginX87(fpu);
  if (isEmpty(fpu, 0)) {
    underflowResult(fpu, sub, 0, sub === ARITHMETIC.COMP);
    return;
  }
  readStack(fpu, 0, first);
  if (sub === ARITHMETIC.COM || sub === ARITHMETIC.COMP) {
    compareInto(fpu, true);
    if (finishX87(fpu) && sub === ARITHMETIC.COMP) pop(fpu);
    return;
  }
  arithmetic(fpu, sub);
  if (finishX87(fpu)) writeStack(fpu, 0);
}

/** `first` op `second` into `packed` at the control word's precision (sub: ARITHMETIC). */
function arithmetic(fpu: Uint32Array, sub: number): void {
  const format = precisionFormat(fpu);
  if (first.unsupported || second.unsupported) {
    floatEnv.flags |= FLOAT_FLAG.INVALID;
    packIndefinite(80);
    return;
  }
  switch (sub) {
    case ARITHMETIC.ADD:
      add(first, second, false, format);
      return;
    case ARITHMETIC.MUL:
      multiply(first, second, format);
      return;
    case ARITHMETIC.SUB:
      add(first, second, true, format);
      return;
    case ARITHMETIC.SUBR:
      add(second, first, true, format);
      return;
    case ARITHMETIC.DIV:
      divide(first, second, format);
      return;
    default:
      divide(second, first, format);
      return;
  }
}

/** Stack underflow on an arithmetic or compare: IE + SF, the masked result is the indefinite (compares: unordered). */
function underflowResult(fpu: Uint32Array, sub: number, destination: number, popAfter: boolean): void {
  stackFault(fpu, false);
  const compareOp = sub === ARITHMETIC.COM || sub === ARITHMETIC.COMP;
  if (compareOp) setConditionCodes(fpu, FSW.C3 | FSW.C2 | FSW.C0);
  if (!finishX87(fpu)) return;
  if (!compareOp) {
    packIndefinite(80);
    writeStack(fpu, destination);
  }
  if (popAfter) pop(fpu);
}

/** Sets C3 C2 C0 from comparing `first` with `second` (FCOM: `signaling`; FUCOM: quiet). */
function compareInto(fpu: Uint32Array, signaling: boolean): number {
  let order: number = ORDER.UNORDERED;
  if (first.unsupported || second.unsupported) floatEnv.flags |= FLOAT_FLAG.INVALID;
  else order = compare(first, second, signaling);
  setConditionCodes(fpu, CONDITION_BITS[order]!);
  return order;
}

const CONDITION_BITS = [FSW.C0, FSW.C3, 0, FSW.C3 | FSW.C2 | FSW.C0];

/** Pushes `packed` (FLD, FILD, constants) with the stack-overflow check (an underflow of FLD ST(i) takes precedence). */
function push(fpu: Uint32Array): void {
  if (!isEmpty(fpu, 7) && !stackFaultedNow()) {
    // The stack fault has priority over a denormal source (SDM vol 1 §8.7).
    floatEnv.flags &= ~FLOAT_FLAG.DENORMAL;
    stackFault(fpu, true);
    if (!finishX87(fpu)) return;
    packIndefinite(80);
  } else if (!finishX87(fpu)) return;
  pushSlot(fpu);
  writeStack(fpu, 0);
}

/** Packs `second` (an exactly representable value) as an 80-bit register value. */
function packLoaded(): void {
  roundValue(second, FLOAT80);
}

function escapeD9Memory(state: CpuState, fpu: Uint32Array, sub: number, linear: number): void {
  switch (sub) {
    case 0:
      if (!loadOperand(state, linear, OPERAND_KIND.FLOAT32)) return;
      beginX87(fpu);
      if (second.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
      packLoaded();
      push(fpu);
      return;
    case 2:
    case 3:
      storeReal(state, fpu, linear, 4, sub === 3);
      return;
    case 4:
      loadEnvironment(state, linear);
      return;
    case 5: {
      const value = readMemory(state, linear, 2);
      if (state.exceptionVector >= 0) return;
      fpu[FPU.FCW] = (value & 0x1f3f) | 0x40;
      updateErrorSummary(fpu);
      return;
    }
    case 6:
      storeEnvironment(state, linear);
      return;
    default:
      writeMemory(state, linear, 2, fpu[FPU.FCW]!);
  }
}

function escapeDBMemory(state: CpuState, fpu: Uint32Array, sub: number, linear: number): void {
  switch (sub) {
    case 0:
      if (!loadOperand(state, linear, OPERAND_KIND.INT32)) return;
      beginX87(fpu);
      packLoaded();
      push(fpu);
      return;
    case 1:
      storeInteger(state, fpu, linear, 32, true, true);
      return;
    case 2:
    case 3:
      storeInteger(state, fpu, linear, 32, false, sub === 3);
      return;
    case 5: {
      const low = readMemory64(state, linear);
      const high = state.high;
      const exponent = readMemory(state, (linear + 8) % 2 ** 48, 2);
      if (state.exceptionVector >= 0) return;
      beginX87(fpu);
      packed.w0 = low;
      packed.w1 = high;
      packed.se = exponent;
      push(fpu);
      return;
    }
    default:
      storeExtended(state, fpu, linear);
      return;
  }
}

function escapeDDMemory(state: CpuState, fpu: Uint32Array, sub: number, linear: number): void {
  switch (sub) {
    case 0:
      if (!loadOperand(state, linear, OPERAND_KIND.FLOAT64)) return;
      beginX87(fpu);
      if (second.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
      packLoaded();
      push(fpu);
      return;
    case 1:
      storeInteger(state, fpu, linear, 64, true, true);
      return;
    case 2:
    case 3:
      storeReal(state, fpu, linear, 8, sub === 3);
      return;
    case 4:
      loadState(state, linear);
      return;
    case 6:
      if (storeState(state, linear)) resetFpu(fpu);
      return;
    default:
      writeMemory(state, linear, 2, fpu[FPU.FSW]!);
  }
}

function escapeDFMemory(state: CpuState, fpu: Uint32Array, sub: number, linear: number): void {
  switch (sub) {
    case 0:
      if (!loadOperand(state, linear, OPERAND_KIND.INT16)) return;
      beginX87(fpu);
      packLoaded();
      push(fpu);
      return;
    case 1:
      storeInteger(state, fpu, linear, 16, true, true);
      return;
    case 2:
    case 3:
      storeInteger(state, fpu, linear, 16, false, sub === 3);
      return;
    case 4:
      loadBcd(state, fpu, linear);
      return;
    case 5: {
      const low = readMemory64(state, linear);
      if (state.exceptionVector >= 0) return;
      beginX87(fpu);
      fromInteger(second, low, state.high, 64, true);
      packLoaded();
      push(fpu);
      return;
    }
    case 6:
      storeBcd(state, fpu, linear);
      return;
    default:
      storeInteger(state, fpu, linear, 64, false, true);
      return;
  }
}

/** FST/FSTP m32/m64: rounds ST0 under FCW.RC (not PC); unmasked IE/DE/OE/UE store nothing. */
function storeReal(state: CpuState, fpu: Uint32Array, linear: number, size: number, popAfter: boolean): void {
  if (!probeWrite(state, linear, size)) return;
  beginX87(fpu);
  const format = size === 4 ? FLOAT32 : FLOAT64;
  if (isEmpty(fpu, 0)) {
    stackFault(fpu, false);
    packIndefinite(format.encoding);
  } else {
    readStack(fpu, 0, first);
    if (first.unsupported) {
      floatEnv.flags |= FLOAT_FLAG.INVALID;
      packIndefinite(format.encoding);
    } else roundValue(first, format);
  }
  const unmaskedBefore = floatEnv.flags & ~fpu[FPU.FCW]! & (FLOAT_FLAG.OVERFLOW | FLOAT_FLAG.UNDERFLOW);
  if (!finishX87(fpu) || unmaskedBefore !== 0) return;
  if (size === 4) writeMemory(state, linear, 4, packed.w0);
  else writeMemory64(state, linear, packed.w0, packed.w1);
  if (popAfter) pop(fpu);
}

/** FSTP m80: the register as it is (an empty ST0 stores the indefinite). */
function storeExtended(state: CpuState, fpu: Uint32Array, linear: number): void {
  if (!probeWrite(state, linear, 10)) return;
  beginX87(fpu);
  if (isEmpty(fpu, 0)) {
    stackFault(fpu, false);
    if (!finishX87(fpu)) return;
  } else {
    copyRegisterToPacked(fpu, 0);
    fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C1;
  }
  writeMemory64(state, linear, packed.w0, packed.w1);
  writeMemory(state, (linear + 8) % 2 ** 48, 2, packed.se);
  pop(fpu);
}

function copyRegisterToPacked(fpu: Uint32Array, index: number): void {
  const base = (((fpu[FPU.FSW]! >>> 11) + index) & 7) * 3;
  packed.w0 = fpu[base]!;
  packed.w1 = fpu[base + 1]!;
  packed.se = fpu[base + 2]!;
}

/** FIST/FISTP/FISTTP m16/m32/m64: out of range or NaN stores the integer indefinite when IE is masked. */
function storeInteger(
  state: CpuState,
  fpu: Uint32Array,
  linear: number,
  width: number,
  truncate: boolean,
  popAfter: boolean,
): void {
  const size = width / 8;
  if (!probeWrite(state, linear, size)) return;
  beginX87(fpu);
  if (isEmpty(fpu, 0)) {
    stackFault(fpu, false);
    integerResult.low = width === 64 ? 0 : width === 32 ? 0x80000000 : 0x8000;
    integerResult.high = width === 64 ? 0x80000000 : 0;
  } else {
    readStack(fpu, 0, first);
    if (first.unsupported) first.cls = NAN;
    toInteger(first, width, truncate ? 3 : roundingControl(fpu));
  }
  if (!finishX87(fpu)) return;
  if (width === 64) writeMemory64(state, linear, integerResult.low, integerResult.high);
  else writeMemory(state, linear, size, integerResult.low);
  if (popAfter) pop(fpu);
}

const TWO_32 = 4294967296;

/** FBLD m80: 18 packed BCD digits and a sign byte, loaded exactly. */
function loadBcd(state: CpuState, fpu: Uint32Array, linear: number): void {
  const bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 10; i++) {
    bytes[i] = readMemory(state, (linear + i) % 2 ** 48, 1);
    if (state.exceptionVector >= 0) return;
  }
  let high = 0;
  let low = 0;
  for (let i = 8; i >= 0; i--) {
    for (const digit of [bytes[i]! >>> 4, bytes[i]! & 15]) {
      const lowTimes = low * 10 + digit;
      low = lowTimes % TWO_32;
      high = high * 10 + (lowTimes - low) / TWO_32;
    }
  }
  beginX87(fpu);
  fromInteger(second, low, high, 64, false);
  if ((bytes[9]! & 0x80) !== 0) second.sign = 1;
  packLoaded();
  push(fpu);
}

/** FBSTP m80: ST0 rounded by FCW.RC to an integer of at most 18 digits (else IE, the BCD indefinite). */
function storeBcd(state: CpuState, fpu: Uint32Array, linear: number): void {
  if (!probeWrite(state, linear, 10)) return;
  beginX87(fpu);
  let sign = 0;
  let high = 0;
  let low = 0;
  let valid = false;
  if (isEmpty(fpu, 0)) stackFault(fpu, false);
  else {
    readStack(fpu, 0, first);
    sign = first.sign;
    if (first.unsupported) first.cls = NAN;
    toInteger(first, 64, roundingControl(fpu));
    low = integerResult.low;
    high = integerResult.high;
    if (sign !== 0 && (low !== 0 || high !== 0)) {
      low = (TWO_32 - low) % TWO_32;
      high = (~high + (low === 0 ? 1 : 0)) >>> 0;
    }
    // |value| < 10^18 = 0x0DE0B6B3_A7640000
    valid =
      (floatEnv.flags & FLOAT_FLAG.INVALID) === 0 &&
      (high < 0x0de0b6b3 || (high === 0x0de0b6b3 && low < 0xa7640000));
    if (!valid) floatEnv.flags = (floatEnv.flags | FLOAT_FLAG.INVALID) & ~FLOAT_FLAG.INEXACT;
  }
  if (!finishX87(fpu)) return;
  const bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  if (!valid) {
    bytes[7] = 0xc0;
    bytes[8] = 0xff;
    bytes[9] = 0xff;
  } else {
    for (let i = 0; i < 9; i++) {
      const lowDigit = divideBy10();
      const highDigit = divideBy10();
      bytes[i] = (highDigit << 4) | lowDigit;
    }
    bytes[9] = sign !== 0 ? 0x80 : 0;
  }
  for (let i = 0; i < 10; i++) writeMemory(state, (linear + i) % 2 ** 48, 1, bytes[i]!);
  pop(fpu);

  function divideBy10(): number {
    const highRemainder = high % 10;
    high = (high - highRemainder) / 10;
    const dividend = highRemainder * TWO_32 + low;
    const digit = dividend % 10;
    low = (dividend - digit) / 10;
    return digit;
  }
}

// ---- register forms ----

function registerForm(
  state: CpuState,
  fpu: Uint32Array,
  escapeIndex: number,
  sub: number,
  index: number,
): void {
  switch (escapeIndex) {
    case 0:
      arithmeticRegister(fpu, sub, 0, index, false);
      return;
    case 4:
      arithmeticRegister(fpu, sub >= 4 ? sub ^ 1 : sub, index, 0, false);
      return;
    case 6:
      if (sub === ARITHMETIC.COMP) {
        compareRegisters(state, fpu, 1, true, 2, false);
        return;
      }
      arithmeticRegister(fpu, sub >= 4 ? sub ^ 1 : sub, index, 0, true);
      return;
    case 1:
      escapeD9Register(fpu, sub, index);
      return;
    case 2:
      if (sub === 5) {
        compareRegisters(state, fpu, 1, false, 2, false);
        return;
      }
      conditionalMove(state, fpu, FCMOV_CONDITIONS[sub]!, index);
      return;
    case 3:
      if (sub < 4) {
        conditionalMove(state, fpu, FCMOV_CONDITIONS[sub]! ^ 1, index);
        return;
      }
      if (sub === 4) {
        if (index === 2) fpu[FPU.FSW] = fpu[FPU.FSW]! & ~(0xff | FSW.BUSY);
        else if (index === 3) resetFpu(fpu);
        return;
      }
      compareRegisters(state, fpu, index, sub === 6, 0, true);
      return;
    case 5:
      escapeDDRegister(state, fpu, sub, index);
      return;
    default:
      if (sub === 4) {
        writeRegister(state, 0, 2, fpu[FPU.FSW]!, 0);
        return;
      }
      compareRegisters(state, fpu, index, sub === 6, 1, true);
      return;
  }
}

/** FCMOVB, FCMOVE, FCMOVBE, FCMOVU condition codes (the NB… forms are these ^ 1). */
const FCMOV_CONDITIONS = [2, 4, 6, 10];

/** ST(destination) = ST(destination) op ST(other) (sub: ARITHMETIC, already in destination-relative form). */
function arithmeticRegister(
  fpu: Uint32Array,
  sub: number,
  destination: number,
  other: number,
  popAfter: boolean,
): void {
  beginX87(fpu);
  if (sub === ARITHMETIC.COM || sub === ARITHMETIC.COMP) {
    if (isEmpty(fpu, 0) || isEmpty(fpu, other === 0 ? destination : other)) {
      underflowResult(fpu, sub, 0, sub === ARITHMETIC.COMP);
      return;
    }
    readStack(fpu, 0, first);
    readStack(fpu, other === 0 ? destination : other, second);
    compareInto(fpu, true);
    if (finishX87(fpu) && sub === ARITHMETIC.COMP) pop(fpu);
    return;
  }
  if (isEmpty(fpu, destination) || isEmpty(fpu, other)) {
    underflowResult(fpu, sub, destination, popAfter);
    return;
  }
  readStack(fpu, destination, first);
  readStack(fpu, other, second);
  arithmetic(fpu, sub);
  if (!finishX87(fpu)) return;
  writeStack(fpu, destination);
  if (popAfter) pop(fpu);
}

/**
 * FCOM/FUCOM family on ST0 and ST(index): `pops` 0–2; `toFlags` (FCOMI,
 * FUCOMI[P]) sets ZF/PF/CF instead of C3/C2/C0.
 */
function compareRegisters(
  state: CpuState,
  fpu: Uint32Array,
  index: number,
  signaling: boolean,
  pops: number,
  toFlags: boolean,
): void {
  beginX87(fpu);
  let order: number = ORDER.UNORDERED;
  if (isEmpty(fpu, 0) || isEmpty(fpu, index)) {
    stackFault(fpu, false);
    if (!toFlags) setConditionCodes(fpu, FSW.C3 | FSW.C2 | FSW.C0);
  } else {
    readStack(fpu, 0, first);
    readStack(fpu, index, second);
    order = toFlags ? compareOrder(signaling) : compareInto(fpu, signaling);
  }
  // FCOMI and FUCOMI[P] leave C0–C3 alone (C1 included, whatever the SDM's table says).
  if (!finishX87(fpu, toFlags)) return;
  if (toFlags) setStatusFlags(state, STATUS_FLAGS, FLAG_BITS[order]!);
  for (let i = 0; i < pops; i++) pop(fpu);
}

const FLAG_BITS = [RFLAGS.CF, RFLAGS.ZF, 0, RFLAGS.ZF | RFLAGS.PF | RFLAGS.CF];

function compareOrder(signaling: boolean): number {
  if (first.unsupported || second.unsupported) {
    floatEnv.flags |= FLOAT_FLAG.INVALID;
    return ORDER.UNORDERED;
  }
  return compare(first, second, signaling);
}

function conditionalMove(state: CpuState, fpu: Uint32Array, cc: number, index: number): void {
  beginX87(fpu);
  if (isEmpty(fpu, 0) || isEmpty(fpu, index)) {
    // Masked underflow: ST0 becomes the indefinite whatever the condition (as Intel processors do).
    stackFault(fpu, false);
    if (finishX87(fpu)) writeStack(fpu, 0);
    return;
  }
  if (condition(state, cc)) copyStack(fpu, 0, index);
}

function escapeDDRegister(state: CpuState, fpu: Uint32Array, sub: number, index: number): void {
  switch (sub) {
    case 0:
      free(fpu, index);
      fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C1;
      return;
    case 2:
    case 3:
      beginX87(fpu);
      if (isEmpty(fpu, 0)) {
        stackFault(fpu, false);
        if (!finishX87(fpu)) return;
        writeStack(fpu, index);
      } else {
        fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C1;
        copyStack(fpu, index, 0);
      }
      if (sub === 3) pop(fpu);
      return;
    default:
      compareRegisters(state, fpu, index, false, sub === 5 ? 1 : 0, false);
      return;
  }
}

/** The 66-bit constants of FLD1…FLDZ as 96-bit windows (value = W / 2^95 × 2^exp), rounded under RC. */
const CONSTANTS: readonly (readonly number[])[] = [
  [0x80000000, 0, 0, 0],
  [0xd49a784b, 0xcd1b8afe, 0x492bf6ff, 1],
  [0xb8aa3b29, 0x5c17f0bb, 0xbe87fed0, 0],
  [0xc90fdaa2, 0x2168c234, 0xc4c6628b, 1],
  [0x9a209a84, 0xfbcff798, 0x8f8959ac, -2],
  [0xb17217f7, 0xd1cf79ab, 0xc9e3b398, -1],
];

function escapeD9Register(fpu: Uint32Array, sub: number, index: number): void {
  switch (sub) {
    case 0:
      beginX87(fpu);
      if (isEmpty(fpu, index)) stackFault(fpu, false);
      else copyRegisterToPacked(fpu, index);
      push(fpu);
      return;
    case 1:
      exchange(fpu, index);
      return;
    case 2:
      return;
    case 4:
      signOrTest(fpu, index);
      return;
    case 5: {
      beginX87(fpu);
      if (index === 6) packSpecial(0, false, 80);
      else {
        const constant = CONSTANTS[index]!;
        W.w2 = constant[0]!;
        W.w1 = constant[1]!;
        W.w0 = constant[2]!;
        roundPack(0, constant[3]!, FLOAT80);
        // Loading a constant is not an inexact operation.
        floatEnv.flags = 0;
      }
      push(fpu);
      return;
    }
    case 6:
      if (index === 6 || index === 7) {
        fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C1;
        incrementTop(fpu, index === 6 ? -1 : 1);
        return;
      }
      executeX87Function(fpu, sub, index);
      return;
    default:
      if (index === 2) {
        unary(fpu, false, (value) => squareRoot(value, precisionFormat(fpu)));
        return;
      }
      if (index === 4) {
        unary(fpu, true, (value) =>
          value.cls === FINITE
            ? roundToIntegral(value, roundingControl(fpu), FLOAT80, false)
            : roundValue(value, FLOAT80),
        );
        return;
      }
      executeX87Function(fpu, sub, index);
      return;
  }
}

/** ST0 = f(ST0) for FSQRT (which flags its own denormal operand) and FRNDINT. */
function unary(fpu: Uint32Array, noteDenormal: boolean, operation: (value: Unpacked) => void): void {
  beginX87(fpu);
  if (isEmpty(fpu, 0)) {
    stackFault(fpu, false);
  } else {
    readStack(fpu, 0, first);
    if (first.unsupported) {
      floatEnv.flags |= FLOAT_FLAG.INVALID;
      packIndefinite(80);
    } else {
      if (noteDenormal && first.denormal) floatEnv.flags |= FLOAT_FLAG.DENORMAL;
      operation(first);
    }
  }
  if (finishX87(fpu)) writeStack(fpu, 0);
}

function exchange(fpu: Uint32Array, index: number): void {
  beginX87(fpu);
  const empty0 = isEmpty(fpu, 0);
  const emptyI = isEmpty(fpu, index);
  if (empty0 || emptyI) {
    stackFault(fpu, false);
    if (!finishX87(fpu)) return;
    if (empty0) writeStack(fpu, 0);
    if (emptyI) {
      packIndefinite(80);
      writeStack(fpu, index);
    }
  } else fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C1;
  copyRegisterToPacked(fpu, 0);
  const w0 = packed.w0;
  const w1 = packed.w1;
  const se = packed.se;
  copyStack(fpu, 0, index);
  packed.w0 = w0;
  packed.w1 = w1;
  packed.se = se;
  writeStack(fpu, index);
}

/** D9 E0 FCHS, E1 FABS, E4 FTST, E5 FXAM. */
function signOrTest(fpu: Uint32Array, index: number): void {
  if (index === 5) {
    examine(fpu);
    return;
  }
  beginX87(fpu);
  if (isEmpty(fpu, 0)) {
    stackFault(fpu, false);
    if (index === 4) setConditionCodes(fpu, FSW.C3 | FSW.C2 | FSW.C0);
    if (finishX87(fpu) && index !== 4) writeStack(fpu, 0);
    return;
  }
  if (index === 4) {
    readStack(fpu, 0, first);
    second.setZero(0);
    compareInto(fpu, true);
    finishX87(fpu);
    return;
  }
  copyRegisterToPacked(fpu, 0);
  packed.se = index === 0 ? packed.se ^ 0x8000 : packed.se & 0x7fff;
  fpu[FPU.FSW] = fpu[FPU.FSW]! & ~FSW.C1;
  writeStack(fpu, 0);
}

/** FXAM: C3 C2 C0 classify ST0 (empty included), C1 = its sign bit. */
function examine(fpu: Uint32Array): void {
  copyRegisterToPacked(fpu, 0);
  const sign = (packed.se >>> 15) & 1;
  let bits: number;
  if (isEmpty(fpu, 0)) bits = FSW.C3 | FSW.C0;
  else {
    readStack(fpu, 0, first);
    if (first.unsupported) bits = 0;
    else if (first.cls === NAN) bits = FSW.C0;
    else if (first.cls === INFINITY) bits = FSW.C2 | FSW.C0;
    else if (first.cls === ZERO) bits = FSW.C3;
    else bits = first.denormal ? FSW.C3 | FSW.C2 : FSW.C2;
  }
  setConditionCodes(fpu, bits | (sign !== 0 ? FSW.C1 : 0));
}
