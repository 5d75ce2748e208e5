/**
 * LAPIC timer programming against mocks: the register sequence of each
 * mode, TSC-deadline arming through `writeHalves`, latency announcements,
 * and PIT-based calibration with a scripted PIT.
 */
import { encodeLapicVersion, LAPIC, LAPIC_MMIO_SIZE, MSR, TIMER_DIVIDE } from "@tsos/hw-x86";
import { installTsosMatchers, MockClock, MockMmio, MockMsrs, MockPortIo } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { APIC_ERROR } from "./errors";
import { InterruptStatistics, STAT } from "./interrupt-statistics";
import { LapicTimerDriver } from "./lapic-timer-driver";
import { PIT_FREQUENCY_HZ } from "./pit-registers";
import { calibrateLapicTimer, type TimerCalibration, timerCountFor } from "./timer-calibration";

installTsosMatchers(expect);

const lapicMock = () => new MockMmio(LAPIC_MMIO_SIZE).onRead(LAPIC.VERSION, encodeLapicVersion(0x14, 5));

describe("LapicTimerDriver", () => {
  it("periodic: divide, then LVT (mode 01, unmasked), then the initial count", () => {
    const mmio = lapicMock();
    const timer = new LapicTimerDriver(mmio);
    expect(timer.startPeriodic(0x30, 100_000, 16).ok).toBe(true);
    expect(mmio).toHaveWrittenExactly([
      { address: LAPIC.TIMER_DIVIDE, value: TIMER_DIVIDE.BY_16 },
      { address: LAPIC.LVT_TIMER, value: 0x20000 | 0x30 },
      { address: LAPIC.TIMER_INITIAL_COUNT, value: 100_000 },
    ]);
  });

  it("one-shot: configure once, then each arm is one initial-count write", () => {
    const mmio = lapicMock();
    const timer = new LapicTimerDriver(mmio);
    expect(timer.armOneShot(5)).toBe(false);
    timer.configureOneShot(0x31, 1);
    mmio.clearAccesses();
    expect(timer.armOneShot(5000)).toBe(true);
    expect(mmio).toHaveWrittenExactly([{ address: LAPIC.TIMER_INITIAL_COUNT, value: 5000 }]);
  });

  it("refuses bad divisors, counts and vectors as values", () => {
    const timer = new LapicTimerDriver(lapicMock());
    const divisor = timer.startPeriodic(0x30, 10, 3);
    expect(!divisor.ok && divisor.error.code).toBe(APIC_ERROR.INVALID_TIMER_SETTING);
    expect(!timer.startPeriodic(0x30, 0, 2).ok).toBe(true);
    const vector = timer.configureOneShot(8, 2);
    expect(!vector.ok && vector.error.code).toBe(APIC_ERROR.INVALID_VECTOR);
  });

  it("TSC-deadline: LVT mode 10, then each tick is one IA32_TSC_DEADLINE write of two halves", () => {
    const mmio = lapicMock();
    const msrs = new MockMsrs();
    const statistics = new InterruptStatistics(1);
    const timer = new LapicTimerDriver(mmio, { msrs, cpu: 0, recorder: statistics });
    expect(timer.enableTscDeadline(0x32).ok).toBe(true);
    expect(mmio).toHaveWrittenExactly([{ address: LAPIC.LVT_TIMER, value: 0x40000 | 0x32 }]);
    expect(timer.armDeadlineAt(0x1_0000_0010)).toBe(true);
    expect(msrs.writes.at(-1)).toEqual({ index: MSR.TSC_DEADLINE, value: 0x1_0000_0010n, accepted: true });
    statistics.recordDelivery(0, 0x32, 0x1_0000_0010 + 25);
    expect(statistics.summary(0, STAT.LATENCY_SUM)).toBe(25);
  });

  it("TSC-deadline without MsrAccess is an error value", () => {
    const result = new LapicTimerDriver(lapicMock()).enableTscDeadline(0x32);
    expect(!result.ok && result.error.code).toBe(APIC_ERROR.MSR_REFUSED);
  });

  it("stop masks the LVT, zeroes the count and disarms the deadline", () => {
    const mmio = lapicMock();
    const msrs = new MockMsrs();
    const timer = new LapicTimerDriver(mmio, { msrs });
    timer.enableTscDeadline(0x32);
    timer.armDeadlineAt(1000);
    timer.stop();
    expect(msrs.writes.at(-1)).toMatchObject({ index: MSR.TSC_DEADLINE, value: 0n });
    expect(mmio).toHaveWritten32(LAPIC.LVT_TIMER, 0x10000 | 0x32);
    expect(mmio).toHaveWritten32(LAPIC.TIMER_INITIAL_COUNT, 0);
    expect(timer.activeMode).toBe(-1);
  });

  it("one-shot arms announce an estimated assertion time from calibration", () => {
    const clock = new MockClock({ frequencyHz: 1e9, start: 500 });
    const statistics = new InterruptStatistics(1);
    const calibration: TimerCalibration = {
      timerInputHz: 1e8,
      tscHz: 1e9,
      lapicTicks: 0,
      tscCycles: 0,
      divisor: 1,
      intervalSeconds: 0.01,
      polls: 1,
    };
    const timer = new LapicTimerDriver(lapicMock(), { cpu: 0, recorder: statistics, clock, calibration });
    timer.configureOneShot(0x31, 2);
    timer.armOneShot(100); // 100 ticks × 2 × 10 cycles
    statistics.recordDelivery(0, 0x31, 500 + 2000 + 7);
    expect(statistics.summary(0, STAT.LATENCY_MAX)).toBe(7);
  });
});

