import { describe, expect, it } from "vitest";
import { DELIVERY_MODE } from "../../arch/apic-fields";
import {
  encodeRedirectionHigh,
  encodeRedirectionLow,
  IOAPIC_MMIO,
  IOAPIC_REGISTER,
  redirectionRegisterIndex,
} from "../../arch/ioapic-registers";
import { LAPIC } from "../../arch/lapic-registers";
import { Timeline } from "../timeline";
import { ApicBus } from "./apic-bus";
import { Ioapic } from "./ioapic";
import { Lapic } from "./lapic";

function machine() {
  const clock = new Timeline(1_000_000_000);
  const bus = new ApicBus();
  const lapics = [0, 1].map((apicId) => new Lapic({ apicId, clock, bus }));
  for (const lapic of lapics) lapic.write32(LAPIC.SVR, 0x1ff);
  const ioapic = new Ioapic(bus, 2);
  return { bus, lapics, ioapic };
}

function writeRegister(ioapic: Ioapic, index: number, value: number): void {
  ioapic.write32(IOAPIC_MMIO.IOREGSEL, index);
  ioapic.write32(IOAPIC_MMIO.IOWIN, value);
}

function readRegister(ioapic: Ioapic, index: number): number {
  ioapic.write32(IOAPIC_MMIO.IOREGSEL, index);
  return ioapic.read32(IOAPIC_MMIO.IOWIN);
}

function route(ioapic: Ioapic, pin: number, low: number, destination = 0): void {
  writeRegister(ioapic, redirectionRegisterIndex(pin) + 1, encodeRedirectionHigh(destination));
  writeRegister(ioapic, redirectionRegisterIndex(pin), low);
}

function irrHas(lapic: Lapic, vector: number): boolean {
  return ((lapic.read32(LAPIC.IRR_BASE + (vector >>> 5) * 0x10) >>> (vector & 31)) & 1) === 1;
}

function remoteIrr(ioapic: Ioapic, pin: number): boolean {
  return (readRegister(ioapic, redirectionRegisterIndex(pin)) & 0x4000) !== 0;
}

describe("Ioapic registers", () => {
  it("reports version 0x11 with max redirection entry 23, and its ID in bits 27:24", () => {
    const { ioapic } = machine();
    expect(readRegister(ioapic, IOAPIC_REGISTER.VERSION)).toBe(0x00170011);
    expect(readRegister(ioapic, IOAPIC_REGISTER.ID)).toBe(0x02000000);
    writeRegister(ioapic, IOAPIC_REGISTER.ID, 0xffffffff);
    expect(readRegister(ioapic, IOAPIC_REGISTER.ID)).toBe(0x0f000000);
    writeRegister(ioapic, IOAPIC_REGISTER.VERSION, 0);
    expect(readRegister(ioapic, IOAPIC_REGISTER.VERSION)).toBe(0x00170011);
    expect(ioapic.counters.readOnlyWrites).toBe(1);
    expect(ioapic.read32(IOAPIC_MMIO.IOREGSEL)).toBe(IOAPIC_REGISTER.VERSION);
  });

  it("resets every entry masked and round-trips writable bits only", () => {
    const { ioapic } = machine();
    for (let pin = 0; pin < 24; pin++)
      expect(readRegister(ioapic, redirectionRegisterIndex(pin))).toBe(0x10000);
    writeRegister(ioapic, redirectionRegisterIndex(5), 0xffffffff);
    writeRegister(ioapic, redirectionRegisterIndex(5) + 1, 0xffffffff);
    expect(readRegister(ioapic, redirectionRegisterIndex(5))).toBe(0x0001afff); // no delivery status, no remote IRR
    expect(readRegister(ioapic, redirectionRegisterIndex(5) + 1)).toBe(0xff000000);
    const low = encodeRedirectionLow({
      vector: 0x33,
      levelTriggered: true,
      activeLow: true,
      logicalDestination: true,
    });
    writeRegister(ioapic, redirectionRegisterIndex(23), low);
    expect(readRegister(ioapic, redirectionRegisterIndex(23))).toBe(low);
  });

  it("counts unknown register indices and offsets, reading all-ones", () => {
    const { ioapic } = machine();
    expect(readRegister(ioapic, 0x03)).toBe(0xffffffff);
    expect(readRegister(ioapic, 0x40)).toBe(0xffffffff);
    writeRegister(ioapic, 0x40, 1);
    expect(ioapic.read32(0x08)).toBe(0xffffffff);
    expect(ioapic.counters.unknownReads).toBe(3);
    expect(ioapic.counters.unknownWrites).toBe(1);
  });
});

