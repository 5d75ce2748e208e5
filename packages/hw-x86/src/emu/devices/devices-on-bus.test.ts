/**
 * The device models wired the way the machine wires them: on the real
 * {@link Bus} and {@link Timeline}, IRQs through the IOAPIC to a LAPIC, and a
 * driver-style LAPIC timer calibration against PIT channel 2.
 */
import { describe, expect, it } from "vitest";
import {
  encodeRedirectionLow,
  IOAPIC_DEFAULT_BASE,
  redirectionRegisterIndex,
} from "../../arch/ioapic-registers";
import { LAPIC, LAPIC_DEFAULT_BASE, TIMER_DIVIDE } from "../../arch/lapic-registers";
import { Bus } from "../bus";
import { Timeline } from "../timeline";
import { ApicBus } from "./apic-bus";
import { I8042 } from "./i8042";
import { Ioapic } from "./ioapic";
import { Lapic } from "./lapic";
import { Pit } from "./pit";
import { Ps2Keyboard } from "./ps2-keyboard";
import { Rtc } from "./rtc";
import { COM1, Uart16550 } from "./uart16550";

const FREQUENCY_HZ = 2_000_000_000;

function machine() {
  const timeline = new Timeline(FREQUENCY_HZ);
  const bus = new Bus();
  const apicBus = new ApicBus();
  const lapic = new Lapic({ apicId: 0, clock: timeline, bus: apicBus });
  const ioapic = new Ioapic(apicBus);
  const pit = new Pit(timeline, ioapic.inputs[2]!); // ISA IRQ 0 → GSI 2 (the usual override)
  const keyboard = new Ps2Keyboard();
  const i8042 = new I8042({ keyboard, irq: ioapic.inputs[1]! });
  const output: number[] = [];
  const uart = new Uart16550({ irq: ioapic.inputs[COM1.IRQ]!, onTransmit: (byte) => output.push(byte) });
  const rtc = new Rtc(timeline);
  bus.mapMmio(LAPIC_DEFAULT_BASE, lapic, "lapic0");
  bus.mapMmio(IOAPIC_DEFAULT_BASE, ioapic, "ioapic");
  bus.mapPorts(0x40, 4, pit, "pit");
  bus.mapPorts(0x61, 1, pit, "port-b");
  bus.mapPorts(0x60, 1, i8042, "i8042-data");
  bus.mapPorts(0x64, 1, i8042, "i8042-status");
  bus.mapPorts(0x70, 2, rtc, "rtc");
  bus.mapPorts(COM1.BASE, 8, uart, "com1");
  const lapicWrite = (offset: number, value: number) => bus.writeMmio(LAPIC_DEFAULT_BASE + offset, 4, value);
  const lapicRead = (offset: number) => bus.readMmio(LAPIC_DEFAULT_BASE + offset, 4);
  const route = (pin: number, vector: number) => {
    bus.writeMmio(IOAPIC_DEFAULT_BASE, 4, redirectionRegisterIndex(pin));
    bus.writeMmio(IOAPIC_DEFAULT_BASE + 0x10, 4, encodeRedirectionLow({ vector }));
  };
  lapicWrite(LAPIC.SVR, 0x1ff);
  return { timeline, bus, lapic, keyboard, output, lapicWrite, lapicRead, route };
}

describe("devices on the bus", () => {
  it("PIT channel 0 ticks reach the LAPIC as vector 0x20 through IOAPIC pin 2", () => {
    const { timeline, bus, lapic, route } = machine();
    route(2, 0x20);
    bus.out8(0x43, 0x34);
    bus.out8(0x40, 0x9b); // 11931 = 0x2e9b ticks ≈ 10 ms
    bus.out8(0x40, 0x2e);
    let ticks = 0;
    for (let step = 1; step <= 100; step++) {
      timeline.advanceTo(step * (FREQUENCY_HZ / 1000)); // 1 ms steps
      while (lapic.hasPending()) {
        expect(lapic.acknowledge()).toBe(0x20);
        lapic.write32(LAPIC.EOI, 0);
        ticks++;
      }
    }
    expect(ticks).toBe(10); // 100 ms of virtual time at ~100 Hz
  });

  it("calibrates the LAPIC timer against PIT channel 2 as a driver would", () => {
    const { timeline, bus, lapicWrite, lapicRead } = machine();
    lapicWrite(LAPIC.TIMER_DIVIDE, TIMER_DIVIDE.BY_16);
    lapicWrite(LAPIC.LVT_TIMER, 0x10000 | 0x30); // masked one-shot
    bus.out8(0x61, 0x01); // gate channel 2 on, speaker off
    bus.out8(0x43, 0xb0); // channel 2, lo/hi, mode 0
    bus.out8(0x42, 0x9b);
    bus.out8(0x42, 0x2e); // 11931 ticks ≈ 10 ms
    lapicWrite(LAPIC.TIMER_INITIAL_COUNT, 0xffffffff);
    let polls = 0;
    while ((bus.in8(0x61) & 0x20) === 0 && polls < 1000) {
      timeline.advanceTo(timeline.now() + 20_000); // each poll costs 10 µs of virtual time
      polls++;
    }
    const elapsedTimerTicks = 0xffffffff - lapicRead(LAPIC.TIMER_CURRENT_COUNT);
    const expected = Math.round((FREQUENCY_HZ * 11931) / 1_193_182 / 16);
    expect(Math.abs(elapsedTimerTicks - expected)).toBeLessThanOrEqual(20_000 / 16);
  });

  it("a key press and UART output travel through the bus", () => {
    const { bus, lapic, keyboard, output, route } = machine();
    route(1, 0x21);
    keyboard.pressKey("KeyZ");
    expect(lapic.acknowledge()).toBe(0x21);
    expect(bus.in8(0x64) & 1).toBe(1);
    expect(bus.in8(0x60)).toBe(0x2c);
    for (const byte of [0x6f, 0x6b]) bus.out8(COM1.BASE, byte);
    expect(output).toEqual([0x6f, 0x6b]);
    bus.out8(0x70, 0x09);
    expect(bus.in8(0x71)).toBe(0x26);
  });
});