describe("calibrateLapicTimer", () => {
  /** A PIT whose channel 2 OUT goes high after `pollsUntilOut` polls of port 0x61, while a LAPIC counts down. */
  function scripted(pollsUntilOut: number, ticksPerPoll: number) {
    const ports = new MockPortIo({ fallback: "memory" });
    const lapic = lapicMock();
    const clock = new MockClock({ frequencyHz: 2e9 });
    let polls = 0;
    let outHigh = false;
    ports.onRead(0x61, () => (outHigh ? 0x20 : 0) | 0x01);
    lapic.onRead(LAPIC.TIMER_CURRENT_COUNT, () => 0xffffffff - polls * ticksPerPoll);
    const pause = () => {
      polls++;
      clock.advance(1000);
      if (polls >= pollsUntilOut) outHigh = true;
    };
    return { ports, lapic, clock, pause };
  }

  it("programs channel 2 mode 0 with the count, gates it through port 0x61, and computes rates", () => {
    const { ports, lapic, clock, pause } = scripted(100, 500);
    const result = calibrateLapicTimer({ lapic, ports, clock, pause, pitTicks: 11932, divisor: 16 });
    expect(ports).toHaveWritten8(0x43, 0xb0);
    expect(ports.writes(0x42).map((access) => access.value)).toEqual([11932 & 0xff, 11932 >> 8]);
    expect(ports.writes(0x61)[0]!.value & 0x03).toBe(0x01);
    expect(ports.writes(0x61).at(-1)!.value & 0x01).toBe(0);
    expect(lapic).toHaveWritten32(LAPIC.TIMER_INITIAL_COUNT, 0xffffffff);
    expect(lapic).toHaveWritten32(LAPIC.TIMER_DIVIDE, TIMER_DIVIDE.BY_16);
    expect(lapic.writes(LAPIC.TIMER_INITIAL_COUNT).at(-1)!.value).toBe(0);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const seconds = 11932 / PIT_FREQUENCY_HZ;
    expect(result.value.lapicTicks).toBe(100 * 500);
    expect(result.value.timerInputHz).toBeCloseTo((100 * 500 * 16) / seconds, 3);
    expect(result.value.tscHz).toBeCloseTo((100 * 1000) / seconds, 3);
    expect(timerCountFor(result.value, 1e6, 16)).toBe(Math.round((1e-3 * result.value.timerInputHz) / 16));
  });

  it("reads the TSC through rdmsr IA32_TSC when no clock is given", () => {
    const { ports, lapic, clock, pause } = scripted(10, 100);
    const msrs = {
      read: (index: number) => (index === MSR.TSC ? BigInt(clock.now()) : undefined),
      write: () => false,
      writeHalves: () => false,
    };
    const result = calibrateLapicTimer({ lapic, ports, msrs, pause });
    expect(result.ok && result.value.tscCycles).toBe(10 * 1000);
  });

  it("times out as a value when OUT never rises", () => {
    const { ports, lapic, pause } = scripted(Number.POSITIVE_INFINITY, 1);
    const result = calibrateLapicTimer({ lapic, ports, pause, maxPolls: 50 });
    expect(!result.ok && result.error.code).toBe(APIC_ERROR.CALIBRATION_TIMEOUT);
    expect(ports.writes(0x61).at(-1)!.value & 0x01).toBe(0);
  });

  it("reports a LAPIC count that ran out", () => {
    const { ports, lapic, pause } = scripted(3, 1);
    lapic.onRead(LAPIC.TIMER_CURRENT_COUNT, 0);
    const result = calibrateLapicTimer({ lapic, ports, pause });
    expect(!result.ok && result.error.code).toBe(APIC_ERROR.CALIBRATION_OUT_OF_RANGE);
  });
});
