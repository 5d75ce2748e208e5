/**
 * `@tsos/apic`: the local APIC / IOAPIC driver of tsos — availability
 * checks, LAPIC bring-up, the one-write EOI, timer calibration against the
 * PIT, periodic / one-shot / TSC-deadline ticks, IPIs and INIT-SIPI-SIPI,
 * IOAPIC routing with ISA overrides, interrupt dispatch with per-CPU
 * statistics, and hw-x86's `InterruptController` over all of it.
 *
 * Imports only `@tsos/hw-x86` interfaces and architecture definitions, so it
 * runs against `@tsos/testing` mocks and the emulated machine alike.
 *
 * @packageDocumentation
 */

export {
  type ApStartupOptions,
  type ApStartupReport,
  INIT_DELAY_SECONDS,
  STARTUP_DELAY_SECONDS,
  startApplicationProcessor,
  startupVector,
} from "./ap-startup";
export {
  type ApicFeatures,
  checkApicSupport,
  requireTscDeadline,
  requireX2apic,
} from "./apic-features";
export {
  ApicInterruptController,
  type ApicInterruptControllerOptions,
} from "./apic-interrupt-controller";
export {
  APIC_ERROR,
  type ApicError,
  type ApicErrorCode,
  type ApicResult,
  apicFail,
  apicOk,
} from "./errors";
export {
  type CycleSource,
  type EndOfInterrupt,
  InterruptDispatcher,
  type InterruptDispatcherOptions,
} from "./interrupt-dispatcher";
export { formatInterruptReport, type InterruptReportOptions } from "./interrupt-report";
export {
  type AssertionRecorder,
  InterruptStatistics,
  LATENCY_BUCKETS,
  LATENCY_HISTOGRAM_BASE,
  STAT,
  STATISTICS_BLOCK_BYTES,
  STATISTICS_BLOCK_WORDS,
} from "./interrupt-statistics";
export { IoapicDriver, type IoapicInfo } from "./ioapic-driver";
export { type GsiRouteOptions, type IrqRoute, IrqRouter } from "./irq-router";
export {
  ISA_IRQ_COUNT,
  type IsaLine,
  type IsaOverride,
  type IsaPolarity,
  type IsaTrigger,
  isaOverrideFromMadt,
  MADT_INTI,
  PC_TIMER_OVERRIDE,
  resolveIsaIrq,
} from "./isa-overrides";
export {
  DEFAULT_ERROR_VECTOR,
  DEFAULT_ICR_POLL_LIMIT,
  DEFAULT_SPURIOUS_VECTOR,
  type LapicBringUpOptions,
  LapicDriver,
  type LapicDriverCounters,
  type LapicInfo,
} from "./lapic-driver";
export { LapicTimerDriver, type LapicTimerDriverOptions } from "./lapic-timer-driver";
export { PIT_CHANNEL2_MODE0, PIT_FREQUENCY_HZ, PIT_PORT, PORT_B } from "./pit-registers";
export {
  calibrateLapicTimer,
  DEFAULT_CALIBRATION_PIT_TICKS,
  type TimerCalibration,
  type TimerCalibrationOptions,
  timerCountFor,
} from "./timer-calibration";
