import { describe, expect, it } from "vitest";
import { DELIVERY_MODE } from "../../arch/apic-fields";
import { encodeIcrHigh, encodeIcrLow, ICR_SHORTHAND } from "../../arch/lapic-icr";
import { LVT_TIMER_MODE } from "../../arch/lapic-lvt";
import { LAPIC, TIMER_DIVIDE } from "../../arch/lapic-registers";
import { Timeline } from "../timeline";
import { ApicBus } from "./apic-bus";
import { Lapic } from "./lapic";

const ENABLE = 0x1ff; // SVR: software enable, spurious vector 0xFF
const MASKED = 1 << 16;
const PERIODIC = LVT_TIMER_MODE.PERIODIC << 17;
const DEADLINE = LVT_TIMER_MODE.TSC_DEADLINE << 17;

function machine(cpus = 2) {
  const clock = new Timeline(1_000_000_000);
  const bus = new ApicBus();
  const inits: number[] = [];
  const startups: Array<[number, number]> = [];
  const lapics = Array.from(
    { length: cpus },
    (_, apicId) =>
      new Lapic({
        apicId,
        clock,
        bus,
        onInit: (id) => inits.push(id),
        onStartup: (id, vector) => startups.push([id, vector]),
      }),
  );
  for (const lapic of lapics) lapic.write32(LAPIC.SVR, ENABLE);
  return { clock, bus, lapics, inits, startups };
}

function irrHas(lapic: Lapic, vector: number): boolean {
  return ((lapic.read32(LAPIC.IRR_BASE + (vector >>> 5) * 0x10) >>> (vector & 31)) & 1) === 1;
}

function sendIpi(from: Lapic, destination: number, low: number): void {
  from.write32(LAPIC.ICR_HIGH, encodeIcrHigh(destination));
  from.write32(LAPIC.ICR_LOW, low);
}

describe("Lapic registers", () => {
  it("reports ID in bits 31:24 and version 0x14 with max LVT entry 5", () => {
    const { lapics } = machine();
    expect(lapics[1]!.read32(LAPIC.ID)).toBe(0x01000000);
    expect(lapics[0]!.read32(LAPIC.VERSION)).toBe(0x00050014);
  });

  it("refuses a second LAPIC with the same APIC ID (host configuration bug)", () => {
    const bus = new ApicBus();
    const clock = new Timeline(1_000_000_000);
    new Lapic({ apicId: 3, clock, bus });
    expect(() => new Lapic({ apicId: 3, clock, bus })).toThrow(/already/);
  });

  it("resets SVR to 0xFF, LVTs to masked and DFR to all ones", () => {
    const lapic = new Lapic({ apicId: 0, clock: new Timeline(1_000_000_000), bus: new ApicBus() });
    expect(lapic.read32(LAPIC.SVR)).toBe(0xff);
    expect(lapic.read32(LAPIC.LVT_TIMER)).toBe(MASKED);
    expect(lapic.read32(LAPIC.LVT_LINT1)).toBe(MASKED);
    expect(lapic.read32(LAPIC.DFR)).toBe(0xffffffff);
  });

  it("ignores writes to read-only registers and reserved bits", () => {
    const { lapics } = machine();
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.ID, 0x05000000);
    lapic.write32(LAPIC.VERSION, 0);
    lapic.write32(LAPIC.IRR_BASE, 0xffffffff);
    lapic.write32(LAPIC.PPR, 0xff);
    expect(lapic.read32(LAPIC.ID)).toBe(0);
    expect(lapic.read32(LAPIC.VERSION)).toBe(0x00050014);
    expect(lapic.read32(LAPIC.IRR_BASE)).toBe(0);
    expect(lapic.counters.readOnlyWrites).toBe(4);
    lapic.write32(LAPIC.LVT_ERROR, 0xffffffff);
    expect(lapic.read32(LAPIC.LVT_ERROR)).toBe(0x000100ff);
    lapic.write32(LAPIC.LVT_TIMER, 0xffffffff); // timer mode 3 is reserved: previous mode kept
    expect(lapic.read32(LAPIC.LVT_TIMER)).toBe(0x000100ff);
    lapic.write32(LAPIC.TPR, 0x1234);
    expect(lapic.read32(LAPIC.TPR)).toBe(0x34);
    lapic.write32(LAPIC.DFR, 0);
    expect(lapic.read32(LAPIC.DFR)).toBe(0x0fffffff);
    lapic.write32(LAPIC.ICR_HIGH, 0xffffffff);
    expect(lapic.read32(LAPIC.ICR_HIGH)).toBe(0xff000000);
  });

  it("counts reserved offsets, reads them as 0 and flags ESR bit 7 after the ESR write", () => {
    const { lapics } = machine();
    const lapic = lapics[0]!;
    expect(lapic.read32(0x040)).toBe(0);
    lapic.write32(0x3f0, 1);
    expect(lapic.read32(0x024)).toBe(0);
    expect(lapic.counters.unknownReads).toBe(2);
    expect(lapic.counters.unknownWrites).toBe(1);
    expect(lapic.read32(LAPIC.ESR)).toBe(0); // not latched until written
    lapic.write32(LAPIC.ESR, 0);
    expect(lapic.read32(LAPIC.ESR)).toBe(0x80);
    lapic.write32(LAPIC.ESR, 0);
    expect(lapic.read32(LAPIC.ESR)).toBe(0);
  });

  it("ignores sub-dword writes and narrows sub-dword reads", () => {
    const { lapics } = machine();
    const lapic = lapics[1]!;
    lapic.write8(LAPIC.TPR, 0x40);
    expect(lapic.read32(LAPIC.TPR)).toBe(0);
    expect(lapic.read8(LAPIC.ID + 3)).toBe(1);
    expect(lapic.counters.badWidthAccesses).toBe(2);
  });
});

