/**
 * Register-level tests of the LAPIC driver against `MockMmio`: bring-up
 * order and values, the one-write EOI, IPI encodings, and the bounded ICR
 * wait.
 */
import {
  APIC_FIELD,
  DELIVERY_MODE,
  ESR,
  encodeLapicVersion,
  ICR_SHORTHAND,
  LAPIC,
  LAPIC_MMIO_SIZE,
  LVT_RESET_VALUE,
  SVR,
} from "@tsos/hw-x86";
import { installTsosMatchers, MockMmio } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { APIC_ERROR } from "./errors";
import { LapicDriver } from "./lapic-driver";

installTsosMatchers(expect);

function lapicMock(maxLvtEntry = 5): MockMmio {
  return new MockMmio(LAPIC_MMIO_SIZE)
    .onRead(LAPIC.VERSION, encodeLapicVersion(0x14, maxLvtEntry))
    .onRead(LAPIC.ID, 3 << 24);
}

describe("LapicDriver bring-up", () => {
  it("writes TPR, masks the LVTs, enables SVR, unmasks the error LVT and clears ESR, in that order", () => {
    const mmio = lapicMock();
    const result = new LapicDriver(mmio).bringUp({ spuriousVector: 0xff, errorVector: 0xfe });
    expect(result.ok).toBe(true);
    expect(mmio).toHaveWrittenExactly([
      { address: LAPIC.TPR, value: 0, width: 32 },
      { address: LAPIC.LVT_TIMER, value: LVT_RESET_VALUE, width: 32 },
      { address: LAPIC.LVT_THERMAL, value: LVT_RESET_VALUE, width: 32 },
      { address: LAPIC.LVT_PERF, value: LVT_RESET_VALUE, width: 32 },
      { address: LAPIC.LVT_LINT0, value: LVT_RESET_VALUE, width: 32 },
      { address: LAPIC.LVT_LINT1, value: LVT_RESET_VALUE, width: 32 },
      { address: LAPIC.LVT_ERROR, value: LVT_RESET_VALUE, width: 32 },
      { address: LAPIC.SVR, value: SVR.APIC_ENABLE | 0xff, width: 32 },
      { address: LAPIC.LVT_ERROR, value: 0xfe, width: 32 },
      { address: LAPIC.ESR, value: 0, width: 32 },
    ]);
    expect(mmio).toHaveRead(LAPIC.ESR);
    expect(mmio).toHaveNoAccessOutside(0, LAPIC_MMIO_SIZE);
    if (result.ok) {
      expect(result.value).toMatchObject({ apicId: 3, version: 0x14, lvtEntries: 6, spuriousVector: 0xff });
    }
  });

  it("touches CMCI only when the version register announces 7 LVT entries, and not perf/thermal with 4", () => {
    const withCmci = lapicMock(6);
    new LapicDriver(withCmci).bringUp();
    expect(withCmci).toHaveWritten32(LAPIC.LVT_CMCI, LVT_RESET_VALUE);
    const small = lapicMock(3);
    new LapicDriver(small).bringUp();
    const touched = small.writes().map((access) => access.address);
    expect(touched).not.toContain(LAPIC.LVT_CMCI);
    expect(touched).not.toContain(LAPIC.LVT_THERMAL);
    expect(touched).not.toContain(LAPIC.LVT_PERF);
  });

  it("reports the ESR bits latched during bring-up", () => {
    const mmio = lapicMock().onRead(LAPIC.ESR, ESR.ILLEGAL_REGISTER_ADDRESS);
    const result = new LapicDriver(mmio).bringUp();
    expect(result.ok && result.value.errorsBeforeBringUp).toBe(ESR.ILLEGAL_REGISTER_ADDRESS);
  });

  it("fails as a value when the page reads all-ones, and writes nothing", () => {
    const mmio = new MockMmio(LAPIC_MMIO_SIZE, { fallback: "all-ones" });
    const result = new LapicDriver(mmio).bringUp();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(APIC_ERROR.LAPIC_NOT_RESPONDING);
    expect(mmio.writes()).toHaveLength(0);
  });

  it("refuses a spurious vector below 16", () => {
    const result = new LapicDriver(lapicMock()).bringUp({ spuriousVector: 7 });
    expect(!result.ok && result.error.code).toBe(APIC_ERROR.INVALID_VECTOR);
  });
});

