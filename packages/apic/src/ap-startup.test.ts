/**
 * INIT-SIPI-SIPI against a mock LAPIC and a mock clock: the IPIs, their
 * order and their virtual-time spacing (10 ms, 200 µs, 200 µs).
 */
import { DELIVERY_MODE, encodeLapicVersion, LAPIC, LAPIC_MMIO_SIZE } from "@tsos/hw-x86";
import { MockClock, MockMmio } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { type ApStartupReport, startApplicationProcessor, startupVector } from "./ap-startup";
import { APIC_ERROR, type ApicResult } from "./errors";
import { LapicDriver } from "./lapic-driver";

const HZ = 1_000_000_000;

function setup() {
  const mmio = new MockMmio(LAPIC_MMIO_SIZE).onRead(LAPIC.VERSION, encodeLapicVersion(0x14, 5));
  const clock = new MockClock({ frequencyHz: HZ, start: 1000 });
  const icrLog: { at: number; low: number; high: number }[] = [];
  let high = 0;
  mmio.onWrite(LAPIC.ICR_HIGH, (value) => {
    high = value;
  });
  mmio.onWrite(LAPIC.ICR_LOW, (value) => {
    icrLog.push({ at: clock.now(), low: value, high });
  });
  mmio.onRead(LAPIC.ICR_LOW, 0);
  const results: ApicResult<ApStartupReport>[] = [];
  return { lapic: new LapicDriver(mmio), clock, icrLog, results };
}

describe("startApplicationProcessor", () => {
  it("sends INIT, then SIPI after 10 ms, then a second SIPI 200 µs later, and finishes 200 µs after that", () => {
    const { lapic, clock, icrLog, results } = setup();
    const started = startApplicationProcessor({
      lapic,
      clock,
      apicId: 1,
      startAddress: 0x8000,
      onDone: (result) => results.push(result),
    });
    expect(started).toBe(true);
    clock.runUntilIdle();
    const modes = icrLog.map((entry) => (entry.low >>> 8) & 7);
    expect(modes).toEqual([DELIVERY_MODE.INIT, DELIVERY_MODE.STARTUP, DELIVERY_MODE.STARTUP]);
    expect(icrLog.map((entry) => entry.at)).toEqual([1000, 1000 + 10_000_000, 1000 + 10_200_000]);
    expect(icrLog.every((entry) => entry.high === 1 << 24)).toBe(true);
    expect(icrLog[1]!.low & 0xff).toBe(0x08);
    expect(results).toHaveLength(1);
    expect(results[0]!.ok && results[0]!.value).toMatchObject({
      startPage: 8,
      startupAt: [1000 + 10_000_000, 1000 + 10_200_000],
      finishedAt: 1000 + 10_400_000,
      started: undefined,
    });
  });

  it("skips the second SIPI when the AP already reported in", () => {
    const { lapic, clock, icrLog, results } = setup();
    startApplicationProcessor({
      lapic,
      clock,
      apicId: 2,
      startAddress: 0x9000,
      hasStarted: () => icrLog.length >= 2,
      onDone: (result) => results.push(result),
    });
    clock.runUntilIdle();
    expect(icrLog).toHaveLength(2);
    expect(results[0]!.ok && results[0]!.value.started).toBe(true);
  });

  it("refuses unaligned, high and reserved start addresses as values, sending nothing", () => {
    expect(startupVector(0x8000)).toBe(8);
    expect(startupVector(0x8001)).toBe(-1);
    expect(startupVector(0x100000)).toBe(-1);
    expect(startupVector(0xa0000)).toBe(-1);
    const { lapic, clock, icrLog, results } = setup();
    startApplicationProcessor({
      lapic,
      clock,
      apicId: 1,
      startAddress: 0xb8000,
      onDone: (r) => results.push(r),
    });
    expect(icrLog).toHaveLength(0);
    expect(!results[0]!.ok && results[0]!.error.code).toBe(APIC_ERROR.INVALID_START_ADDRESS);
  });
});
