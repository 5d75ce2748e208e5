import { describe, expect, it } from "vitest";
import { installTsosMatchers } from "../matchers";
import { MockInterruptController } from "./mock-interrupt-controller";

installTsosMatchers(expect);

describe("MockInterruptController", () => {
  it("delivers a raised line to its handler and records the EOI", () => {
    const pic = new MockInterruptController();
    const seen: number[] = [];
    pic.onVector(pic.vectorOf(4), (cpu, vector) => {
      seen.push(vector);
      pic.endOfInterrupt(cpu);
    });
    pic.line(4).pulse();
    expect(seen).toEqual([36]);
    expect(pic.eois).toEqual([{ cpu: 0, vector: 36 }]);
    expect(pic).toHaveEoiedAll();
  });

  it("catches a handler that forgets its EOI, which blocks same-class vectors", () => {
    const pic = new MockInterruptController();
    let runs = 0;
    pic.onVector(pic.vectorOf(1), () => {
      runs++;
    });
    pic.line(1).pulse();
    pic.line(1).pulse();
    expect(runs).toBe(1); // the second edge waits behind the un-EOI'd first
    expect(pic.pending(0)).toEqual([33]);
    expect(() => pic.assertAllEoied()).toThrow(/missing EOI for: cpu 0 vector 33/);
    expect(pic).not.toHaveEoiedAll();
  });

  it("catches an EOI sent for a spurious interrupt", () => {
    const pic = new MockInterruptController();
    pic.onVector(0xff, (cpu) => pic.endOfInterrupt(cpu));
    pic.raiseSpurious(0);
    expect(pic.deliveries[0]).toMatchObject({ vector: 0xff, spurious: true });
    expect(pic.unexpectedEois).toEqual([0]);
    expect(() => pic.assertAllEoied()).toThrow(/nothing in service/);
  });

  it("nests a higher-class vector only when the handler re-enables interrupts", () => {
    const pic = new MockInterruptController();
    const order: string[] = [];
    pic.onVector(0x30, (cpu, _vector, depth) => {
      order.push(`low@${depth}`);
      pic.inject(cpu, 0x50); // not delivered: the gate cleared IF
      order.push("sti");
      pic.setInterruptsEnabled(cpu, true);
      order.push("low-done");
      pic.endOfInterrupt(cpu);
    });
    pic.onVector(0x50, (cpu, _vector, depth) => {
      order.push(`high@${depth}`);
      pic.endOfInterrupt(cpu);
    });
    pic.inject(0, 0x30);
    expect(order).toEqual(["low@1", "sti", "high@2", "low-done"]);
    expect(pic.maxDepth).toBe(2);
    expect(pic.eois.map((eoi) => eoi.vector)).toEqual([0x50, 0x30]);
  });

  it("re-delivers a level-triggered line still high at EOI, and remembers levels across masking", () => {
    const pic = new MockInterruptController();
    pic.configureIrq(10, { trigger: "level" });
    let runs = 0;
    pic.onVector(pic.vectorOf(10), (cpu) => {
      runs++;
      if (runs % 2 === 0) pic.line(10).lower(); // the device is serviced on every second run
      pic.endOfInterrupt(cpu);
    });
    pic.line(10).raise();
    expect(runs).toBe(2);
    expect(pic.maskIrq(10)).toBe(true);
    pic.line(10).raise();
    expect(runs).toBe(2);
    pic.unmaskIrq(10); // level still high: delivered at unmask, and again after its EOI until lowered
    expect(runs).toBe(4);
    expect(pic.maskLog).toEqual([
      { irq: 10, masked: true },
      { irq: 10, masked: false },
    ]);
  });

  it("reports an interrupt storm instead of hanging", () => {
    const pic = new MockInterruptController({ stormLimit: 50 });
    pic.configureIrq(5, { trigger: "level" });
    pic.onVector(pic.vectorOf(5), (cpu) => pic.endOfInterrupt(cpu)); // never quiets the device
    expect(() => pic.line(5).raise()).toThrow(/interrupt storm/);
  });

  it("loses an edge while masked, like the IOAPIC", () => {
    const pic = new MockInterruptController();
    let runs = 0;
    pic.onVector(pic.vectorOf(3), (cpu) => {
      runs++;
      pic.endOfInterrupt(cpu);
    });
    pic.maskIrq(3);
    pic.line(3).pulse();
    pic.unmaskIrq(3);
    expect(runs).toBe(0);
  });

  it("validates IPIs and unknown IRQs as values", () => {
    const pic = new MockInterruptController({ cpuCount: 2 });
    const got: number[] = [];
    pic.onVector(0xf0, (cpu) => {
      got.push(cpu);
      pic.endOfInterrupt(cpu);
    });
    expect(pic.sendIpi(1, 0xf0)).toBe(true);
    expect(pic.sendIpi(2, 0xf0)).toBe(false);
    expect(pic.sendIpi(1, 15)).toBe(false);
    expect(pic.maskIrq(99)).toBe(false);
    expect(got).toEqual([1]);
    expect(pic.ipis).toEqual([{ targetCpu: 1, vector: 0xf0 }]);
  });

  it("holds delivery while interrupts are disabled and records vectors with no handler", () => {
    const pic = new MockInterruptController();
    pic.setInterruptsEnabled(0, false);
    pic.inject(0, 0x40);
    expect(pic.deliveries).toHaveLength(0);
    pic.setInterruptsEnabled(0, true);
    expect(pic.unhandled).toHaveLength(1);
    expect(pic.inService(0)).toEqual([0x40]);
  });
});
