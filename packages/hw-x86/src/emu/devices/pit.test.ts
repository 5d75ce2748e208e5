import { describe, expect, it } from "vitest";
import type { IrqLine } from "../../interfaces/irq-line";
import { Timeline } from "../timeline";
import { PIT_PORT, Pit } from "./pit";
import { cyclesForPitTicks, PIT_FREQUENCY_HZ, pitTicksIn } from "./pit-channel";

/** 1000 Clock cycles per PIT tick keeps expectations exact. */
const CYCLES_PER_TICK = 1000;

class RecordingLine implements IrqLine {
  high = false;
  readonly edges: number[] = [];
  constructor(private readonly clock: Timeline) {}
  raise(): void {
    if (!this.high) this.edges.push(this.clock.now());
    this.high = true;
  }
  lower(): void {
    this.high = false;
  }
  pulse(): void {
    this.raise();
    this.lower();
  }
}

function setup() {
  const clock = new Timeline(PIT_FREQUENCY_HZ * CYCLES_PER_TICK);
  const irq0 = new RecordingLine(clock);
  const pit = new Pit(clock, irq0);
  return { clock, irq0, pit };
}

function loadCount(pit: Pit, channel: number, control: number, count: number): void {
  pit.out8(PIT_PORT.CONTROL, control);
  pit.out8(PIT_PORT.CHANNEL0 + channel, count & 0xff);
  pit.out8(PIT_PORT.CHANNEL0 + channel, count >>> 8);
}

function readCount(pit: Pit, channel: number): number {
  return pit.in8(PIT_PORT.CHANNEL0 + channel) | (pit.in8(PIT_PORT.CHANNEL0 + channel) << 8);
}

describe("PIT time conversion", () => {
  it("converts cycles to ticks and back exactly at a 1 GHz clock", () => {
    expect(pitTicksIn(1_000_000_000, 1_000_000_000)).toBe(PIT_FREQUENCY_HZ);
    expect(pitTicksIn(cyclesForPitTicks(11932, 1e9), 1e9)).toBe(11932);
    expect(pitTicksIn(cyclesForPitTicks(11932, 1e9) - 1, 1e9)).toBe(11931);
    expect(pitTicksIn(3600 * 1e9 + 1, 1e9)).toBe(3600 * PIT_FREQUENCY_HZ);
  });
});

describe("PIT channel 0", () => {
  it("mode 2 (rate generator) pulses IRQ 0 every N ticks", () => {
    const { clock, irq0, pit } = setup();
    loadCount(pit, 0, 0x34, 1000); // channel 0, lo/hi, mode 2
    clock.advanceTo(3500 * CYCLES_PER_TICK);
    expect(irq0.edges).toEqual([1000, 2000, 3000].map((t) => t * CYCLES_PER_TICK));
    expect(readCount(pit, 0)).toBe(500);
  });

  it("mode 0 raises IRQ 0 once after N ticks and holds it until reprogrammed", () => {
    const { clock, irq0, pit } = setup();
    loadCount(pit, 0, 0x30, 500); // mode 0
    clock.advanceTo(499 * CYCLES_PER_TICK);
    expect(irq0.high).toBe(false);
    clock.advanceTo(500 * CYCLES_PER_TICK);
    expect(irq0.high).toBe(true);
    clock.advanceTo(5000 * CYCLES_PER_TICK);
    expect(irq0.edges.length).toBe(1);
    expect(readCount(pit, 0)).toBe((500 - 5000 + 0x10000) & 0xffff); // wraps and keeps counting
    pit.out8(PIT_PORT.CONTROL, 0x30);
    expect(irq0.high).toBe(false);
  });

  it("mode 3 (square wave) pulses each period and counts down by two", () => {
    const { clock, irq0, pit } = setup();
    loadCount(pit, 0, 0x36, 100); // mode 3
    clock.advanceTo(10 * CYCLES_PER_TICK);
    expect(readCount(pit, 0)).toBe(80);
    clock.advanceTo(60 * CYCLES_PER_TICK);
    expect(readCount(pit, 0)).toBe(80); // second half-period: 10 ticks in
    clock.advanceTo(250 * CYCLES_PER_TICK);
    expect(irq0.edges).toEqual([100, 200].map((t) => t * CYCLES_PER_TICK));
  });

  it("the latch command freezes the count until both bytes are read", () => {
    const { clock, pit } = setup();
    loadCount(pit, 0, 0x34, 0x1234);
    clock.advanceTo(0x34 * CYCLES_PER_TICK);
    pit.out8(PIT_PORT.CONTROL, 0x00); // latch channel 0
    clock.advanceTo(0x100 * CYCLES_PER_TICK);
    pit.out8(PIT_PORT.CONTROL, 0x00); // ignored: already latched
    expect(pit.in8(PIT_PORT.CHANNEL0)).toBe(0x00);
    clock.advanceTo(0x200 * CYCLES_PER_TICK);
    expect(pit.in8(PIT_PORT.CHANNEL0)).toBe(0x12);
    expect(readCount(pit, 0)).toBe(0x1234 - 0x200); // live again
  });

  it("low-byte-only access loads and reads one byte", () => {
    const { clock, pit } = setup();
    pit.out8(PIT_PORT.CONTROL, 0x14); // channel 0, low byte only, mode 2
    pit.out8(PIT_PORT.CHANNEL0, 200);
    clock.advanceTo(50 * CYCLES_PER_TICK);
    expect(pit.in8(PIT_PORT.CHANNEL0)).toBe(150);
    expect(pit.in8(PIT_PORT.CHANNEL0)).toBe(150);
  });

  it("read-back latches status with OUT, null count, access and mode", () => {
    const { clock, pit } = setup();
    pit.out8(PIT_PORT.CONTROL, 0x30); // mode 0, lo/hi: null count until loaded
    pit.out8(PIT_PORT.CONTROL, 0xe2); // read-back status only, channel 0
    expect(pit.in8(PIT_PORT.CHANNEL0)).toBe(0x40 | 0x30);
    loadCount(pit, 0, 0x30, 10);
    clock.advanceTo(20 * CYCLES_PER_TICK);
    pit.out8(PIT_PORT.CONTROL, 0xc2); // count and status
    expect(pit.in8(PIT_PORT.CHANNEL0)).toBe(0x80 | 0x30); // OUT high after terminal count
    expect(readCount(pit, 0)).toBe(0x10000 - 10);
  });

  it("counts in BCD when bit 0 of the control word is set", () => {
    const { clock, pit } = setup();
    loadCount(pit, 0, 0x35, 0x1000); // mode 2, BCD, count 1000
    clock.advanceTo(1 * CYCLES_PER_TICK);
    expect(readCount(pit, 0)).toBe(0x0999);
  });
});

