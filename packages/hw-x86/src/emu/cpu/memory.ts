/**
 * Virtual-memory accesses of the interpreter at CPL 3: `read*` / `write*`
 * take a linear address (canonical, reduced mod 2^48), translate through the
 * TLB, and touch RAM through typed views or the MMIO bus beyond RAM.
 *
 * Invariants:
 * - On a fault the function returns 0 / does nothing and records the
 *   exception in the state; the caller checks `exceptionVector`.
 * - A write that spans two pages translates both pages before storing any
 *   byte, so a fault on either page leaves memory untouched.
 * - Every store to RAM checks the page's decoded-code flag and invalidates
 *   cached instructions of that page (self-modifying code).
 * - 64-bit values: the low half is returned, the high half left in `state.high`.
 */
import { ACCESS as ACCESSImport, type CpuState, TLB_MASK as TLB_MASKImport } from "./cpu-state";
import { translate as translateImport } from "./mmu";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const ACCESS = ACCESSImport;
const TLB_MASK = TLB_MASKImport;
const translate = translateImport;

const LINEAR_MODULUS = 2 ** 48;

function readPhysical(state: CpuState, physical: number, size: number): number {
  if (physical < state.ramSize) {
    if (size === 4) return state.view.getUint32(physical, true);
    if (size === 1) return state.u8[physical]!;
    return state.view.getUint16(physical, true);
  }
  if (state.bus === null) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  return state.bus.readMmio(physical, size) >>> 0;
}

function writePhysical(state: CpuState, physical: number, size: number, value: number): void {
  if (physical < state.ramSize) {
    const page = physical >>> 12;
    if (state.codePages[page] !== 0) state.ram.invalidateCodePage(page);
    if (size === 4) state.view.setUint32(physical, value >>> 0, true);
    else if (size === 1) state.u8[physical] = value;
    else state.view.setUint16(physical, value & 0xffff, true);
    return;
  }
  if (state.bus !== null) state.bus.writeMmio(physical, size, value >>> 0);
}

/** Reads an unaligned value that crosses a page boundary, byte by byte (either page may fault). */
function readSplit(state: CpuState, linear: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) {
    const physical = translate(state, (linear + i) % LINEAR_MODULUS, ACCESS.READ);
    if (physical < 0) return 0;
    value += readPhysical(state, physical, 1) * 2 ** (8 * i);
  }
  return value;
}

/** Reads 1, 2 or 4 bytes at `linear` as an unsigned number. */
export function readMemory(state: CpuState, linear: number, size: number): number {
  if ((linear & 4095) > 4096 - size) return readSplit(state, linear, size);
  const physical = translate(state, linear, ACCESS.READ);
  if (physical < 0) return 0;
  return readPhysical(state, physical, size);
}

/** Reads 8 bytes at `linear`: returns the low half, leaves the high half in `state.high`. */
export function readMemory64(state: CpuState, linear: number): number {
  const offset = linear & 4095;
  if (offset <= 4088) {
    const physical = translate(state, linear, ACCESS.READ);
    if (physical < 0) return 0;
    if (physical < state.ramSize) {
      state.high = state.view.getUint32(physical + 4, true);
      return state.view.getUint32(physical, true);
    }
    const low = readPhysical(state, physical, 4);
    state.high = readPhysical(state, physical + 4, 4);
    return low;
  }
  const low = readSplit(state, linear, 4);
  if (state.exceptionVector >= 0) return 0;
  state.high = readSplit(state, (linear + 4) % LINEAR_MODULUS, 4);
  return low;
}

