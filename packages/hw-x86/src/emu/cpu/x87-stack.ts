/**
 * The x87 register stack and status word over `context.fpu` (layout: FPU in
 * interfaces/cpu-context.ts; SDM vol 1 §8.1). ST(i) is physical register
 * (TOP + i) mod 8; a push decrements TOP. The tag word records only which
 * registers are empty; real tags are derived when written out.
 *
 * Exceptions (SDM vol 1 §8.5): an operation's flags are ORed into FSW; a
 * stack fault adds SF with C1 = 1 for overflow, 0 for underflow. If any
 * raised exception is unmasked, ES and B are set — the exception is then
 * pending and the next waiting x87 instruction raises #MF — and for the
 * pre-computation ones (IE, DE, ZE) the destination and the stack stay
 * unchanged. Unmasked OE/UE store the masked result (the SDM's exponent
 * re-bias for a trap handler is not done; Linux kills with SIGFPE anyway
 * unless a handler clears the flags).
 */
import { FPU } from "../../interfaces/cpu-context";
import { nanSelection } from "../fpu/float-arith";
import {
  FLOAT_FLAG,
  FLOAT80,
  FLOAT80_DOUBLE,
  FLOAT80_SINGLE,
  type FloatFormat,
  NAN_RULE,
  packed,
  packIndefinite,
  type Unpacked,
  unpack80,
} from "../fpu/float-format";
import { beginOperation, floatEnv } from "../fpu/round-pack";

/** FSW bits (SDM vol 1 figure 8-4). */
export const FSW = {
  STACK_FAULT: 1 << 6,
  ERROR_SUMMARY: 1 << 7,
  C0: 1 << 8,
  C1: 1 << 9,
  C2: 1 << 10,
  TOP_SHIFT: 11,
  TOP_MASK: 7 << 11,
  C3: 1 << 14,
  BUSY: 1 << 15,
} as const;

/** Condition-code bits of FSW. */
export const CONDITION_CODES = FSW.C0 | FSW.C1 | FSW.C2 | FSW.C3;
const EXCEPTION_BITS = 0x3f;
const PRECOMPUTATION = FLOAT_FLAG.INVALID | FLOAT_FLAG.DENORMAL | FLOAT_FLAG.DIVIDE_BY_ZERO;
const EMPTY = 3;
/** A stack fault happened in the current operation (C1 then reports its direction). */
let stackFaulted = false;

export function top(fpu: Uint32Array): number {
  return (fpu[FPU.FSW]! >>> FSW.TOP_SHIFT) & 7;
}

function setTop(fpu: Uint32Array, value: number): void {
  fpu[FPU.FSW] = (fpu[FPU.FSW]! & ~FSW.TOP_MASK) | ((value & 7) << FSW.TOP_SHIFT);
}

/** Physical register of ST(i). */
export function physical(fpu: Uint32Array, index: number): number {
  return (top(fpu) + index) & 7;
}

export function isEmpty(fpu: Uint32Array, index: number): boolean {
  return ((fpu[FPU.FTW]! >>> (physical(fpu, index) * 2)) & 3) === EMPTY;
}

function setTag(fpu: Uint32Array, register: number, empty: boolean): void {
  const shift = register * 2;
  fpu[FPU.FTW] = empty ? fpu[FPU.FTW]! | (EMPTY << shift) : fpu[FPU.FTW]! & ~(EMPTY << shift);
}

/** Marks ST(i) empty (FFREE). */
export function free(fpu: Uint32Array, index: number): void {
  setTag(fpu, physical(fpu, index), true);
}

/** Unpacks ST(i) (which must not be empty). */
export function readStack(fpu: Uint32Array, index: number, into: Unpacked): void {
  const base = physical(fpu, index) * 3;
  unpack80(into, fpu[base + 2]!, fpu[base + 1]!, fpu[base]!);
}

/** Writes `packed` (an 80-bit result) to ST(i) and tags it non-empty. */
export function writeStack(fpu: Uint32Array, index: number): void {
  const register = physical(fpu, index);
  const base = register * 3;
  fpu[base] = packed.w0;
  fpu[base + 1] = packed.w1;
  fpu[base + 2] = packed.se & 0xffff;
  setTag(fpu, register, false);
}

/** Copies ST(from) to ST(to) (raw, tag included). */
export function copyStack(fpu: Uint32Array, to: number, from: number): void {
  const source = physical(fpu, from) * 3;
  packed.w0 = fpu[source]!;
  packed.w1 = fpu[source + 1]!;
  packed.se = fpu[source + 2]!;
  writeStack(fpu, to);
}

