/**
 * Stack helpers: PUSH/POP at 2 or 8 bytes through RSP (64-bit stack in
 * 64-bit mode; the stack address is always 64-bit, SDM vol 1 §6.2.5).
 * Non-canonical stack addresses raise #SS(0). RSP is committed only after
 * the memory access succeeded.
 */
import type { CpuState } from "./cpu-state";
import { readSized as readSizedImport, writeSized as writeSizedImport } from "./memory";
import { linearFromHalves as linearFromHalvesImport } from "./operands";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const readSized = readSizedImport;
const writeSized = writeSizedImport;
const linearFromHalves = linearFromHalvesImport;

const TWO_POW_32 = 4294967296;
const RSP_LOW = 4 * 2;
const RSP_HIGH = 4 * 2 + 1;

/** Adds a signed `delta` to RSP. */
export function adjustStackPointer(state: CpuState, delta: number): void {
  const regs = state.regs;
  const sum = regs[RSP_LOW]! + delta;
  regs[RSP_LOW] = sum >>> 0;
  if (sum < 0 || sum >= TWO_POW_32) regs[RSP_HIGH] = (regs[RSP_HIGH]! + Math.floor(sum / TWO_POW_32)) >>> 0;
}

/** Linear address of RSP + `offset` (#SS(0) and -1 if non-canonical). */
export function stackAddress(state: CpuState, offset: number): number {
  const regs = state.regs;
  const sum = regs[RSP_LOW]! + offset;
  const high = (regs[RSP_HIGH]! + Math.floor(sum / TWO_POW_32)) >>> 0;
  return linearFromHalves(state, sum >>> 0, high, true);
}

/** PUSH of `size` (2 or 8) bytes. Returns false on fault (nothing changed). */
export function push(state: CpuState, size: number, low: number, high: number): boolean {
  const linear = stackAddress(state, -size);
  if (linear < 0) return false;
  writeSized(state, linear, size, low, high);
  if (state.exceptionVector >= 0) return false;
  adjustStackPointer(state, -size);
  return true;
}

/** Reads the `size`-byte value at the top of the stack without popping (high half in `state.high`). Check `exceptionVector`. */
export function peek(state: CpuState, size: number, offset: number): number {
  const linear = stackAddress(state, offset);
  if (linear < 0) return 0;
  return readSized(state, linear, size);
}
