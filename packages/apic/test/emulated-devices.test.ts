/**
 * The driver against the emulated devices: timer ticks at the programmed
 * virtual time, PIT calibration, priority arbitration and TPR, level
 * triggering, IPIs and INIT-SIPI between two CPUs, the keyboard through
 * IRQ 1, and UART output through IRQ 4.
 */
import { ICR_SHORTHAND, type TrapFrame } from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import {
  IrqRouter,
  isaOverrideFromMadt,
  LapicTimerDriver,
  STAT,
  startApplicationProcessor,
} from "../src/index";
import { calibrateLapicTimer } from "../src/timer-calibration";
import { createMachine, MACHINE_HZ } from "./emulated-machine";

describe("LAPIC timer on the emulated LAPIC", () => {
  it("a TSC-deadline tick reaches its handler at the programmed virtual time, with latency 0", () => {
    const machine = createMachine();
    const seenAt: number[] = [];
    machine.dispatcher.register(0x30, () => seenAt.push(machine.timeline.now()));
    expect(machine.timers[0]!.enableTscDeadline(0x30).ok).toBe(true);
    expect(machine.timers[0]!.armDeadlineAt(123_456)).toBe(true);
    machine.timeline.advanceTo(123_455);
    expect(machine.drain(0)).toBe(0);
    machine.timeline.advanceTo(123_456);
    expect(machine.drain(0)).toBe(1);
    expect(seenAt).toEqual([123_456]);
    expect(machine.statistics.summary(0, STAT.LATENCY_SAMPLES)).toBe(1);
    expect(machine.statistics.summary(0, STAT.LATENCY_MAX)).toBe(0);
  });

  it("periodic ticks arrive every period; one-shot fires once", () => {
    const machine = createMachine();
    const periodicAt: number[] = [];
    machine.dispatcher.register(0x31, () => periodicAt.push(machine.timeline.now()));
    // The emulated timer input runs at the clock rate: count 1000 at divisor 2 = 2000 cycles.
    expect(machine.timers[1]!.startPeriodic(0x31, 1000, 2).ok).toBe(true);
    for (let step = 1; step <= 7; step++) {
      machine.timeline.advanceTo(step * 1000);
      machine.drain(1);
    }
    expect(periodicAt).toEqual([2000, 4000, 6000]);
    machine.timers[1]!.stop();
    const oneShotAt: number[] = [];
    machine.dispatcher.register(0x32, () => oneShotAt.push(machine.timeline.now()));
    machine.timers[1]!.configureOneShot(0x32, 1);
    machine.timers[1]!.armOneShot(500);
    for (let step = 1; step <= 16; step++) {
      machine.timeline.advanceTo(7000 + step * 100);
      machine.drain(1);
    }
    expect(oneShotAt).toEqual([7500]);
  });

  it("calibration against the emulated PIT recovers the timer and TSC rates", () => {
    const machine = createMachine();
    const ports = {
      in8: (port: number) => machine.pit.in8(port),
      in16: (port: number) => machine.pit.in16(port),
      in32: (port: number) => machine.pit.in32(port),
      out8: (port: number, value: number) => machine.pit.out8(port, value),
      out16: (port: number, value: number) => machine.pit.out16(port, value),
      out32: (port: number, value: number) => machine.pit.out32(port, value),
    };
    const pause = () => machine.timeline.advanceTo(machine.timeline.now() + 5000); // 5 µs per poll
    const result = calibrateLapicTimer({ lapic: machine.lapics[0]!, ports, pause, clock: machine.timeline });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Math.abs(result.value.timerInputHz / MACHINE_HZ - 1)).toBeLessThan(0.001);
    expect(Math.abs(result.value.tscHz / MACHINE_HZ - 1)).toBeLessThan(0.001);
    // With the calibration, a one-shot arm announces an assertion time close to the real expiry.
    const timer = new LapicTimerDriver(machine.lapics[0]!, {
      cpu: 0,
      recorder: machine.statistics,
      clock: machine.timeline,
      calibration: result.value,
    });
    machine.dispatcher.register(0x33, () => {});
    timer.configureOneShot(0x33, 4);
    timer.armOneShot(250_000); // 1 ms
    machine.timeline.advanceTo(machine.timeline.now() + 1_000_000);
    machine.drain(0);
    expect(machine.statistics.summary(0, STAT.LATENCY_SAMPLES)).toBe(1);
    expect(machine.statistics.summary(0, STAT.LATENCY_MAX)).toBeLessThan(1_000); // < 0.1 % of 1 ms
  });
});

