/**
 * IOAPIC programming at the register level (IOREGSEL / IOWIN sequences)
 * and IRQ routing with the ISA override table, against `MockMmio`.
 */
import {
  APIC_FIELD,
  encodeIoapicVersion,
  IOAPIC_MMIO,
  IOAPIC_MMIO_SIZE,
  IOAPIC_REGISTER,
} from "@tsos/hw-x86";
import { installTsosMatchers, MockMmio } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { APIC_ERROR } from "./errors";
import { IoapicDriver } from "./ioapic-driver";
import { IrqRouter } from "./irq-router";
import { isaOverrideFromMadt, PC_TIMER_OVERRIDE, resolveIsaIrq } from "./isa-overrides";

installTsosMatchers(expect);

const SEL = IOAPIC_MMIO.IOREGSEL;
const WIN = IOAPIC_MMIO.IOWIN;

/** A register-accurate enough IOAPIC window: IOREGSEL latches an index, IOWIN reads/writes that register. */
function ioapicMock(entries = 24): { mmio: MockMmio; registers: Map<number, number> } {
  const registers = new Map<number, number>([[IOAPIC_REGISTER.VERSION, encodeIoapicVersion(0x11, entries)]]);
  let selected = 0;
  const mmio = new MockMmio(IOAPIC_MMIO_SIZE)
    .onWrite(SEL, (value) => {
      selected = value & 0xff;
    })
    .onRead(SEL, () => selected)
    .onWrite(WIN, (value) => {
      registers.set(selected, value >>> 0);
    })
    .onRead(WIN, () => registers.get(selected) ?? 0);
  return { mmio, registers };
}

function readyIoapic(entries = 24) {
  const mock = ioapicMock(entries);
  const driver = new IoapicDriver(mock.mmio);
  expect(driver.init().ok).toBe(true);
  mock.mmio.clearAccesses();
  return { ...mock, driver };
}

describe("IoapicDriver", () => {
  it("init reads IOAPICVER, then masks every entry (low half first), then clears its destination", () => {
    const { mmio } = ioapicMock(2);
    const info = new IoapicDriver(mmio, 0).init();
    expect(info.ok && info.value.entryCount).toBe(2);
    expect(mmio.accesses.slice(0, 2).map((access) => [access.kind, access.address, access.value])).toEqual([
      ["write", SEL, IOAPIC_REGISTER.VERSION],
      ["read", WIN, encodeIoapicVersion(0x11, 2)],
    ]);
    expect(mmio.writes().slice(1, 9)).toEqual(
      [
        [SEL, 0x10],
        [WIN, APIC_FIELD.MASKED],
        [SEL, 0x11],
        [WIN, 0],
        [SEL, 0x12],
        [WIN, APIC_FIELD.MASKED],
        [SEL, 0x13],
        [WIN, 0],
      ].map(([address, value]) => ({ kind: "write", address, width: 32, value, outside: false })),
    );
  });

  it("fails as a value when the window reads all-ones", () => {
    const mmio = new MockMmio(IOAPIC_MMIO_SIZE, { fallback: "all-ones" });
    const info = new IoapicDriver(mmio).init();
    expect(!info.ok && info.error.code).toBe(APIC_ERROR.IOAPIC_NOT_RESPONDING);
  });

  it("mask and unmask are one IOREGSEL + one IOWIN write each, keeping the rest of the entry", () => {
    const { mmio, driver, registers } = readyIoapic();
    driver.writeFixedEntry(4, 0x24, 1);
    mmio.clearAccesses();
    expect(driver.mask(4)).toBe(true);
    expect(driver.unmask(4)).toBe(true);
    expect(mmio).toHaveWrittenExactly([
      { address: SEL, value: 0x18 },
      { address: WIN, value: 0x24 | APIC_FIELD.MASKED },
      { address: SEL, value: 0x18 },
      { address: WIN, value: 0x24 },
    ]);
    expect(mmio.reads()).toHaveLength(0);
    expect(registers.get(0x19)).toBe(1 << 24);
  });

  it("refuses pins it does not have", () => {
    const { driver, mmio } = readyIoapic(24);
    expect(driver.mask(24)).toBe(false);
    expect(driver.writeEntry(-1, 0, 0)).toBe(false);
    expect(mmio.accesses).toHaveLength(0);
  });
});