describe("Lapic priority arbitration", () => {
  it("TPR 0x20 blocks vector 0x25 but not 0x31", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.TPR, 0x20);
    lapic.accept(DELIVERY_MODE.FIXED, 0x25, false);
    expect(lapic.hasPending()).toBe(false);
    expect(lapic.acknowledge()).toBe(0xff); // spurious
    expect(irrHas(lapic, 0x25)).toBe(true);
    lapic.accept(DELIVERY_MODE.FIXED, 0x31, false);
    expect(lapic.hasPending()).toBe(true);
    expect(lapic.acknowledge()).toBe(0x31);
    expect(lapic.read32(LAPIC.PPR)).toBe(0x30);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.read32(LAPIC.PPR)).toBe(0x20);
    lapic.write32(LAPIC.TPR, 0);
    expect(lapic.acknowledge()).toBe(0x25);
  });

  it("a higher class pre-empts the vector in service; same class waits for EOI", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.accept(DELIVERY_MODE.FIXED, 0x41, false);
    expect(lapic.acknowledge()).toBe(0x41);
    lapic.accept(DELIVERY_MODE.FIXED, 0x45, false);
    expect(lapic.hasPending()).toBe(false);
    lapic.accept(DELIVERY_MODE.FIXED, 0x61, false);
    expect(lapic.acknowledge()).toBe(0x61);
    expect(lapic.read32(LAPIC.ISR_BASE + 0x20)).toBe(1 << 1); // 0x41: word 2, bit 1
    expect(lapic.read32(LAPIC.ISR_BASE + 0x30)).toBe(1 << 1); // 0x61: word 3, bit 1
    lapic.write32(LAPIC.EOI, 0); // retires 0x61
    expect(lapic.hasPending()).toBe(false); // 0x45 still blocked by 0x41 in service
    lapic.write32(LAPIC.EOI, 0); // retires 0x41
    expect(lapic.acknowledge()).toBe(0x45);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.stats.endOfInterrupts).toBe(3);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.stats.strayEndOfInterrupts).toBe(1);
  });

  it("collapses repeats: one in IRR and one in ISR per vector", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.accept(DELIVERY_MODE.FIXED, 0x50, false);
    expect(lapic.acknowledge()).toBe(0x50);
    lapic.accept(DELIVERY_MODE.FIXED, 0x50, false);
    lapic.accept(DELIVERY_MODE.FIXED, 0x50, false);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.acknowledge()).toBe(0x50);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.hasPending()).toBe(false);
  });

  it("records a received illegal vector instead of queueing it", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.accept(DELIVERY_MODE.FIXED, 0x0e, false);
    expect(lapic.hasPending()).toBe(false);
    lapic.write32(LAPIC.ESR, 0);
    expect(lapic.read32(LAPIC.ESR)).toBe(0x40);
  });
});

describe("Lapic software enable", () => {
  it("keeps LVT masks set while disabled and refuses fixed interrupts", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.accept(DELIVERY_MODE.FIXED, 0x40, false);
    lapic.write32(LAPIC.LVT_ERROR, 0x33);
    lapic.write32(LAPIC.SVR, 0xff);
    expect(lapic.read32(LAPIC.LVT_ERROR)).toBe(MASKED | 0x33);
    lapic.write32(LAPIC.LVT_TIMER, 0x30);
    expect(lapic.read32(LAPIC.LVT_TIMER)).toBe(MASKED | 0x30);
    expect(lapic.accept(DELIVERY_MODE.FIXED, 0x50, false)).toBe(false);
    expect(irrHas(lapic, 0x50)).toBe(false);
    expect(irrHas(lapic, 0x40)).toBe(true); // held
    expect(lapic.accept(DELIVERY_MODE.NMI, 0, false)).toBe(true);
    expect(lapic.acknowledgeNmi()).toBe(true);
  });
});

