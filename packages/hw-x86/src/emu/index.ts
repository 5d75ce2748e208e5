/**
 * `@tsos/hw-x86/emu`: the emulated x86-64 machine — physical memory, the bus,
 * virtual time, CPUs and devices (DESIGN §2). Only applications and tests
 * construct these; subsystems program against the `@tsos/hw-x86` interfaces.
 *
 * @packageDocumentation
 */
export {
  Bus,
  type BusMapping,
  type BusStats,
  type MmioWidth,
  PHYSICAL_ADDRESS_LIMIT,
  PORT_COUNT,
} from "./bus";
export type { CpuInterruptSource } from "./cpu-interrupt-source";
export { TIMELINE_SLOT_LIMIT, Timeline } from "./timeline";
