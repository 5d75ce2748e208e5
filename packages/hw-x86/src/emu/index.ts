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
export {
  type BlockSource,
  blockSource,
  compileBlock,
  MAX_BLOCK_INSTRUCTIONS,
  sharedBlockCount,
} from "./cpu/block-compiler";
export {
  BLOCK_PROBE_THRESHOLD,
  BLOCK_REJECTED,
  type BlockFunction,
  BlockTable,
  DEFAULT_BLOCK_THRESHOLD,
} from "./cpu/block-table";
export {
  Cpu,
  type CpuCounters,
  type CpuOptions,
  STOP_REASON,
  type StopReason,
} from "./cpu/cpu";
export { type CpuFeatureOptions, CpuFeatures } from "./cpu/cpu-features";
export { CpuMsrs } from "./cpu/cpu-msrs";
export type { CpuState, MmioBus, TlbContext } from "./cpu/cpu-state";
export {
  DEFAULT_CODE_BLOCKS,
  DecodedCache,
  type DecodedCacheOptions,
  type FetchWindow,
  NO_FETCH_WINDOW,
} from "./cpu/decoded-cache";
export { KernelEntries } from "./cpu/kernel-entries";
export type { CpuInterruptSource } from "./cpu-interrupt-source";
export { ApicBus, type ApicBusTarget, type EoiListener } from "./devices/apic-bus";
export { IOAPIC_PIN_COUNT } from "./devices/apic-registers";
export { I8042, I8042_PORT, type I8042Options } from "./devices/i8042";
export { Ioapic, type IoapicStats } from "./devices/ioapic";
export { Lapic } from "./devices/lapic";
export type { LapicTimer } from "./devices/lapic-timer";
export type { LapicOptions, LapicStats } from "./devices/lapic-types";
export {
  type LapicVectorTable,
  LVT_INDEX,
  type LvtOwner,
  type LvtTimerControl,
} from "./devices/lapic-vector-table";
export { PIT_PORT, Pit, SYSTEM_CONTROL_B } from "./devices/pit";
export { PIT_FREQUENCY_HZ, PIT_MODE, type PitChannel } from "./devices/pit-channel";
export { type KeyboardStats, type Ps2Device, Ps2Keyboard } from "./devices/ps2-keyboard";
export type { DeviceAccessCounters } from "./devices/register-table";
export { RTC_DEFAULT_EPOCH_SECONDS, RTC_PORT, RTC_REGISTER, Rtc } from "./devices/rtc";
export { EXTENDED, scancodeOf } from "./devices/scancode-set1";
export { COM1, UART_REGISTER, Uart16550, type UartOptions } from "./devices/uart16550";
export {
  Machine,
  type MachineOptions,
  type MachineStats,
  type MachineStop,
  type MachineStopReason,
} from "./machine";
export { type CodeWriteListener, PhysicalRam } from "./physical-ram";
export { TIMELINE_SLOT_LIMIT, Timeline } from "./timeline";