describe("Lapic IPIs", () => {
  it("IPI from LAPIC 0 to LAPIC 1 sets IRR bit on 1 only", () => {
    const { lapics } = machine();
    sendIpi(lapics[0]!, 1, encodeIcrLow({ vector: 0x40 }));
    expect(irrHas(lapics[1]!, 0x40)).toBe(true);
    expect(irrHas(lapics[0]!, 0x40)).toBe(false);
    expect(lapics[0]!.read32(LAPIC.ICR_LOW) & (1 << 12)).toBe(0); // delivery status idle
  });

  it("routes shorthands self, all-including-self and all-excluding-self", () => {
    const { lapics } = machine(3);
    sendIpi(lapics[1]!, 0, encodeIcrLow({ vector: 0x41, shorthand: ICR_SHORTHAND.SELF }));
    expect(lapics.map((l) => irrHas(l, 0x41))).toEqual([false, true, false]);
    sendIpi(lapics[1]!, 0, encodeIcrLow({ vector: 0x42, shorthand: ICR_SHORTHAND.ALL_INCLUDING_SELF }));
    expect(lapics.map((l) => irrHas(l, 0x42))).toEqual([true, true, true]);
    sendIpi(lapics[1]!, 0, encodeIcrLow({ vector: 0x43, shorthand: ICR_SHORTHAND.ALL_EXCLUDING_SELF }));
    expect(lapics.map((l) => irrHas(l, 0x43))).toEqual([true, false, true]);
    sendIpi(lapics[2]!, 0xff, encodeIcrLow({ vector: 0x44 }));
    expect(lapics.map((l) => irrHas(l, 0x44))).toEqual([true, true, true]);
  });

  it("routes logical destinations in flat and cluster models", () => {
    const { lapics } = machine(3);
    for (const [index, lapic] of lapics.entries()) lapic.write32(LAPIC.LDR, (1 << index) << 24);
    sendIpi(lapics[0]!, 0b110, encodeIcrLow({ vector: 0x50, logicalDestination: true }));
    expect(lapics.map((l) => irrHas(l, 0x50))).toEqual([false, true, true]);
    for (const lapic of lapics) lapic.write32(LAPIC.DFR, 0x0fffffff); // cluster model
    lapics[0]!.write32(LAPIC.LDR, 0x11000000); // cluster 1, member bit 0
    lapics[1]!.write32(LAPIC.LDR, 0x21000000); // cluster 2, member bit 0
    lapics[2]!.write32(LAPIC.LDR, 0x12000000); // cluster 1, member bit 1
    sendIpi(lapics[0]!, 0x13, encodeIcrLow({ vector: 0x51, logicalDestination: true }));
    expect(lapics.map((l) => irrHas(l, 0x51))).toEqual([true, false, true]);
  });

  it("sends lowest-priority to the LAPIC with the lowest arbitration priority", () => {
    const { lapics } = machine(3);
    lapics[0]!.write32(LAPIC.TPR, 0x40);
    lapics[1]!.write32(LAPIC.TPR, 0x20);
    lapics[2]!.write32(LAPIC.TPR, 0x30);
    sendIpi(lapics[0]!, 0xff, encodeIcrLow({ vector: 0x60, deliveryMode: DELIVERY_MODE.LOWEST_PRIORITY }));
    expect(lapics.map((l) => irrHas(l, 0x60))).toEqual([false, true, false]);
  });

  it("refuses to send a vector below 16 and latches send-illegal-vector", () => {
    const { lapics } = machine();
    sendIpi(lapics[0]!, 1, encodeIcrLow({ vector: 0x05 }));
    expect(lapics[1]!.read32(LAPIC.IRR_BASE)).toBe(0);
    lapics[0]!.write32(LAPIC.ESR, 0);
    expect(lapics[0]!.read32(LAPIC.ESR)).toBe(0x20);
  });

  it("delivers INIT and SIPI to the callbacks; INIT resets all but the ID", () => {
    const { lapics, inits, startups } = machine();
    lapics[1]!.write32(LAPIC.TPR, 0x70);
    sendIpi(lapics[0]!, 1, encodeIcrLow({ deliveryMode: DELIVERY_MODE.INIT }));
    expect(inits).toEqual([1]);
    expect(lapics[1]!.read32(LAPIC.TPR)).toBe(0);
    expect(lapics[1]!.read32(LAPIC.SVR)).toBe(0xff);
    expect(lapics[1]!.read32(LAPIC.ID)).toBe(0x01000000);
    sendIpi(
      lapics[0]!,
      1,
      encodeIcrLow({ deliveryMode: DELIVERY_MODE.INIT, assert: false, levelTriggered: true }),
    );
    expect(inits).toEqual([1]); // INIT level de-assert does nothing
    sendIpi(lapics[0]!, 1, encodeIcrLow({ deliveryMode: DELIVERY_MODE.STARTUP, vector: 0x08 }));
    expect(startups).toEqual([[1, 0x08]]);
    expect(lapics[1]!.stats.lastStartupVector).toBe(0x08);
  });

  it("broadcasts EOI for level-triggered vectors only", () => {
    const { bus, lapics } = machine(1);
    const eois: number[] = [];
    bus.attachEoiListener({ endOfInterrupt: (vector) => eois.push(vector) });
    const lapic = lapics[0]!;
    lapic.accept(DELIVERY_MODE.FIXED, 0x30, false);
    lapic.accept(DELIVERY_MODE.FIXED, 0x38, true);
    expect(lapic.read32(LAPIC.TMR_BASE + 0x10)).toBe(1 << 24);
    lapic.acknowledge();
    lapic.write32(LAPIC.EOI, 0);
    lapic.acknowledge();
    lapic.write32(LAPIC.EOI, 0);
    expect(eois).toEqual([0x38]);
  });
});