/** Reads `size` (1, 2, 4, 8) bytes; for 8 the high half goes to `state.high`, else `state.high` = 0. */
export function readSized(state: CpuState, linear: number, size: number): number {
  const offset = linear & 4095;
  if (offset <= 4096 - size) {
    // Fast path: TLB hit on a RAM page, access within the page.
    const vpn = (linear - offset) / 4096;
    const entry = vpn & TLB_MASK;
    if (state.tlbTag[entry] === vpn) {
      const physical = state.tlbPhysical[entry]! + offset;
      const view = state.view;
      if (size === 8) {
        state.high = view.getUint32(physical + 4, true);
        return view.getUint32(physical, true);
      }
      state.high = 0;
      if (size === 4) return view.getUint32(physical, true);
      if (size === 1) return state.u8[physical]!;
      return view.getUint16(physical, true);
    }
  }
  if (size === 8) return readMemory64(state, linear);
  state.high = 0;
  return readMemory(state, linear, size);
}

/** Checks that `size` bytes at `linear` are writable (both pages when split), recording #PF if not. */
export function probeWrite(state: CpuState, linear: number, size: number): boolean {
  const offset = linear & 4095;
  if (offset <= 4096 - size) {
    // Fast path: a writable TLB hit covers an access within one page.
    const vpn = (linear - offset) / 4096;
    const entry = vpn & TLB_MASK;
    if (state.tlbTag[entry] === vpn && (state.tlbAccess[entry]! & ACCESS.WRITE) !== 0) return true;
  }
  if (translate(state, linear, ACCESS.WRITE) < 0) return false;
  const last = (linear + size - 1) % LINEAR_MODULUS;
  if ((last & ~4095) !== (linear & ~4095) && translate(state, last, ACCESS.WRITE) < 0) return false;
  return true;
}

function writeSplit(state: CpuState, linear: number, size: number, low: number, high: number): void {
  if (!probeWrite(state, linear, size)) return;
  for (let i = 0; i < size; i++) {
    const physical = translate(state, (linear + i) % LINEAR_MODULUS, ACCESS.WRITE);
    const byte = i < 4 ? (low >>> (8 * i)) & 0xff : (high >>> (8 * (i - 4))) & 0xff;
    writePhysical(state, physical, 1, byte);
  }
}

/** Writes the low `size` (1, 2, 4) bytes of `value` at `linear`. */
export function writeMemory(state: CpuState, linear: number, size: number, value: number): void {
  if ((linear & 4095) > 4096 - size) {
    writeSplit(state, linear, size, value, 0);
    return;
  }
  const physical = translate(state, linear, ACCESS.WRITE);
  if (physical < 0) return;
  writePhysical(state, physical, size, value);
}

/** Writes a 64-bit value given as halves at `linear`. */
export function writeMemory64(state: CpuState, linear: number, low: number, high: number): void {
  if ((linear & 4095) > 4088) {
    writeSplit(state, linear, 8, low, high);
    return;
  }
  const physical = translate(state, linear, ACCESS.WRITE);
  if (physical < 0) return;
  writePhysical(state, physical, 4, low);
  writePhysical(state, physical + 4, 4, high);
}

/** Writes `size` (1, 2, 4, 8) bytes: `low` and, for 8, `high`. */
export function writeSized(state: CpuState, linear: number, size: number, low: number, high: number): void {
  const offset = linear & 4095;
  if (offset <= 4096 - size) {
    // Fast path: writable TLB hit on a RAM page without decoded code, access within the page.
    const vpn = (linear - offset) / 4096;
    const entry = vpn & TLB_MASK;
    if (state.tlbTag[entry] === vpn && (state.tlbAccess[entry]! & ACCESS.WRITE) !== 0) {
      const page = state.tlbPhysical[entry]!;
      if (state.codePages[page / 4096] === 0) {
        const physical = page + offset;
        const view = state.view;
        if (size === 8) {
          view.setUint32(physical, low, true);
          view.setUint32(physical + 4, high, true);
        } else if (size === 4) view.setUint32(physical, low, true);
        else if (size === 1) state.u8[physical] = low;
        else view.setUint16(physical, low, true);
        return;
      }
    }
  }
  if (size === 8) writeMemory64(state, linear, low, high);
  else writeMemory(state, linear, size, low);
}
