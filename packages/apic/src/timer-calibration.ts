/**
 * LAPIC timer (and TSC) calibration against PIT channel 2.
 *
 * Method (the one Linux's `pit_calibrate_tsc` and firmware use):
 * 1. LAPIC timer: divide configuration = `divisor`, LVT timer masked
 *    one-shot, so counting raises no interrupt.
 * 2. PIT: gate channel 2 on through port 0x61 (speaker off), control word
 *    0xB0 (channel 2, low/high byte, mode 0), then the count `pitTicks`
 *    (default 11932 ≈ 10.0 ms at 1.193182 MHz). In mode 0 channel 2's OUT
 *    (port 0x61 bit 5) goes high after exactly `pitTicks` PIT clocks.
 * 3. Right after the PIT count: LAPIC initial count 0xFFFFFFFF, and the TSC
 *    is read (from a `Clock`, whose cycles are this machine's TSC, or from
 *    `rdmsr IA32_TSC` through `MsrAccess`).
 * 4. Poll port 0x61 bit 5, calling `pause()` between polls, for at most
 *    `maxPolls` polls. On hardware `pause` is a PAUSE instruction; on the
 *    emulated machine it must let virtual time pass (the kernel is
 *    TypeScript, so its own loop costs no virtual time).
 * 5. Read the LAPIC current count and the TSC again; stop the LAPIC timer
 *    and restore port 0x61.
 * timer input Hz = (0xFFFFFFFF − current) × divisor × PIT_HZ / pitTicks;
 * TSC Hz = TSC delta × PIT_HZ / pitTicks.
 *
 * Error: one poll interval at each end (the count and OUT are sampled, not
 * interrupt-driven); with 10 ms and a poll cost of microseconds that is
 * below 0.1 %. Failures are values: timeout, or a LAPIC count that ran out
 * or never moved.
 */
import {
  type Clock,
  encodeLvtTimer,
  encodeTimerDivide,
  LAPIC,
  LVT_TIMER_MODE,
  type MmioRegion,
  MSR,
  type MsrAccess,
  type PortIo,
} from "@tsos/hw-x86";
import { APIC_ERROR, type ApicResult, apicFail, apicOk } from "./errors";
import {
  BYTE_MASK,
  BYTE_SHIFT,
  PIT_CHANNEL2_MODE0,
  PIT_FREQUENCY_HZ,
  PIT_MAX_COUNT,
  PIT_PORT,
  PORT_B,
} from "./pit-registers";

/** Inputs of {@link calibrateLapicTimer}. */
export interface TimerCalibrationOptions {
  /** The LAPIC register page of the CPU being calibrated. */
  readonly lapic: MmioRegion;
  /** Port I/O reaching the PIT (0x42, 0x43) and port B (0x61). */
  readonly ports: PortIo;
  /** Called between polls: PAUSE on hardware; on the emulator, advance virtual time. */
  readonly pause: () => void;
  /** TSC source: the machine clock (preferred when given). */
  readonly clock?: Clock;
  /** TSC source: `rdmsr IA32_TSC` (used when no clock is given). */
  readonly msrs?: MsrAccess;
  /** PIT ticks to measure (1–65535; default 11932 ≈ 10 ms). */
  readonly pitTicks?: number;
  /** LAPIC timer divisor during calibration (1, 2, ..., 128; default 16). */
  readonly divisor?: number;
  /** Maximum polls of port 0x61 (default 1,000,000). */
  readonly maxPolls?: number;
}

/** What calibration measured. */
export interface TimerCalibration {
  /** LAPIC timer input frequency in Hz, before the divider. */
  readonly timerInputHz: number;
  /** TSC frequency in Hz, or `NaN` when no TSC source was given. */
  readonly tscHz: number;
  /** LAPIC timer ticks counted during the interval, at `divisor`. */
  readonly lapicTicks: number;
  /** TSC cycles during the interval (`NaN` without a TSC source). */
  readonly tscCycles: number;
  /** The divisor used while counting. */
  readonly divisor: number;
  /** The measured interval in seconds (pitTicks / PIT frequency). */
  readonly intervalSeconds: number;
  /** Polls of port 0x61 it took. */
  readonly polls: number;
}

/** Default calibration interval: 11932 PIT ticks ≈ 10.0 ms. */
export const DEFAULT_CALIBRATION_PIT_TICKS = 11932;
const DEFAULT_DIVISOR = 16;
const DEFAULT_MAX_POLLS = 1_000_000;
const FULL_COUNT = 0xffffffff;