describe("Lapic LINT pins", () => {
  it("level-triggered LINT0 stays in remote IRR until EOI, then re-fires while asserted", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.LVT_LINT0, 0x8000 | 0x70); // level, fixed, vector 0x70
    lapic.lint0.raise();
    expect(lapic.read32(LAPIC.LVT_LINT0) & 0x4000).toBe(0x4000);
    expect(lapic.acknowledge()).toBe(0x70);
    expect(lapic.hasPending()).toBe(false);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.acknowledge()).toBe(0x70); // still asserted: delivered again
    lapic.lint0.lower();
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.read32(LAPIC.LVT_LINT0) & 0x4000).toBe(0);
    expect(lapic.hasPending()).toBe(false);
  });

  it("LINT1 programmed as NMI raises an NMI on each edge", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.LVT_LINT1, DELIVERY_MODE.NMI << 8);
    lapic.lint1.pulse();
    expect(lapic.acknowledgeNmi()).toBe(true);
    expect(lapic.acknowledgeNmi()).toBe(false);
  });
});

describe("Lapic timer", () => {
  it("periodic mode fires at initial_count × divisor cycles", () => {
    const { clock, lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.TIMER_DIVIDE, TIMER_DIVIDE.BY_4);
    lapic.write32(LAPIC.LVT_TIMER, PERIODIC | 0x40);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 100);
    clock.advanceTo(399);
    expect(lapic.hasPending()).toBe(false);
    expect(lapic.read32(LAPIC.TIMER_CURRENT_COUNT)).toBe(1);
    clock.advanceTo(400);
    expect(lapic.acknowledge()).toBe(0x40);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.read32(LAPIC.TIMER_CURRENT_COUNT)).toBe(100);
    clock.advanceTo(600);
    expect(lapic.read32(LAPIC.TIMER_CURRENT_COUNT)).toBe(50);
    clock.advanceTo(800);
    expect(lapic.acknowledge()).toBe(0x40);
  });

  it("one-shot mode fires once, then reads 0; writing 0 stops it", () => {
    const { clock, lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.TIMER_DIVIDE, TIMER_DIVIDE.BY_1);
    lapic.write32(LAPIC.LVT_TIMER, 0x41);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 50);
    clock.advanceTo(50);
    expect(lapic.acknowledge()).toBe(0x41);
    lapic.write32(LAPIC.EOI, 0);
    expect(lapic.read32(LAPIC.TIMER_CURRENT_COUNT)).toBe(0);
    clock.advanceTo(500);
    expect(lapic.hasPending()).toBe(false);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 50);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 0);
    clock.advanceTo(1000);
    expect(lapic.hasPending()).toBe(false);
    expect(clock.pendingCount).toBe(0);
  });

  it("counts while masked without interrupting", () => {
    const { clock, lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.LVT_TIMER, MASKED | 0x41);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 10); // divide by 2 after reset
    clock.advanceTo(10);
    expect(lapic.read32(LAPIC.TIMER_CURRENT_COUNT)).toBe(5);
    clock.advanceTo(20);
    expect(lapic.hasPending()).toBe(false);
  });

  it("a divide change continues the current count at the new rate", () => {
    const { clock, lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.TIMER_DIVIDE, TIMER_DIVIDE.BY_1);
    lapic.write32(LAPIC.LVT_TIMER, 0x42);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 100);
    clock.advanceTo(40);
    lapic.write32(LAPIC.TIMER_DIVIDE, TIMER_DIVIDE.BY_8); // 60 ticks left, 8 cycles each
    clock.advanceTo(40 + 60 * 8 - 1);
    expect(lapic.hasPending()).toBe(false);
    clock.advanceTo(40 + 60 * 8);
    expect(lapic.acknowledge()).toBe(0x42);
  });

  it("TSC-deadline mode fires at the deadline, clears it, and ignores the initial count", () => {
    const { clock, lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.LVT_TIMER, DEADLINE | 0x43);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 5);
    expect(lapic.read32(LAPIC.TIMER_INITIAL_COUNT)).toBe(0);
    lapic.writeTscDeadline(1000, 0);
    expect(lapic.readTscDeadline()).toBe(1000n);
    expect(lapic.read32(LAPIC.TIMER_CURRENT_COUNT)).toBe(0);
    clock.advanceTo(999);
    expect(lapic.hasPending()).toBe(false);
    clock.advanceTo(1000);
    expect(lapic.acknowledge()).toBe(0x43);
    expect(lapic.readTscDeadline()).toBe(0n);
    lapic.timer.writeDeadline(2000, 0);
    lapic.timer.writeDeadline(0, 0); // disarm
    clock.advanceTo(3000);
    expect(lapic.hasPending()).toBe(false);
  });

  it("leaving TSC-deadline mode disarms the timer", () => {
    const { clock, lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.LVT_TIMER, DEADLINE | 0x43);
    lapic.timer.writeDeadline(100, 0);
    lapic.write32(LAPIC.LVT_TIMER, 0x43);
    clock.advanceTo(200);
    expect(lapic.hasPending()).toBe(false);
    expect(clock.pendingCount).toBe(0);
  });

  it("raises the error interrupt when an error is recorded and LVT error is unmasked", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.LVT_ERROR, 0xfe);
    lapic.read32(0x050);
    expect(lapic.acknowledge()).toBe(0xfe);
  });
});