/** Pops: ST0 becomes empty and TOP moves up. */
export function pop(fpu: Uint32Array): void {
  setTag(fpu, physical(fpu, 0), true);
  setTop(fpu, top(fpu) + 1);
}

/** Decrements TOP (the caller writes the new ST0). */
export function pushSlot(fpu: Uint32Array): void {
  setTop(fpu, top(fpu) - 1);
}

export function incrementTop(fpu: Uint32Array, delta: number): void {
  setTop(fpu, top(fpu) + delta);
}

/** Significand precision the control word selects (FCW.PC; the reserved value 1 acts as extended). */
export function precisionFormat(fpu: Uint32Array): FloatFormat {
  const pc = (fpu[FPU.FCW]! >>> 8) & 3;
  return pc === 0 ? FLOAT80_SINGLE : pc === 2 ? FLOAT80_DOUBLE : FLOAT80;
}

/** Starts an operation under FCW.RC (x87 has no flush-to-zero). */
export function beginX87(fpu: Uint32Array): void {
  const fcw = fpu[FPU.FCW]!;
  beginOperation((fcw >>> 10) & 3, false, (fcw & FLOAT_FLAG.UNDERFLOW) === 0);
  nanSelection.rule = NAN_RULE.LARGER_SIGNIFICAND;
  stackFaulted = false;
}

/** Current rounding control. */
export function roundingControl(fpu: Uint32Array): number {
  return (fpu[FPU.FCW]! >>> 10) & 3;
}

/** True when the current operation already had a stack fault. */
export function stackFaultedNow(): boolean {
  return stackFaulted;
}

/** Records a stack fault (IE + SF; C1 = 1 for overflow) in the operation's flags. */
export function stackFault(fpu: Uint32Array, overflow: boolean): void {
  floatEnv.flags |= FLOAT_FLAG.INVALID;
  stackFaulted = true;
  fpu[FPU.FSW] = (fpu[FPU.FSW]! | FSW.STACK_FAULT) & ~FSW.C1;
  if (overflow) fpu[FPU.FSW] = fpu[FPU.FSW]! | FSW.C1;
  packIndefinite(80);
}

/**
 * Ends an operation: ORs its flags into FSW, sets C1 from the rounding
 * unless a stack fault decided it or `keepC1` (FCOMI, FCMOV leave C1 as it
 * was, as Intel processors do), flags a pending exception when one is
 * unmasked; returns false when the destination must stay unchanged.
 */
export function finishX87(fpu: Uint32Array, keepC1 = false): boolean {
  const flags = floatEnv.flags;
  let fsw = fpu[FPU.FSW]!;
  if (!stackFaulted && !keepC1) {
    fsw &= ~FSW.C1;
    if ((flags & FLOAT_FLAG.INEXACT) !== 0 && floatEnv.roundedUp) fsw |= FSW.C1;
  }
  fsw |= flags & EXCEPTION_BITS;
  const unmasked = flags & ~fpu[FPU.FCW]! & EXCEPTION_BITS;
  if (unmasked !== 0) fsw |= FSW.ERROR_SUMMARY | FSW.BUSY;
  fpu[FPU.FSW] = fsw >>> 0;
  return (unmasked & PRECOMPUTATION) === 0;
}

/** True when an unmasked exception is pending (FSW.ES). */
export function exceptionPending(fpu: Uint32Array): boolean {
  return (fpu[FPU.FSW]! & FSW.ERROR_SUMMARY) !== 0;
}

/** Recomputes ES and B after FCW or FSW were loaded. */
export function updateErrorSummary(fpu: Uint32Array): void {
  const pending = (fpu[FPU.FSW]! & ~fpu[FPU.FCW]! & EXCEPTION_BITS) !== 0;
  fpu[FPU.FSW] = pending
    ? fpu[FPU.FSW]! | FSW.ERROR_SUMMARY | FSW.BUSY
    : fpu[FPU.FSW]! & ~(FSW.ERROR_SUMMARY | FSW.BUSY);
}

/** Sets C3, C2, C0 (and clears C1) to `bits`. */
export function setConditionCodes(fpu: Uint32Array, bits: number): void {
  fpu[FPU.FSW] = (fpu[FPU.FSW]! & ~CONDITION_CODES) | bits;
}