describe("ISA overrides", () => {
  it("default ISA IRQs are identity-mapped, edge, active high", () => {
    expect(resolveIsaIrq(4, [])).toEqual({ isaIrq: 4, gsi: 4, activeLow: false, levelTriggered: false });
    expect(resolveIsaIrq(16, [])).toBeUndefined();
  });

  it("decodes MADT MPS INTI flags", () => {
    expect(isaOverrideFromMadt(9, 9, 0xd)).toEqual({ isaIrq: 9, gsi: 9, polarity: "high", trigger: "level" });
    expect(isaOverrideFromMadt(9, 20, 0xf)).toMatchObject({ polarity: "low", trigger: "level" });
    expect(isaOverrideFromMadt(0, 2, 0)).toMatchObject({ polarity: "conforms", trigger: "conforms" });
    expect(resolveIsaIrq(9, [isaOverrideFromMadt(9, 20, 0xf)])).toEqual({
      isaIrq: 9,
      gsi: 20,
      activeLow: true,
      levelTriggered: true,
    });
  });
});

describe("IrqRouter", () => {
  it("routes IRQ 0 to GSI 2 under the PC override: entry 2 gets vector, destination and edge/high", () => {
    const { mmio, driver, registers } = readyIoapic();
    const router = new IrqRouter([driver], [PC_TIMER_OVERRIDE]);
    const route = router.routeIsaIrq(0, 0x30, 1);
    expect(route.ok && route.value).toMatchObject({ gsi: 2, pin: 2, vector: 0x30, destination: 1 });
    expect(mmio).toHaveWrittenExactly([
      { address: SEL, value: 0x15 },
      { address: WIN, value: 1 << 24 },
      { address: SEL, value: 0x14 },
      { address: WIN, value: 0x30 },
    ]);
    expect(registers.get(0x14)).toBe(0x30);
  });

  it("programs level-triggered active-low lines from the override table", () => {
    const { driver, registers } = readyIoapic();
    const router = new IrqRouter([driver], [isaOverrideFromMadt(9, 9, 0xf)]);
    expect(router.routeIsaIrq(9, 0x39, 0).ok).toBe(true);
    expect(registers.get(0x10 + 2 * 9)).toBe(0x39 | APIC_FIELD.TRIGGER_LEVEL | APIC_FIELD.POLARITY_LOW);
  });

  it("masks by IRQ number through the override, and GSIs ≥ 16 directly", () => {
    const { mmio, driver } = readyIoapic();
    const router = new IrqRouter([driver], [PC_TIMER_OVERRIDE]);
    expect(router.maskIrq(0)).toBe(true);
    expect(mmio.writes()[0]).toMatchObject({ address: SEL, value: 0x14 });
    expect(router.unmaskIrq(20)).toBe(true);
    expect(mmio.writes()[2]).toMatchObject({ address: SEL, value: 0x10 + 40 });
    expect(router.maskIrq(24)).toBe(false);
  });

  it("finds the IOAPIC serving a GSI by its base", () => {
    const first = readyIoapic(24);
    const second = ioapicMock(8);
    const secondDriver = new IoapicDriver(second.mmio, 24);
    secondDriver.init();
    const router = new IrqRouter([first.driver, secondDriver]);
    const route = router.routeGsi(26, 0x50, 0, { levelTriggered: true, activeLow: true });
    expect(route.ok && route.value).toMatchObject({ ioapic: 1, pin: 2 });
    expect(second.registers.get(0x14)).toBe(0x50 | APIC_FIELD.TRIGGER_LEVEL | APIC_FIELD.POLARITY_LOW);
  });

  it("refuses bad vectors, destinations and IRQs as values", () => {
    const { driver } = readyIoapic();
    const router = new IrqRouter([driver]);
    expect(!router.routeIsaIrq(1, 0x10, 0).ok && "refused").toBe("refused");
    const badCpu = router.routeIsaIrq(1, 0x21, 300);
    expect(!badCpu.ok && badCpu.error.code).toBe(APIC_ERROR.UNKNOWN_CPU);
    const badIrq = router.routeGsi(99, 0x21, 0);
    expect(!badIrq.ok && badIrq.error.code).toBe(APIC_ERROR.UNKNOWN_IRQ);
    expect(!router.routeIsaIrq(16, 0x21, 0).ok).toBe(true);
  });
});
