/**
 * x87 memory images (SDM vol 1 §8.1.10, figures 8-9 and 8-10): the 28-byte
 * protected-mode environment of FNSTENV/FLDENV (the format 64-bit mode
 * uses) and the 108-byte FNSAVE/FRSTOR image (environment, then ST0–ST7,
 * 10 bytes each). Images are assembled in a scratch buffer, and memory is
 * probed or read completely before any state changes.
 */
import { FPU } from "../../interfaces/cpu-context";
import { fullTagWord, storedTagWord } from "../fpu/fpu-image";
import type { CpuState } from "./cpu-state";
import { probeWrite, readMemory, writeMemory } from "./memory";
import { updateErrorSummary } from "./x87-stack";

/** Bytes of the environment and of the whole FNSAVE image. */
export const ENVIRONMENT_BYTES = 28;
export const SAVE_BYTES = 108;
const LINEAR_MODULUS = 2 ** 48;
/** Reserved upper halves of the 32-bit environment fields read back as ones on Intel processors. */
const RESERVED_HIGH = 0xffff0000;

const image = new Uint8Array(SAVE_BYTES);
const view = new DataView(image.buffer);

/** Writes `size` bytes of the scratch image to `linear` (after probing them all); false on #PF. */
function storeImage(state: CpuState, linear: number, size: number): boolean {
  if (!probeWrite(state, linear, size)) return false;
  for (let offset = 0; offset < size; offset += 4) {
    writeMemory(state, (linear + offset) % LINEAR_MODULUS, 4, view.getUint32(offset, true));
  }
  return state.exceptionVector < 0;
}

/** Reads `size` bytes at `linear` into the scratch image; false on #PF. */
function loadImage(state: CpuState, linear: number, size: number): boolean {
  for (let offset = 0; offset < size; offset += 4) {
    view.setUint32(offset, readMemory(state, (linear + offset) % LINEAR_MODULUS, 4), true);
    if (state.exceptionVector >= 0) return false;
  }
  return true;
}

function fillEnvironment(fpu: Uint32Array): void {
  view.setUint32(0, (RESERVED_HIGH | fpu[FPU.FCW]!) >>> 0, true);
  view.setUint32(4, (RESERVED_HIGH | fpu[FPU.FSW]!) >>> 0, true);
  view.setUint32(8, (RESERVED_HIGH | fullTagWord(fpu)) >>> 0, true);
  view.setUint32(12, fpu[FPU.FIP]!, true);
  view.setUint32(16, ((fpu[FPU.FOP]! & 0x7ff) << 16) >>> 0, true);
  view.setUint32(20, fpu[FPU.FDP]!, true);
  view.setUint32(24, RESERVED_HIGH, true);
}

function applyEnvironment(fpu: Uint32Array): void {
  fpu[FPU.FCW] = (view.getUint16(0, true) & 0x1f3f) | 0x40;
  fpu[FPU.FSW] = view.getUint16(4, true);
  fpu[FPU.FTW] = storedTagWord(view.getUint16(8, true), false);
  fpu[FPU.FIP] = view.getUint32(12, true);
  fpu[FPU.FOP] = (view.getUint32(16, true) >>> 16) & 0x7ff;
  fpu[FPU.FDP] = view.getUint32(20, true);
  updateErrorSummary(fpu);
}

/** FNSTENV m28: stores the environment, then masks every exception. */
export function storeEnvironment(state: CpuState, linear: number): void {
  const fpu = state.context.fpu;
  fillEnvironment(fpu);
  if (!storeImage(state, linear, ENVIRONMENT_BYTES)) return;
  fpu[FPU.FCW] = fpu[FPU.FCW]! | 0x3f;
}

/** FLDENV m28. */
export function loadEnvironment(state: CpuState, linear: number): void {
  if (!loadImage(state, linear, ENVIRONMENT_BYTES)) return;
  applyEnvironment(state.context.fpu);
}

/** FNSAVE m108: stores environment and registers; the caller then does FNINIT. False on #PF. */
export function storeState(state: CpuState, linear: number): boolean {
  const fpu = state.context.fpu;
  fillEnvironment(fpu);
  const top = (fpu[FPU.FSW]! >>> 11) & 7;
  for (let index = 0; index < 8; index++) {
    const base = ((top + index) & 7) * 3;
    const offset = ENVIRONMENT_BYTES + index * 10;
    view.setUint32(offset, fpu[base]!, true);
    view.setUint32(offset + 4, fpu[base + 1]!, true);
    view.setUint16(offset + 8, fpu[base + 2]!, true);
  }
  return storeImage(state, linear, SAVE_BYTES);
}

/** FRSTOR m108. */
export function loadState(state: CpuState, linear: number): void {
  if (!loadImage(state, linear, SAVE_BYTES)) return;
  const fpu = state.context.fpu;
  applyEnvironment(fpu);
  const top = (fpu[FPU.FSW]! >>> 11) & 7;
  for (let index = 0; index < 8; index++) {
    const base = ((top + index) & 7) * 3;
    const offset = ENVIRONMENT_BYTES + index * 10;
    fpu[base] = view.getUint32(offset, true);
    fpu[base + 1] = view.getUint32(offset + 4, true);
    fpu[base + 2] = view.getUint16(offset + 8, true);
  }
}
