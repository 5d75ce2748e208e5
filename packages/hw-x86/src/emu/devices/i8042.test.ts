import { describe, expect, it } from "vitest";
import { encodeRedirectionLow, IOAPIC_MMIO, redirectionRegisterIndex } from "../../arch/ioapic-registers";
import { LAPIC } from "../../arch/lapic-registers";
import type { IrqLine } from "../../interfaces/irq-line";
import { Timeline } from "../timeline";
import { ApicBus } from "./apic-bus";
import { I8042, I8042_PORT } from "./i8042";
import { Ioapic } from "./ioapic";
import { Lapic } from "./lapic";
import { Ps2Keyboard } from "./ps2-keyboard";

const DATA = I8042_PORT.DATA;
const STATUS = I8042_PORT.STATUS_COMMAND;

function setup(irq?: IrqLine) {
  const line = { high: false, edges: 0 };
  const recording: IrqLine = {
    raise: () => {
      if (!line.high) line.edges++;
      line.high = true;
    },
    lower: () => {
      line.high = false;
    },
    pulse: () => {
      line.edges++;
    },
  };
  const keyboard = new Ps2Keyboard();
  let resets = 0;
  const controller = new I8042({ keyboard, irq: irq ?? recording, onSystemReset: () => resets++ });
  return { keyboard, controller, line, resets: () => resets };
}

/** Reads every byte the controller has, as a driver polling OBF would. */
function drain(controller: I8042): number[] {
  const bytes: number[] = [];
  while ((controller.in8(STATUS) & 1) !== 0) bytes.push(controller.in8(DATA));
  return bytes;
}

describe("I8042 with a keyboard", () => {
  it("pressKey('a') → 0x1E then releaseKey → 0x9E through port 0x60 with IRQ 1 raised", () => {
    const { keyboard, controller, line } = setup();
    expect(controller.in8(STATUS) & 1).toBe(0);
    keyboard.pressKey("a");
    expect(controller.in8(STATUS) & 1).toBe(1);
    expect(line.high).toBe(true);
    expect(controller.in8(DATA)).toBe(0x1e);
    expect(line.high).toBe(false);
    keyboard.releaseKey("a");
    expect(controller.in8(DATA)).toBe(0x9e);
    expect(line.edges).toBe(2);
  });

  it("sends extended keys as 0xE0-prefixed bytes, one byte and one IRQ edge at a time", () => {
    const { keyboard, controller, line } = setup();
    keyboard.pressKey("ArrowUp");
    keyboard.releaseKey("ArrowUp");
    keyboard.pressKey("ControlRight");
    expect(drain(controller)).toEqual([0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x1d]);
    expect(line.edges).toBe(6);
  });

  it("types text with Shift for capitals and symbols", () => {
    const { keyboard, controller } = setup();
    expect(keyboard.typeText("Hi!\n")).toBe(4);
    expect(drain(controller)).toEqual([
      0x2a,
      0x23,
      0xa3,
      0xaa, // H
      0x17,
      0x97, // i
      0x2a,
      0x02,
      0x82,
      0xaa, // !
      0x1c,
      0x9c, // Enter
    ]);
  });

  it("refuses unknown key names", () => {
    const { keyboard, controller } = setup();
    expect(keyboard.pressKey("NoSuchKey")).toBe(false);
    expect(keyboard.typeText("é")).toBe(0);
    expect(drain(controller)).toEqual([]);
  });

  it("answers keyboard commands: reset, LEDs, echo, identify, enable, rejected 0xF0", () => {
    const { keyboard, controller } = setup();
    controller.out8(DATA, 0xff);
    expect(drain(controller)).toEqual([0xfa, 0xaa]);
    controller.out8(DATA, 0xed);
    expect(drain(controller)).toEqual([0xfa]);
    controller.out8(DATA, 0x07);
    expect(drain(controller)).toEqual([0xfa]);
    expect(keyboard.leds).toBe(7);
    controller.out8(DATA, 0xee);
    controller.out8(DATA, 0xf2);
    controller.out8(DATA, 0xf4);
    controller.out8(DATA, 0xf0);
    expect(drain(controller)).toEqual([0xee, 0xfa, 0xab, 0x41, 0xfa, 0xfe]);
  });

  it("drops key events while scanning is disabled (0xF5)", () => {
    const { keyboard, controller } = setup();
    controller.out8(DATA, 0xf5);
    drain(controller);
    expect(keyboard.pressKey("a")).toBe(false);
    expect(keyboard.stats.droppedWhileDisabled).toBe(1);
    expect(drain(controller)).toEqual([]);
  });
});