describe("priority arbitration on the emulated LAPIC", () => {
  it("a higher class pre-empts a handler; the same class waits for its EOI", () => {
    const machine = createMachine();
    const lapic = machine.lapicDrivers[0]!;
    const log: string[] = [];
    machine.dispatcher.register(0x41, () => {
      log.push("0x41 begin");
      lapic.broadcastIpi(0x45, ICR_SHORTHAND.SELF); // same class 4: must wait
      lapic.broadcastIpi(0x61, ICR_SHORTHAND.SELF); // class 6: pre-empts
      while (machine.acceptOne(0) >= 0); // the handler runs with interrupts enabled
      log.push("0x41 end");
    });
    machine.dispatcher.register(0x45, () => log.push("0x45"));
    machine.dispatcher.register(0x61, () => log.push("0x61"));
    lapic.broadcastIpi(0x41, ICR_SHORTHAND.SELF);
    machine.drain(0);
    expect(log).toEqual(["0x41 begin", "0x61", "0x41 end", "0x45"]);
  });

  it("TPR holds lower classes pending until it is lowered", () => {
    const machine = createMachine();
    const lapic = machine.lapicDrivers[0]!;
    const seen: number[] = [];
    for (const vector of [0x45, 0x65])
      machine.dispatcher.register(vector, (frame) => seen.push(frame.vector));
    lapic.setTaskPriority(0x50);
    lapic.broadcastIpi(0x45, ICR_SHORTHAND.SELF);
    lapic.broadcastIpi(0x65, ICR_SHORTHAND.SELF);
    machine.drain(0);
    expect(seen).toEqual([0x65]);
    lapic.setTaskPriority(0);
    machine.drain(0);
    expect(seen).toEqual([0x65, 0x45]);
  });
});

describe("IOAPIC routing on the emulated IOAPIC", () => {
  it("a level-triggered line stays pending until EOI and is re-delivered while still asserted", () => {
    const machine = createMachine();
    const router = machine.router;
    const line = machine.ioapic.inputs[10]!;
    let deviceHolding = true;
    let calls = 0;
    machine.dispatcher.register(0x3a, () => {
      calls++;
      if (calls === 2) {
        deviceHolding = false;
        line.lower(); // the handler serviced the device
      }
    });
    expect(router.routeGsi(10, 0x3a, 0, { levelTriggered: true }).ok).toBe(true);
    line.raise();
    expect(machine.lapics[0]!.acknowledge()).toBe(0x3a); // accepted, no EOI yet
    const [low] = machine.ioapicDriver.readEntry(10)!;
    expect(low & 0x4000).not.toBe(0); // remote IRR set until EOI
    expect(machine.lapics[0]!.hasPending()).toBe(false);
    machine.lapicDrivers[0]!.endOfInterrupt(); // EOI with the line still high → re-delivered
    expect(machine.lapics[0]!.hasPending()).toBe(true);
    machine.drain(0);
    expect(calls).toBe(2);
    expect(deviceHolding).toBe(false);
    expect(machine.lapics[0]!.hasPending()).toBe(false);
    expect(machine.ioapicDriver.readEntry(10)![0] & 0x4000).toBe(0);
  });

  it("masking an edge line drops its edges; unmasking lets new ones through", () => {
    const machine = createMachine();
    machine.router.routeIsaIrq(5, 0x25, 1);
    let calls = 0;
    machine.dispatcher.register(0x25, () => calls++);
    expect(machine.controller.maskIrq(5)).toBe(true);
    machine.ioapic.inputs[5]!.pulse();
    machine.drain(1);
    expect(calls).toBe(0);
    expect(machine.controller.unmaskIrq(5)).toBe(true);
    machine.ioapic.inputs[5]!.pulse();
    machine.drain(1);
    expect(calls).toBe(1);
  });

  it("honours a level, active-low override: idle high delivers nothing, low delivers once per assertion", () => {
    const machine = createMachine();
    const line = machine.ioapic.inputs[9]!;
    line.raise(); // the device idles high
    const router = new IrqRouter([machine.ioapicDriver], [isaOverrideFromMadt(9, 9, 0xf)]);
    expect(router.routeIsaIrq(9, 0x39, 0).ok).toBe(true);
    let calls = 0;
    machine.dispatcher.register(0x39, () => {
      calls++;
      line.raise(); // the handler services the device: deasserted (high)
    });
    machine.drain(0);
    expect(calls).toBe(0);
    line.lower(); // asserted
    machine.drain(0);
    expect(calls).toBe(1);
  });
});