describe("PIT channel 2 and port 0x61", () => {
  it("supports calibration: OUT2 (0x61 bit 5) rises N ticks after the gate opens", () => {
    const { clock, pit } = setup();
    loadCount(pit, 2, 0xb0, 11932); // channel 2, lo/hi, mode 0
    clock.advanceTo(20_000 * CYCLES_PER_TICK); // gate closed: no counting
    expect(pit.in8(PIT_PORT.SYSTEM_CONTROL_B) & 0x20).toBe(0);
    const opened = clock.now();
    pit.out8(PIT_PORT.SYSTEM_CONTROL_B, 0x01);
    expect(pit.in8(PIT_PORT.SYSTEM_CONTROL_B) & 0x0f).toBe(0x01);
    clock.advanceTo(opened + 11931 * CYCLES_PER_TICK);
    expect(pit.in8(PIT_PORT.SYSTEM_CONTROL_B) & 0x20).toBe(0);
    clock.advanceTo(opened + 11932 * CYCLES_PER_TICK);
    expect(pit.in8(PIT_PORT.SYSTEM_CONTROL_B) & 0x20).toBe(0x20);
  });

  it("toggles the refresh bit every 18 PIT ticks", () => {
    const { clock, pit } = setup();
    const first = pit.in8(PIT_PORT.SYSTEM_CONTROL_B) & 0x10;
    clock.advanceTo(18 * CYCLES_PER_TICK);
    expect(pit.in8(PIT_PORT.SYSTEM_CONTROL_B) & 0x10).not.toBe(first);
  });
});

describe("PIT bad input", () => {
  it("reads the control port and unknown ports as all-ones, counting unknown ones", () => {
    const { pit } = setup();
    expect(pit.in8(PIT_PORT.CONTROL)).toBe(0xff);
    expect(pit.in8(0x44)).toBe(0xff);
    pit.out8(0x44, 1);
    expect(pit.counters.unknownReads).toBe(2);
    expect(pit.counters.unknownWrites).toBe(1);
  });

  it("flags gate-triggered modes 1 and 5 as unsupported instead of pretending to count", () => {
    const { clock, irq0, pit } = setup();
    loadCount(pit, 0, 0x32, 100); // mode 1
    clock.advanceTo(1000 * CYCLES_PER_TICK);
    expect(pit.channels[0]!.unsupportedMode).toBe(true);
    expect(irq0.edges).toEqual([]);
  });
});

describe("PIT gate and strobe modes", () => {
  it("mode 2 on channel 2 holds its count while the gate is low and reloads when it rises", () => {
    const { clock, pit } = setup();
    pit.out8(PIT_PORT.SYSTEM_CONTROL_B, 0x01);
    loadCount(pit, 2, 0xb4, 100); // channel 2, lo/hi, mode 2
    clock.advanceTo(150 * CYCLES_PER_TICK);
    expect(readCount(pit, 2)).toBe(50);
    pit.out8(PIT_PORT.SYSTEM_CONTROL_B, 0x00);
    clock.advanceTo(400 * CYCLES_PER_TICK);
    expect(readCount(pit, 2)).toBe(50);
    expect(pit.in8(PIT_PORT.SYSTEM_CONTROL_B) & 0x20).toBe(0x20); // OUT forced high
    pit.out8(PIT_PORT.SYSTEM_CONTROL_B, 0x01);
    expect(readCount(pit, 2)).toBe(100);
  });

  it("mode 4 (software strobe) pulses IRQ 0 once, N ticks after the count is written", () => {
    const { clock, irq0, pit } = setup();
    loadCount(pit, 0, 0x38, 300); // mode 4
    clock.advanceTo(1000 * CYCLES_PER_TICK);
    expect(irq0.edges).toEqual([300 * CYCLES_PER_TICK]);
  });

  it("reprogramming channel 0 cancels the pending edge", () => {
    const { clock, irq0, pit } = setup();
    loadCount(pit, 0, 0x34, 1000);
    clock.advanceTo(500 * CYCLES_PER_TICK);
    loadCount(pit, 0, 0x34, 2000);
    clock.advanceTo(2400 * CYCLES_PER_TICK);
    expect(irq0.edges).toEqual([]); // the 1000-tick edge was cancelled; the new period started at 500
    clock.advanceTo(2500 * CYCLES_PER_TICK);
    expect(irq0.edges).toEqual([2500 * CYCLES_PER_TICK]);
  });
});
