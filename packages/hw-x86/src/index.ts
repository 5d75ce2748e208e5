/**
 * `@tsos/hw-x86`: the hardware contract of tsos.
 *
 * - Hardware interfaces that drivers program against and that the emulated
 *   machine (`@tsos/hw-x86/emu`) and `@tsos/testing`'s mocks implement.
 * - x86-64 architecture definitions: registers and their bits, page-table
 *   entries, exception vectors, MSRs, CPUID, LAPIC and IOAPIC registers, with
 *   encode/decode helpers.
 *
 * @packageDocumentation
 */

// Hardware interfaces
export type { Clock, ClockCallback } from "./interfaces/clock";
export {
  CONTEXT_SLOTS,
  CONTEXT_WORDS,
  type CpuContext,
  copyCpuContext,
  createCpuContext,
  GPR,
  MXCSR_DEFAULT,
  readBig,
  readHigh,
  readLow,
  readNumber,
  readSignedNumber,
  SLOT,
  writeBig,
  writeHalves,
  writeNumber,
  writeZeroExtended32,
  XMM_WORDS,
} from "./interfaces/cpu-context";
export { CPUID_OUT, type Cpuid } from "./interfaces/cpuid";
export {
  FRAME_FREE,
  type FrameAllocator,
  type FrameFreeResult,
  NO_FRAME,
} from "./interfaces/frame-allocator";
export type { InterruptController } from "./interfaces/interrupt-controller";
export type { IrqLine } from "./interfaces/irq-line";
export type { MmioRegion } from "./interfaces/mmio-region";
export type { MsrAccess } from "./interfaces/msr-access";
export type { PhysicalMemory } from "./interfaces/physical-memory";
export type { PortIo } from "./interfaces/port-io";
export {
  NO_ERROR_CODE,
  NO_VECTOR,
  TRAP_KIND,
  type TrapFrame,
  type TrapHandler,
  type TrapKind,
} from "./interfaces/trap-frame";

// Architecture definitions