describe("IPIs between the emulated CPUs", () => {
  it("an IPI from CPU 0 reaches CPU 1 only", () => {
    const machine = createMachine();
    const seen: number[] = [];
    machine.dispatcher.register(0xf0, (frame: TrapFrame) => seen.push(frame.cpuId));
    machine.setCurrentCpu(0);
    expect(machine.controller.sendIpi(1, 0xf0)).toBe(true);
    expect(machine.lapics[0]!.hasPending()).toBe(false);
    expect(machine.drain(1)).toBe(1);
    expect(seen).toEqual([1]);
    expect(machine.statistics.count(1, 0xf0)).toBe(1);
    expect(machine.statistics.count(0, 0xf0)).toBe(0);
  });

  it("broadcast to all-excluding-self reaches every other CPU", () => {
    const machine = createMachine(3);
    machine.dispatcher.register(0xf1, () => {});
    machine.lapicDrivers[1]!.broadcastIpi(0xf1, ICR_SHORTHAND.ALL_EXCLUDING_SELF);
    expect([0, 1, 2].map((cpu) => machine.drain(cpu))).toEqual([1, 0, 1]);
  });

  it("INIT-SIPI-SIPI reaches CPU 1 with the start page at the SDM's delays", () => {
    const machine = createMachine();
    let done = false;
    startApplicationProcessor({
      lapic: machine.lapicDrivers[0]!,
      clock: machine.timeline,
      apicId: 1,
      startAddress: 0x7000,
      onDone: (result) => {
        done = result.ok;
      },
    });
    const target = machine.lapics[1]!;
    expect(target.stats.initsReceived).toBe(1);
    // Each STARTUP reaches CPU 1's LAPIC exactly at its SDM delay: 10 ms after INIT, then 200 µs later.
    const firstSipi = MACHINE_HZ / 100;
    const secondSipi = firstSipi + MACHINE_HZ / 5000;
    const startupsBy = (cycle: number) => {
      machine.timeline.advanceTo(cycle);
      return target.stats.startupsReceived;
    };
    expect([firstSipi - 1, firstSipi, secondSipi - 1, secondSipi].map(startupsBy)).toEqual([0, 1, 1, 2]);
    expect(target.stats.lastStartupVector).toBe(7);
    machine.timeline.advanceTo(MACHINE_HZ / 50);
    expect(done).toBe(true);
    // The first STARTUP starts the parked CPU; a running CPU ignores the second.
    expect(machine.startups).toEqual([{ apicId: 1, vector: 7, at: firstSipi }]);
  });
});

describe("legacy devices through IOAPIC → LAPIC → handler", () => {
  it("an injected key arrives as its set-1 scancodes through IRQ 1", () => {
    const machine = createMachine();
    expect(machine.router.routeIsaIrq(1, 0x21, 0).ok).toBe(true);
    const scancodes: number[] = [];
    machine.dispatcher.register(0x21, () => {
      while ((machine.i8042.in8(0x64) & 1) !== 0) scancodes.push(machine.i8042.in8(0x60));
    });
    machine.keyboard.pressKey("KeyA");
    machine.drain(0);
    machine.keyboard.releaseKey("KeyA");
    machine.drain(0);
    expect(scancodes).toEqual([0x1e, 0x9e]);
    expect(machine.statistics.count(0, 0x21)).toBe(2);
  });

  it("UART output bytes arrive on the host side in order, driven by THR-empty interrupts on IRQ 4", () => {
    const machine = createMachine();
    expect(machine.router.routeIsaIrq(4, 0x24, 1).ok).toBe(true);
    const base = 0x3f8;
    const message = [...new TextEncoder().encode("hello, apic\n")];
    let next = 0;
    machine.dispatcher.register(0x24, () => {
      for (;;) {
        const iir = machine.uart.in8(base + 2);
        if ((iir & 1) !== 0) break; // no interrupt pending
        if ((iir & 0x0e) === 0x02) {
          if (next < message.length) machine.uart.out8(base, message[next++]!);
          else machine.uart.out8(base + 1, 0); // all sent: disable THRE interrupts
        }
      }
    });
    machine.uart.out8(base + 4, 0x08); // MCR OUT2: connect the IRQ line
    machine.uart.out8(base + 1, 0x02); // IER: THR empty
    machine.drain(1);
    expect(machine.uartOutput).toEqual(message);
  });
});
