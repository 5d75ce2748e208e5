/**
 * Interrupt storm across two emulated CPUs: IPIs (directed and to self),
 * edge-triggered IOAPIC lines and TSC-deadline timer ticks, in random
 * batches, 100,000 interrupts (1,000,000 when TSOS_TIER=stress). Every
 * assertion must be delivered exactly once to the right CPU's handler, and
 * the per-CPU statistics, the handlers' own counts and the LAPICs' EOI
 * counts must agree.
 *
 * Within a batch each (CPU, vector) is asserted at most once, because a
 * LAPIC legitimately collapses a second assertion of a vector already in
 * IRR (SDM vol 3A §10.8.4); so "delivered exactly once" is exact.
 */
import { ICR_SHORTHAND } from "@tsos/hw-x86";
import { stressSize } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { formatInterruptReport, STAT } from "../src/index";
import { createMachine } from "./emulated-machine";

const CPUS = 2;
const IPI_FIRST = 0x40;
const IPI_COUNT = 0x40;
const PIN_FIRST = 16;
const PINS_PER_CPU = 4;
const PIN_VECTOR_BASE = [0x80, 0x90];
const TIMER_VECTOR = 0xe0;

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

describe("interrupt storm", () => {
  it(`delivers every interrupt exactly once across ${CPUS} CPUs, and the statistics add up`, () => {
    const target = stressSize({ short: 100_000, long: 1_000_000 });
    const machine = createMachine(CPUS);
    const handled = new Float64Array(CPUS * 256);
    const expected = new Float64Array(CPUS * 256);
    const usedInBatch = new Uint8Array(CPUS * 256);
    const countIt = (frame: { cpuId: number; vector: number }) => {
      handled[frame.cpuId * 256 + frame.vector]! += 1;
    };
    for (let vector = IPI_FIRST; vector < IPI_FIRST + IPI_COUNT; vector++)
      machine.dispatcher.register(vector, countIt);
    for (let cpu = 0; cpu < CPUS; cpu++) {
      for (let index = 0; index < PINS_PER_CPU; index++) {
        const vector = PIN_VECTOR_BASE[cpu]! + index;
        machine.dispatcher.register(vector, countIt);
        expect(machine.router.routeGsi(PIN_FIRST + cpu * PINS_PER_CPU + index, vector, cpu).ok).toBe(true);
      }
      expect(machine.timers[cpu]!.enableTscDeadline(TIMER_VECTOR).ok).toBe(true);
    }
    machine.dispatcher.register(TIMER_VECTOR, countIt);

    const next = random(0x5eed);
    let asserted = 0;
    let timerTicks = 0;
    let batch = 0;
    const assert = (cpu: number, vector: number) => {
      usedInBatch[cpu * 256 + vector] = 1;
      expected[cpu * 256 + vector]! += 1;
      asserted++;
    };
    while (asserted < target) {
      usedInBatch.fill(0);
      for (let cpu = 0; cpu < CPUS; cpu++) {
        const wanted = 1 + Math.floor(next() * 6);
        for (let attempt = 0; attempt < wanted; attempt++) {
          if (next() < 0.25) {
            const index = Math.floor(next() * PINS_PER_CPU);
            const vector = PIN_VECTOR_BASE[cpu]! + index;
            if (usedInBatch[cpu * 256 + vector]) continue;
            machine.ioapic.inputs[PIN_FIRST + cpu * PINS_PER_CPU + index]!.pulse();
            assert(cpu, vector);
            continue;
          }
          const vector = IPI_FIRST + Math.floor(next() * IPI_COUNT);
          if (usedInBatch[cpu * 256 + vector]) continue;
          const sender = Math.floor(next() * CPUS);
          let sent: boolean;
          if (sender === cpu) sent = machine.lapicDrivers[cpu]!.broadcastIpi(vector, ICR_SHORTHAND.SELF);
          else {
            machine.setCurrentCpu(sender);
            sent = machine.controller.sendIpi(cpu, vector);
          }
          expect(sent).toBe(true);
          assert(cpu, vector);
        }
      }
      if (batch++ % 16 === 0) {
        const deadline = machine.timeline.now() + 50;
        for (let cpu = 0; cpu < CPUS; cpu++) {
          machine.timers[cpu]!.armDeadlineAt(deadline);
          assert(cpu, TIMER_VECTOR);
          timerTicks++;
        }
        machine.timeline.advanceTo(deadline);
      }
      for (let cpu = 0; cpu < CPUS; cpu++) machine.drain(cpu);
    }

    const { statistics } = machine;
    let dispatched = 0;
    for (let cpu = 0; cpu < CPUS; cpu++) {
      for (let vector = 0; vector < 256; vector++) {
        const slot = cpu * 256 + vector;
        if (statistics.count(cpu, vector) !== expected[slot] || handled[slot] !== expected[slot]) {
          throw new Error(
            `cpu ${cpu} vector ${vector}: asserted ${expected[slot]}, handled ${handled[slot]}, counted ${statistics.count(cpu, vector)}`,
          );
        }
      }
      const total = statistics.summary(cpu, STAT.TOTAL);
      dispatched += total;
      expect(machine.lapics[cpu]!.stats.endOfInterrupts).toBe(total);
      expect(machine.lapics[cpu]!.stats.strayEndOfInterrupts).toBe(0);
      expect(machine.lapics[cpu]!.isr.every((word) => word === 0)).toBe(true);
      expect(machine.lapics[cpu]!.irr.every((word) => word === 0)).toBe(true);
      expect(statistics.summary(cpu, STAT.SPURIOUS)).toBe(0);
      expect(statistics.summary(cpu, STAT.UNHANDLED)).toBe(0);
      expect(statistics.summary(cpu, STAT.LATENCY_MAX)).toBe(0);
      expect(
        statistics.summary(cpu, STAT.LATENCY_SAMPLES) + statistics.summary(cpu, STAT.LATENCY_UNKNOWN),
      ).toBe(total);
    }
    expect(dispatched).toBe(asserted);
    expect(asserted).toBeGreaterThanOrEqual(target);
    expect(statistics.summary(0, STAT.LATENCY_SAMPLES) + statistics.summary(1, STAT.LATENCY_SAMPLES)).toBe(
      timerTicks,
    );
    expect(formatInterruptReport(statistics, { vectorNames: { [TIMER_VECTOR]: "timer" } })).toContain(
      "timer",
    );
  });
});