describe("Ioapic delivery", () => {
  it("an edge on pin 1 reaches the destination LAPIC's IRR", () => {
    const { ioapic, lapics } = machine();
    route(ioapic, 1, encodeRedirectionLow({ vector: 0x31 }), 1);
    ioapic.inputs[1]!.pulse();
    expect(irrHas(lapics[1]!, 0x31)).toBe(true);
    expect(irrHas(lapics[0]!, 0x31)).toBe(false);
    expect(ioapic.stats.deliveries[1]).toBe(1);
  });

  it("loses edges while masked and delivers nothing on unmask", () => {
    const { ioapic, lapics } = machine();
    route(ioapic, 4, encodeRedirectionLow({ vector: 0x34, masked: true }));
    ioapic.inputs[4]!.raise();
    route(ioapic, 4, encodeRedirectionLow({ vector: 0x34 }));
    expect(irrHas(lapics[0]!, 0x34)).toBe(false);
    ioapic.inputs[4]!.lower();
    ioapic.inputs[4]!.raise();
    expect(irrHas(lapics[0]!, 0x34)).toBe(true);
  });

  it("a level line stays in remote IRR until EOI and is re-delivered while asserted", () => {
    const { ioapic, lapics } = machine();
    const lapic = lapics[0]!;
    route(ioapic, 10, encodeRedirectionLow({ vector: 0x3a, levelTriggered: true }));
    ioapic.inputs[10]!.raise();
    expect(remoteIrr(ioapic, 10)).toBe(true);
    expect(lapic.read32(LAPIC.TMR_BASE + 0x10) & (1 << 26)).not.toBe(0);
    expect(lapic.acknowledge()).toBe(0x3a);
    ioapic.inputs[10]!.lower();
    ioapic.inputs[10]!.raise(); // no new message while remote IRR is set
    expect(irrHas(lapic, 0x3a)).toBe(false);
    lapic.write32(LAPIC.EOI, 0); // EOI broadcast; line still high → re-delivered
    expect(irrHas(lapic, 0x3a)).toBe(true);
    expect(remoteIrr(ioapic, 10)).toBe(true);
    expect(lapic.acknowledge()).toBe(0x3a);
    ioapic.inputs[10]!.lower();
    lapic.write32(LAPIC.EOI, 0);
    expect(remoteIrr(ioapic, 10)).toBe(false);
    expect(lapic.hasPending()).toBe(false);
    expect(ioapic.stats.deliveries[10]).toBe(2);
  });

  it("delivers an asserted level line when it is unmasked; active-low treats a low line as asserted", () => {
    const { ioapic, lapics } = machine();
    ioapic.inputs[16]!.raise();
    route(ioapic, 16, encodeRedirectionLow({ vector: 0x50, levelTriggered: true, masked: true }));
    expect(irrHas(lapics[0]!, 0x50)).toBe(false);
    route(ioapic, 16, encodeRedirectionLow({ vector: 0x50, levelTriggered: true }));
    expect(irrHas(lapics[0]!, 0x50)).toBe(true);
    route(ioapic, 17, encodeRedirectionLow({ vector: 0x51, levelTriggered: true, activeLow: true }));
    expect(irrHas(lapics[0]!, 0x51)).toBe(true); // pin 17 idles low = asserted
  });

  it("rewriting a level entry as edge clears remote IRR", () => {
    const { ioapic } = machine();
    route(ioapic, 3, encodeRedirectionLow({ vector: 0x40, levelTriggered: true }));
    ioapic.inputs[3]!.raise();
    expect(remoteIrr(ioapic, 3)).toBe(true);
    route(ioapic, 3, encodeRedirectionLow({ vector: 0x40 }));
    expect(remoteIrr(ioapic, 3)).toBe(false);
  });

  it("routes logical destinations and refuses ExtINT", () => {
    const { ioapic, lapics } = machine();
    lapics[1]!.write32(LAPIC.LDR, 0x02000000);
    route(ioapic, 6, encodeRedirectionLow({ vector: 0x46, logicalDestination: true }), 0x02);
    ioapic.inputs[6]!.pulse();
    expect(irrHas(lapics[1]!, 0x46)).toBe(true);
    route(ioapic, 7, encodeRedirectionLow({ vector: 0x47, deliveryMode: DELIVERY_MODE.EXTINT }));
    ioapic.inputs[7]!.pulse();
    expect(ioapic.stats.unsupported).toBe(1);
    expect(irrHas(lapics[0]!, 0x47)).toBe(false);
  });
});

describe("Ioapic access widths and other delivery modes", () => {
  it("accepts byte writes to IOREGSEL and counts narrow IOWIN accesses", () => {
    const { ioapic } = machine();
    ioapic.write8(IOAPIC_MMIO.IOREGSEL, IOAPIC_REGISTER.VERSION);
    expect(ioapic.read32(IOAPIC_MMIO.IOWIN)).toBe(0x00170011);
    expect(ioapic.read8(IOAPIC_MMIO.IOWIN)).toBe(0x11);
    ioapic.write16(IOAPIC_MMIO.IOWIN, 0);
    expect(ioapic.counters.badWidthAccesses).toBe(2);
  });

  it("delivers NMI and lowest-priority redirections", () => {
    const { ioapic, lapics } = machine();
    route(ioapic, 8, encodeRedirectionLow({ deliveryMode: DELIVERY_MODE.NMI }), 1);
    ioapic.inputs[8]!.pulse();
    expect(lapics[1]!.acknowledgeNmi()).toBe(true);
    lapics[0]!.write32(LAPIC.TPR, 0x50);
    route(
      ioapic,
      9,
      encodeRedirectionLow({ vector: 0x60, deliveryMode: DELIVERY_MODE.LOWEST_PRIORITY }),
      0xff,
    );
    ioapic.inputs[9]!.pulse();
    expect(irrHas(lapics[1]!, 0x60)).toBe(true);
    expect(irrHas(lapics[0]!, 0x60)).toBe(false);
  });
});
