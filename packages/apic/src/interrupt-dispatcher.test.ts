/**
 * Dispatch, spurious handling, per-CPU statistics and the report, against
 * mock LAPICs; a fast-check property that the statistics add up; and the
 * `InterruptController` implementation.
 */
import {
  createCpuContext,
  encodeIoapicVersion,
  IOAPIC_MMIO,
  LAPIC,
  LAPIC_MMIO_SIZE,
  NO_ERROR_CODE,
  RETURN_PATH,
  TRAP_KIND,
  type TrapFrame,
} from "@tsos/hw-x86";
import { installTsosMatchers, MockClock, MockMmio } from "@tsos/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApicInterruptController } from "./apic-interrupt-controller";
import { APIC_ERROR } from "./errors";
import { InterruptDispatcher } from "./interrupt-dispatcher";
import { formatInterruptReport } from "./interrupt-report";
import { InterruptStatistics, STAT, STATISTICS_BLOCK_BYTES } from "./interrupt-statistics";
import { IoapicDriver } from "./ioapic-driver";
import { IrqRouter } from "./irq-router";
import { PC_TIMER_OVERRIDE } from "./isa-overrides";
import { LapicDriver } from "./lapic-driver";

installTsosMatchers(expect);

const SPURIOUS = 0xff;

function frameFor(cpuId: number, vector: number): TrapFrame {
  return {
    cpuId,
    kind: TRAP_KIND.INTERRUPT,
    vector,
    errorCode: NO_ERROR_CODE,
    faultAddressLow: 0,
    faultAddressHigh: 0,
    context: createCpuContext(),
    returnPath: RETURN_PATH.IRET,
  };
}

function setup(cpuCount = 2) {
  const mmios = Array.from({ length: cpuCount }, () => new MockMmio(LAPIC_MMIO_SIZE));
  const lapics = mmios.map((mmio) => new LapicDriver(mmio));
  const clock = new MockClock({ frequencyHz: 1e9 });
  const statistics = new InterruptStatistics(cpuCount);
  const dispatcher = new InterruptDispatcher({ lapics, statistics, spuriousVector: SPURIOUS, clock });
  return { mmios, lapics, clock, statistics, dispatcher };
}