describe("I8042 controller commands", () => {
  it("reads and writes the configuration byte; config bit 0 gates IRQ 1", () => {
    const { keyboard, controller, line } = setup();
    controller.out8(STATUS, 0x20);
    expect(controller.in8(STATUS) & 0x08).toBe(0x08); // last write was a command
    expect(controller.in8(DATA)).toBe(0x65);
    controller.out8(STATUS, 0x60);
    controller.out8(DATA, 0x44); // interrupts off, translation on
    expect(controller.config).toBe(0x64); // aux-disabled bit stays set: no aux port
    keyboard.pressKey("b");
    expect(controller.in8(STATUS) & 1).toBe(1);
    expect(line.high).toBe(false);
    expect(controller.in8(DATA)).toBe(0x30);
  });

  it("self-test answers 0x55 and sets the system flag; interface test answers 0x00", () => {
    const { controller } = setup();
    controller.out8(STATUS, 0xaa);
    expect(controller.in8(DATA)).toBe(0x55);
    expect(controller.in8(STATUS) & 0x04).toBe(0x04);
    controller.out8(STATUS, 0xab);
    expect(controller.in8(DATA)).toBe(0x00);
  });

  it("holds keyboard bytes while the port is disabled (0xAD) and releases them on 0xAE", () => {
    const { keyboard, controller } = setup();
    controller.out8(STATUS, 0xad);
    keyboard.pressKey("c");
    expect(controller.in8(STATUS) & 1).toBe(0);
    controller.out8(STATUS, 0xae);
    expect(drain(controller)).toEqual([0x2e]);
  });

  it("reports system reset requests and counts commands for the absent aux port", () => {
    const { controller, resets } = setup();
    controller.out8(STATUS, 0xfe);
    controller.out8(STATUS, 0xd1);
    controller.out8(DATA, 0x02); // reset line low, A20 on
    expect(resets()).toBe(2);
    expect(controller.a20Enabled).toBe(true);
    controller.out8(STATUS, 0xa8);
    controller.out8(STATUS, 0xa9);
    expect(controller.in8(DATA)).toBe(0x01);
    expect(controller.unsupportedCommands).toBe(2);
    controller.out8(STATUS, 0xd2);
    controller.out8(DATA, 0x5a);
    expect(controller.in8(DATA)).toBe(0x5a);
  });

  it("counts accesses to ports it does not own", () => {
    const { controller } = setup();
    expect(controller.in8(0x62)).toBe(0xff);
    controller.out8(0x62, 0);
    expect(controller.counters.unknownReads).toBe(1);
    expect(controller.counters.unknownWrites).toBe(1);
  });
});

describe("keyboard → IOAPIC → LAPIC", () => {
  it("an injected key arrives as vector 0x21 on CPU 0 and its scancode on port 0x60", () => {
    const clock = new Timeline(1_000_000_000);
    const bus = new ApicBus();
    const lapic = new Lapic({ apicId: 0, clock, bus });
    lapic.write32(LAPIC.SVR, 0x1ff);
    const ioapic = new Ioapic(bus);
    ioapic.write32(IOAPIC_MMIO.IOREGSEL, redirectionRegisterIndex(1));
    ioapic.write32(IOAPIC_MMIO.IOWIN, encodeRedirectionLow({ vector: 0x21 }));
    const { keyboard, controller } = setup(ioapic.inputs[1]);
    keyboard.pressKey("Enter");
    expect(lapic.hasPending()).toBe(true);
    expect(lapic.acknowledge()).toBe(0x21);
    expect(controller.in8(DATA)).toBe(0x1c);
    lapic.write32(LAPIC.EOI, 0);
    keyboard.releaseKey("Enter");
    expect(lapic.acknowledge()).toBe(0x21);
    expect(controller.in8(DATA)).toBe(0x9c);
  });
});

describe("keyboard parameters and resend", () => {
  it("stores the typematic byte, restores defaults, and resends its last byte", () => {
    const { keyboard, controller } = setup();
    controller.out8(DATA, 0xf3);
    controller.out8(DATA, 0x20);
    expect(drain(controller)).toEqual([0xfa, 0xfa]);
    expect(keyboard.typematic).toBe(0x20);
    controller.out8(DATA, 0xf6);
    expect(drain(controller)).toEqual([0xfa]);
    expect(keyboard.typematic).toBe(0x2b);
    controller.out8(DATA, 0xee);
    drain(controller);
    controller.out8(DATA, 0xfe);
    expect(drain(controller)).toEqual([0xee]);
  });
});
