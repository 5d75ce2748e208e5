/**
 * Reading an IA-32e IDT gate (SDM vol 3 §6.14.1, figure 6-8) for delivery:
 * 16-byte gates at IDTR.base + vector·16 (a linear address translated as a
 * CPL 0 access, or physical with paging off), within IDTR.limit, present,
 * of type 0xE (interrupt) or 0xF (trap). The gate's 64-bit offset is the
 * kernel entry the CPU looks up in KernelEntries.
 */
import { CR0, IDT_GATE } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import { translateSupervisor } from "./mmu";

/** The gate is usable and its DPL is 3 (software INT n allowed). */
export const GATE_OK = 0;
/** The gate is usable but DPL < 3: INT n / INT3 from user mode raise #GP. */
export const GATE_PRIVILEGED = 1;
/** Outside the limit, unmapped, not present or of the wrong type. */
export const GATE_MISSING = 2;

/** Offset (low, high) of the last gate read. */
export const gateOffset = new Uint32Array(2);

const TWO_POW_48 = 2 ** 48;

function physicalForSystem(state: CpuState, linear: number): number {
  if ((state.cr0 & CR0.PG) === 0) return linear;
  return translateSupervisor(state, linear);
}

/** Reads the gate of `vector`; returns a GATE_* value and leaves the offset in `gateOffset`. */
export function readIdtGate(state: CpuState, idtBase: number, idtLimit: number, vector: number): number {
  if (vector * IDT_GATE.SIZE + IDT_GATE.SIZE - 1 > idtLimit) return GATE_MISSING;
  let linear = (idtBase + vector * IDT_GATE.SIZE) % TWO_POW_48;
  if (linear < 0) linear += TWO_POW_48;
  const first = physicalForSystem(state, linear);
  const second = physicalForSystem(state, (linear + 8) % TWO_POW_48);
  if (first < 0 || second < 0 || first + 8 > state.ramSize || second + 8 > state.ramSize) return GATE_MISSING;
  const view = state.view;
  const word0 = view.getUint32(first, true);
  const word1 = view.getUint32(first + 4, true);
  const attributes = (word1 >>> 8) & 0xff;
  const type = attributes & 0xf;
  if ((attributes & IDT_GATE.PRESENT) === 0) return GATE_MISSING;
  if (type !== IDT_GATE.TYPE_INTERRUPT && type !== IDT_GATE.TYPE_TRAP) return GATE_MISSING;
  gateOffset[0] = ((word0 & 0xffff) | (word1 & 0xffff0000)) >>> 0;
  gateOffset[1] = view.getUint32(second, true);
  return ((attributes >>> 5) & 3) === 3 ? GATE_OK : GATE_PRIVILEGED;
}