describe("InterruptDispatcher", () => {
  it("calls the vector's handler, counts it on its CPU, then EOIs with one write on that CPU only", () => {
    const { mmios, statistics, dispatcher } = setup();
    const seen: number[] = [];
    dispatcher.register(0x40, (frame) => seen.push(frame.cpuId));
    dispatcher.dispatch(frameFor(1, 0x40));
    expect(seen).toEqual([1]);
    expect(mmios[1]!.accesses).toEqual([
      { kind: "write", address: LAPIC.EOI, width: 32, value: 0, outside: false },
    ]);
    expect(mmios[0]!.accesses).toHaveLength(0);
    expect(statistics.count(1, 0x40)).toBe(1);
    expect(statistics.summary(1, STAT.TOTAL)).toBe(1);
  });

  it("the EOI comes after the handler", () => {
    const { mmios, dispatcher } = setup();
    let accessesDuringHandler = -1;
    dispatcher.register(0x41, () => {
      accessesDuringHandler = mmios[0]!.accesses.length;
    });
    dispatcher.dispatch(frameFor(0, 0x41));
    expect(accessesDuringHandler).toBe(0);
    expect(mmios[0]).toHaveWritten32(LAPIC.EOI, 0);
  });

  it("spurious vector: counted, no handler, NO EOI", () => {
    const { mmios, statistics, dispatcher } = setup();
    dispatcher.dispatch(frameFor(0, SPURIOUS));
    expect(mmios[0]!.accesses).toHaveLength(0);
    expect(statistics.summary(0, STAT.SPURIOUS)).toBe(1);
    expect(statistics.summary(0, STAT.TOTAL)).toBe(0);
    const refused = dispatcher.register(SPURIOUS, () => {});
    expect(!refused.ok && refused.error.code).toBe(APIC_ERROR.INVALID_VECTOR);
  });

  it("an unhandled vector is counted and still EOIed; exception vectors are misrouted, not EOIed", () => {
    const { mmios, statistics, dispatcher } = setup();
    dispatcher.dispatch(frameFor(0, 0x50));
    expect(statistics.summary(0, STAT.UNHANDLED)).toBe(1);
    expect(mmios[0]).toHaveWritten32(LAPIC.EOI, 0);
    mmios[0]!.clearAccesses();
    dispatcher.dispatch(frameFor(0, 14));
    expect(statistics.summary(0, STAT.MISROUTED)).toBe(1);
    expect(mmios[0]!.accesses).toHaveLength(0);
    expect(dispatcher.register(14, () => {}).ok).toBe(false);
  });

  it("records latency where the assertion was announced, and says 'unknown' elsewhere", () => {
    const { clock, statistics, dispatcher } = setup();
    statistics.noteAssertion(0, 0x20, 100);
    clock.advanceTo(160);
    dispatcher.dispatch(frameFor(0, 0x20));
    dispatcher.dispatch(frameFor(0, 0x20));
    expect(statistics.summary(0, STAT.LATENCY_SAMPLES)).toBe(1);
    expect(statistics.summary(0, STAT.LATENCY_SUM)).toBe(60);
    expect(statistics.summary(0, STAT.LATENCY_UNKNOWN)).toBe(1);
    expect(statistics.latencyQuantileBound(0, 0.5)).toBe(63);
  });

  it("the report lists vectors per CPU and the summary lines", () => {
    const { statistics, dispatcher } = setup();
    dispatcher.register(0x20, () => {});
    for (let index = 0; index < 3; index++) dispatcher.dispatch(frameFor(0, 0x20));
    dispatcher.dispatch(frameFor(1, 0x20));
    dispatcher.dispatch(frameFor(1, SPURIOUS));
    const report = formatInterruptReport(statistics, { vectorNames: { 32: "timer" } });
    expect(report).toMatch(/0x20 timer\s+3\s+1\s+4/);
    expect(report.split("\n").find((line) => line.startsWith("1 "))).toMatch(/^1\s+1\s+1\s+0/);
  });

  it("per-CPU blocks are whole 64-byte rows", () => {
    expect(STATISTICS_BLOCK_BYTES % 64).toBe(0);
    expect(() => new InterruptStatistics(2, new ArrayBuffer(10))).toThrow(RangeError);
    const shared = new InterruptStatistics(2, new SharedArrayBuffer(2 * STATISTICS_BLOCK_BYTES));
    shared.recordDelivery(1, 0x30, Number.NaN);
    expect(shared.count(1, 0x30)).toBe(1);
  });

  it("property: for any delivery sequence, per-vector counts, totals and spurious counts add up", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cpu: fc.integer({ min: 0, max: 2 }), vector: fc.integer({ min: 0, max: 255 }) }),
          {
            maxLength: 300,
          },
        ),
        (deliveries) => {
          const { mmios, statistics, dispatcher } = setup(3);
          for (let vector = 32; vector < 255; vector += 3) dispatcher.register(vector, () => {});
          for (const { cpu, vector } of deliveries) dispatcher.dispatch(frameFor(cpu, vector));
          for (let cpu = 0; cpu < 3; cpu++) {
            const mine = deliveries.filter((delivery) => delivery.cpu === cpu);
            const interrupts = mine.filter((d) => d.vector >= 32 && d.vector !== SPURIOUS);
            let sum = 0;
            for (let vector = 0; vector < 256; vector++) sum += statistics.count(cpu, vector);
            expect(sum).toBe(interrupts.length);
            expect(statistics.summary(cpu, STAT.TOTAL)).toBe(interrupts.length);
            expect(statistics.summary(cpu, STAT.SPURIOUS)).toBe(
              mine.filter((d) => d.vector === SPURIOUS).length,
            );
            expect(statistics.summary(cpu, STAT.MISROUTED)).toBe(mine.filter((d) => d.vector < 32).length);
            expect(mmios[cpu]!.writes(LAPIC.EOI)).toHaveLength(interrupts.length);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("ApicInterruptController", () => {
  function controller() {
    const lapicMmios = [new MockMmio(LAPIC_MMIO_SIZE), new MockMmio(LAPIC_MMIO_SIZE)];
    const lapics = lapicMmios.map((mmio) => new LapicDriver(mmio));
    let selected = 0;
    const ioapicMmio = new MockMmio(0x20)
      .onWrite(IOAPIC_MMIO.IOREGSEL, (value) => {
        selected = value;
      })
      .onRead(IOAPIC_MMIO.IOWIN, () => (selected === 1 ? encodeIoapicVersion(0x11, 24) : 0));
    const ioapic = new IoapicDriver(ioapicMmio);
    ioapic.init();
    ioapicMmio.clearAccesses();
    let current = 0;
    const interrupts = new ApicInterruptController({
      lapics,
      router: new IrqRouter([ioapic], [PC_TIMER_OVERRIDE]),
      currentCpu: () => current,
    });
    return { interrupts, lapicMmios, ioapicMmio, setCurrent: (cpu: number) => (current = cpu) };
  }

  it("EOI goes to the named CPU's LAPIC as one write", () => {
    const { interrupts, lapicMmios } = controller();
    interrupts.endOfInterrupt(1);
    interrupts.endOfInterrupt(7);
    expect(lapicMmios[1]).toHaveWrittenExactly([{ address: LAPIC.EOI, value: 0, width: 32 }]);
    expect(lapicMmios[0]!.accesses).toHaveLength(0);
  });

  it("sendIpi goes out of the current CPU's LAPIC to the target's APIC ID", () => {
    const { interrupts, lapicMmios, setCurrent } = controller();
    setCurrent(1);
    expect(interrupts.sendIpi(0, 0xf0)).toBe(true);
    expect(lapicMmios[1]).toHaveWritten32(LAPIC.ICR_HIGH, 0);
    expect(lapicMmios[1]).toHaveWritten32(LAPIC.ICR_LOW, 0x40f0);
    expect(interrupts.sendIpi(2, 0xf0)).toBe(false);
    expect(interrupts.sendIpi(0, 15)).toBe(false);
  });

  it("maps CPU ids to APIC IDs when the machine's IDs are not 0..n-1", () => {
    const mmios = [new MockMmio(LAPIC_MMIO_SIZE), new MockMmio(LAPIC_MMIO_SIZE)];
    const interrupts = new ApicInterruptController({
      lapics: mmios.map((mmio) => new LapicDriver(mmio)),
      router: new IrqRouter([]),
      apicIds: [0, 6],
    });
    expect(interrupts.sendIpi(1, 0x30)).toBe(true);
    expect(mmios[0]).toHaveWritten32(LAPIC.ICR_HIGH, 6 << 24);
    expect(interrupts.maskIrq(3)).toBe(false);
  });

  it("mask / unmask resolve ISA IRQ 0 to IOAPIC pin 2; unknown IRQs are false", () => {
    const { interrupts, ioapicMmio } = controller();
    expect(interrupts.maskIrq(0)).toBe(true);
    expect(ioapicMmio).toHaveWritten32(IOAPIC_MMIO.IOREGSEL, 0x14);
    expect(interrupts.unmaskIrq(99)).toBe(false);
    expect(interrupts.cpuCount).toBe(2);
  });
});