/** Calibrates the LAPIC timer (and the TSC) against PIT channel 2; see the file header. */
export function calibrateLapicTimer(options: TimerCalibrationOptions): ApicResult<TimerCalibration> {
  const { lapic, ports } = options;
  const pitTicks = options.pitTicks ?? DEFAULT_CALIBRATION_PIT_TICKS;
  const divisor = options.divisor ?? DEFAULT_DIVISOR;
  const divideCode = encodeTimerDivide(divisor);
  if (divideCode < 0 || !(pitTicks >= 1 && pitTicks <= PIT_MAX_COUNT && Number.isInteger(pitTicks))) {
    return apicFail(
      APIC_ERROR.INVALID_TIMER_SETTING,
      `calibration needs a divisor in 1,2,..,128 and 1..65535 PIT ticks (got ${divisor}, ${pitTicks})`,
    );
  }
  const readTsc = tscReader(options);
  lapic.write32(LAPIC.TIMER_DIVIDE, divideCode);
  lapic.write32(LAPIC.LVT_TIMER, encodeLvtTimer(0, LVT_TIMER_MODE.ONE_SHOT, true));
  const portB = ports.in8(PIT_PORT.SYSTEM_CONTROL_B);
  ports.out8(PIT_PORT.SYSTEM_CONTROL_B, (portB & ~PORT_B.SPEAKER_DATA) | PORT_B.TIMER2_GATE);
  ports.out8(PIT_PORT.CONTROL, PIT_CHANNEL2_MODE0);
  ports.out8(PIT_PORT.CHANNEL2, pitTicks & BYTE_MASK);
  ports.out8(PIT_PORT.CHANNEL2, (pitTicks >>> BYTE_SHIFT) & BYTE_MASK);
  lapic.write32(LAPIC.TIMER_INITIAL_COUNT, FULL_COUNT);
  const tscStart = readTsc();
  let polls = 0;
  let expired = false;
  while (polls < (options.maxPolls ?? DEFAULT_MAX_POLLS)) {
    polls++;
    if ((ports.in8(PIT_PORT.SYSTEM_CONTROL_B) & PORT_B.TIMER2_OUT) !== 0) {
      expired = true;
      break;
    }
    options.pause();
  }
  const current = lapic.read32(LAPIC.TIMER_CURRENT_COUNT);
  const tscEnd = readTsc();
  lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 0);
  ports.out8(PIT_PORT.SYSTEM_CONTROL_B, portB & ~PORT_B.TIMER2_GATE);
  return summarize(expired, polls, current, tscEnd - tscStart, pitTicks, divisor);
}

function summarize(
  expired: boolean,
  polls: number,
  current: number,
  tscCycles: number,
  pitTicks: number,
  divisor: number,
): ApicResult<TimerCalibration> {
  if (!expired) {
    return apicFail(
      APIC_ERROR.CALIBRATION_TIMEOUT,
      `PIT channel 2 OUT (port 0x61 bit 5) stayed low for ${polls} polls: is the PIT present, and does pause() let time pass?`,
    );
  }
  const lapicTicks = FULL_COUNT - current;
  if (current === 0 || lapicTicks === 0) {
    return apicFail(
      APIC_ERROR.CALIBRATION_OUT_OF_RANGE,
      current === 0
        ? `the LAPIC timer ran out during calibration: use a larger divisor than ${divisor}`
        : "the LAPIC timer did not count during calibration",
    );
  }
  const intervalSeconds = pitTicks / PIT_FREQUENCY_HZ;
  return apicOk({
    timerInputHz: (lapicTicks * divisor) / intervalSeconds,
    tscHz: tscCycles / intervalSeconds,
    lapicTicks,
    tscCycles,
    divisor,
    intervalSeconds,
    polls,
  });
}

function tscReader(options: TimerCalibrationOptions): () => number {
  const { clock, msrs } = options;
  if (clock) return () => clock.now();
  if (msrs) {
    return () => {
      const value = msrs.read(MSR.TSC);
      return value === undefined ? Number.NaN : Number(value);
    };
  }
  return () => Number.NaN;
}

/**
 * The LAPIC initial count for `nanoseconds` at `divisor` under `calibration`
 * (rounded, at least 1), or -1 if it does not fit the 32-bit count register.
 */
export function timerCountFor(calibration: TimerCalibration, nanoseconds: number, divisor: number): number {
  const count = Math.max(1, Math.round((nanoseconds * calibration.timerInputHz) / divisor / 1e9));
  return count <= FULL_COUNT ? count : -1;
}