describe("fast EOI", () => {
  it("is exactly one write32(0xB0, 0) and nothing else", () => {
    const mmio = lapicMock();
    const lapic = new LapicDriver(mmio);
    lapic.endOfInterrupt();
    expect(mmio.accesses).toEqual([{ kind: "write", address: 0xb0, width: 32, value: 0, outside: false }]);
    expect(mmio).toHaveWrittenExactly([{ address: LAPIC.EOI, value: 0, width: 32 }]);
  });
});

describe("IPIs", () => {
  it("a fixed IPI waits for ICR idle, then writes the destination, then the command", () => {
    const mmio = lapicMock();
    expect(new LapicDriver(mmio).sendFixedIpi(1, 0x40)).toBe(true);
    expect(mmio.accesses.map((access) => [access.kind, access.address, access.value])).toEqual([
      ["read", LAPIC.ICR_LOW, 0],
      ["write", LAPIC.ICR_HIGH, 1 << 24],
      ["write", LAPIC.ICR_LOW, 0x4000 | 0x40], // level assert, fixed, physical, edge
    ]);
  });

  it("INIT then SIPI carry the right delivery modes and the start page", () => {
    const mmio = lapicMock();
    const lapic = new LapicDriver(mmio);
    expect(lapic.sendInit(2)).toBe(true);
    expect(lapic.sendStartup(2, 0x08)).toBe(true);
    expect(mmio).toHaveWrittenExactly([
      { address: LAPIC.ICR_HIGH, value: 2 << 24 },
      { address: LAPIC.ICR_LOW, value: (DELIVERY_MODE.INIT << 8) | APIC_FIELD.LEVEL_ASSERT },
      { address: LAPIC.ICR_HIGH, value: 2 << 24 },
      { address: LAPIC.ICR_LOW, value: (DELIVERY_MODE.STARTUP << 8) | APIC_FIELD.LEVEL_ASSERT | 0x08 },
    ]);
  });

  it("broadcast shorthands go in ICR bits 19:18 with no destination", () => {
    const mmio = lapicMock();
    const lapic = new LapicDriver(mmio);
    lapic.broadcastIpi(0xf0, ICR_SHORTHAND.ALL_EXCLUDING_SELF);
    lapic.broadcastIpi(0xf1, ICR_SHORTHAND.ALL_INCLUDING_SELF);
    lapic.broadcastIpi(0xf2, ICR_SHORTHAND.SELF);
    const commands = mmio.writes(LAPIC.ICR_LOW).map((access) => access.value);
    expect(commands).toEqual([0xc40f0, 0x840f1, 0x440f2]);
    expect(mmio.writes(LAPIC.ICR_HIGH).map((access) => access.value)).toEqual([0, 0, 0]);
  });

  it("refuses vectors below 16, bad APIC IDs and the NONE shorthand without touching the ICR", () => {
    const mmio = lapicMock();
    const lapic = new LapicDriver(mmio);
    expect(lapic.sendFixedIpi(1, 15)).toBe(false);
    expect(lapic.sendFixedIpi(256, 0x40)).toBe(false);
    expect(lapic.broadcastIpi(0x40, ICR_SHORTHAND.NONE)).toBe(false);
    expect(lapic.sendStartup(1, 256)).toBe(false);
    expect(mmio.accesses).toHaveLength(0);
  });

  it("polls a busy ICR until idle, and gives up after the bound without writing", () => {
    const pending = APIC_FIELD.DELIVERY_STATUS;
    const mmio = lapicMock().queueReads(LAPIC.ICR_LOW, [pending, pending, 0]);
    const lapic = new LapicDriver(mmio, 5);
    expect(lapic.sendFixedIpi(1, 0x40)).toBe(true);
    expect(mmio.reads(LAPIC.ICR_LOW)).toHaveLength(3);
    const stuck = lapicMock().onRead(LAPIC.ICR_LOW, pending);
    const stuckLapic = new LapicDriver(stuck, 5);
    expect(stuckLapic.sendFixedIpi(1, 0x40)).toBe(false);
    expect(stuck.reads(LAPIC.ICR_LOW)).toHaveLength(5);
    expect(stuck.writes()).toHaveLength(0);
    expect(stuckLapic.counters).toEqual({ ipisSent: 0, icrTimeouts: 1 });
  });
});

describe("task priority", () => {
  it("keeps only TPR bits 7:0", () => {
    const mmio = lapicMock();
    new LapicDriver(mmio).setTaskPriority(0x1_35);
    expect(mmio).toHaveWrittenExactly([{ address: LAPIC.TPR, value: 0x35 }]);
  });
});
