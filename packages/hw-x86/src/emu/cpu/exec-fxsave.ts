/**
 * FXSAVE / FXRSTOR m512byte (NP 0F AE /0, /1; REX.W: FXSAVE64 / FXRSTOR64),
 * SDM vol 2 "FXSAVE" tables 3-43/3-44 and "FXRSTOR".
 *
 * The legacy region (bytes 0–415 of the 512):
 * - 0 FCW, 2 FSW, 4 abridged FTW, 6 FOP, 8 FIP, 16 FDP: the x87 state
 *   (emu/fpu/fpu-image.ts). FIP/FDP are not tracked (always 0), so the
 *   64-bit (REX.W) and 32-bit layouts of them are the same bytes and the
 *   two forms differ in nothing observable here.
 * - 24 MXCSR, 28 MXCSR_MASK (FFFFH: every bit LDMXCSR accepts, DAZ
 *   included), 32–159 ST0–ST7 in stack order, 160–415 XMM0–XMM15.
 * - 416–511 are reserved / available to software: never written or read.
 *
 * Faults, in order: CR0.EM = 1 → #UD; CR0.TS = 1 → #NM; a misaligned
 * operand (not 16-byte aligned) → #GP(0); #PF on either page (checked
 * before anything is written or loaded); FXRSTOR of an MXCSR with bits
 * outside MXCSR_MASK → #GP(0). LOCK and 66/F2/F3 are #UD (decoder).
 * CR4.OSFXSR = 0 does not fault: the SDM lets FXSAVE skip XMM/MXCSR and
 * FXRSTOR not load them, which is what happens.
 */

import {
  FXSAVE_LAYOUT,
  fxsaveImageValid,
  MXCSR_MASK,
  readFxsaveImage,
  writeFxsaveImage,
} from "../fpu/fpu-image";
import { CR0, CR4, VECTOR } from "./arch-bits";
import { ACCESS, type CpuState } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import { readMemory, writeMemory } from "./memory";
import { translate } from "./mmu";
import { operandAddress } from "./operands";

export { FCW_DEFAULT } from "../../interfaces/cpu-context";
export { FXSAVE_LAYOUT, MXCSR_MASK };

/** `aux` of OP.FXSAVE_OP: ModRM.reg of 0F AE. */
export const FXSAVE_KIND = { SAVE: 0, RESTORE: 1 } as const;

const ALIGNMENT_MASK = 15;
const PAGE_MASK = 4095;
const LINEAR_MODULUS = 2 ** 48;
/** The image being saved or restored; committed only after every access succeeded. */
const image = new Uint8Array(FXSAVE_LAYOUT.SIZE);
const imageView = new DataView(image.buffer);

/** Linear address of byte `offset` of the image at `linear`. */
function at(linear: number, offset: number): number {
  return (linear + offset) % LINEAR_MODULUS;
}

/** #UD / #NM / alignment checks; returns the linear address or -1 with the exception recorded. */
function checkedAddress(state: CpuState, cache: DecodedCache, slot: number): number {
  if ((state.cr0 & CR0.EM) !== 0) {
    state.raise(VECTOR.UD, -1);
    return -1;
  }
  if ((state.cr0 & CR0.TS) !== 0) {
    state.raise(VECTOR.NM, -1);
    return -1;
  }
  const linear = operandAddress(state, cache, slot);
  if (linear < 0) return -1;
  if ((linear & ALIGNMENT_MASK) !== 0) {
    state.raise(VECTOR.GP, 0);
    return -1;
  }
  return linear;
}

/**
 * Checks that the 512 bytes at `linear` allow `access` on both pages they
 * touch; a fault on the second page reports that page's first byte in CR2.
 */
function probeImage(state: CpuState, linear: number, access: number): boolean {
  if (translate(state, linear, access) < 0) return false;
  const last = at(linear, FXSAVE_LAYOUT.SIZE - 1);
  if ((last & ~PAGE_MASK) === (linear & ~PAGE_MASK)) return true;
  return translate(state, last - (last & PAGE_MASK), access) >= 0;
}

function fxsave(state: CpuState, linear: number): void {
  if (!probeImage(state, linear, ACCESS.WRITE)) return;
  const withSse = (state.cr4 & CR4.OSFXSR) !== 0;
  writeFxsaveImage(state.context, imageView, withSse);
  // Without CR4.OSFXSR the MXCSR and XMM fields are not written.
  const end = withSse ? FXSAVE_LAYOUT.END : FXSAVE_LAYOUT.XMM0;
  for (let offset = 0; offset < end; offset += 4) {
    if (!withSse && offset >= FXSAVE_LAYOUT.MXCSR && offset < FXSAVE_LAYOUT.ST0) continue;
    writeMemory(state, at(linear, offset), 4, imageView.getUint32(offset, true));
  }
}

function fxrstor(state: CpuState, linear: number): void {
  // Both pages of the 512-byte operand must be readable before anything is loaded.
  if (!probeImage(state, linear, ACCESS.READ)) return;
  for (let offset = 0; offset < FXSAVE_LAYOUT.END; offset += 4) {
    imageView.setUint32(offset, readMemory(state, at(linear, offset), 4), true);
  }
  if (state.exceptionVector >= 0) return;
  const withSse = (state.cr4 & CR4.OSFXSR) !== 0;
  if (withSse && !fxsaveImageValid(imageView)) {
    state.raise(VECTOR.GP, 0);
    return;
  }
  readFxsaveImage(imageView, state.context, withSse);
}

/** FXSAVE / FXRSTOR (aux = FXSAVE_KIND); see the file header for the image and the faults. */
export function executeFxsave(state: CpuState, cache: DecodedCache, slot: number): void {
  const linear = checkedAddress(state, cache, slot);
  if (linear < 0) return;
  if (cache.aux[slot] === FXSAVE_KIND.SAVE) fxsave(state, linear);
  else fxrstor(state, linear);
}