describe("Lapic timer input clock", () => {
  it("honours a fractional cycles-per-tick ratio without scheduling fractional cycles", () => {
    const clock = new Timeline(1_000_000_000);
    const lapic = new Lapic({ apicId: 0, clock, bus: new ApicBus(), cyclesPerTimerTick: 2.5 });
    lapic.write32(LAPIC.SVR, 0x1ff);
    lapic.write32(LAPIC.TIMER_DIVIDE, TIMER_DIVIDE.BY_1);
    lapic.write32(LAPIC.LVT_TIMER, 0x44);
    lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 3); // 7.5 cycles → fires at cycle 8
    clock.advanceTo(7);
    expect(lapic.hasPending()).toBe(false);
    clock.advanceTo(8);
    expect(lapic.acknowledge()).toBe(0x44);
  });
});

describe("Lapic odds and ends", () => {
  it("reads APR from TPR, IRR and ISR, and stores thermal/performance LVTs without firing them", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.TPR, 0x35);
    expect(lapic.read32(LAPIC.APR)).toBe(0x35);
    lapic.accept(DELIVERY_MODE.FIXED, 0x72, false);
    expect(lapic.read32(LAPIC.APR)).toBe(0x70);
    lapic.write32(LAPIC.LVT_THERMAL, 0xffffffff);
    expect(lapic.read32(LAPIC.LVT_THERMAL)).toBe(0x000107ff);
    lapic.write32(LAPIC.LVT_PERF, 0x0000_0460);
    expect(lapic.read32(LAPIC.LVT_PERF)).toBe(0x460);
  });

  it("an error LVT with an illegal vector records the error once instead of recursing", () => {
    const { lapics } = machine(1);
    const lapic = lapics[0]!;
    lapic.write32(LAPIC.LVT_ERROR, 0x05);
    lapic.read32(0x060);
    lapic.write32(LAPIC.ESR, 0);
    expect(lapic.read32(LAPIC.ESR)).toBe(0xc0); // illegal register + received illegal vector
    expect(lapic.hasPending()).toBe(false);
  });
});
