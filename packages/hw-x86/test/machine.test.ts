/**
 * The Machine end to end: guest code on the emulated CPUs, LAPIC timer and
 * IPI interrupts through the IDT to TypeScript handlers, virtual time,
 * idle fast-forward, determinism and the stop reasons.
 */
import { describe, expect, it } from "vitest";
import { LVT_TIMER_MODE } from "../src/arch/lapic-lvt";
import { LAPIC } from "../src/arch/lapic-registers";
import { MSR } from "../src/arch/msr";
import { Machine, type MachineOptions } from "../src/emu/machine";
import { SLOT, writeBig } from "../src/interfaces/cpu-context";
import type { TrapFrame } from "../src/interfaces/trap-frame";
import { CODE, Harness, TRAP_KIND } from "./cpu-harness";

const TIMER_VECTOR = 0x40;
const IPI_VECTOR = 0x50;
const SPURIOUS_VECTOR = 0xff;
const SPIN = "ebfe"; // jmp $
const SYSCALL_THEN_SPIN = "0f05 ebfe"; // syscall; jmp $

/** A machine whose CPU 0 runs `code` at CPL 3 with IF = 1, and the harness that set it up. */
function boot(code: string, options: MachineOptions = {}) {
  const machine = new Machine({ memoryBytes: 32 * 1024 * 1024, ...options });
  const harness = new Harness({ ...machine, cpu: machine.cpus[0]! });
  harness.load(code);
  for (const lapic of machine.lapics) lapic.write32(LAPIC.SVR, 0x100 | SPURIOUS_VECTOR);
  return { machine, harness };
}

/** Points CPU `id` at the harness's page tables, IDT and SYSCALL entry, running `jmp $`. */
function shareKernel(machine: Machine, harness: Harness, id: number): void {
  const cpu = machine.cpus[id]!;
  cpu.cr3 = harness.cpu.cr3;
  const { base, limit } = harness.cpu.idtr;
  cpu.setIdtr(base, limit);
  cpu.msrs.write(MSR.LSTAR, harness.cpu.msrs.read(MSR.LSTAR)!);
}

/** Runs a periodic LAPIC timer under a spinning guest; returns the TSC at each tick's handler. */
function periodicTicks(period: number, cycles: number): { ticks: number[]; retired: number } {
  const { machine, harness } = boot(SPIN);
  const ticks: number[] = [];
  harness.onTrap = (frame) => {
    expect(frame.vector).toBe(TIMER_VECTOR);
    ticks.push(machine.cpus[0]!.tsc);
    machine.lapics[0]!.write32(LAPIC.EOI, 0);
  };
  const lapic = machine.lapics[0]!;
  lapic.write32(LAPIC.TIMER_DIVIDE, 0xb); // divide by 1
  lapic.write32(LAPIC.LVT_TIMER, TIMER_VECTOR | (LVT_TIMER_MODE.PERIODIC << 17));
  lapic.write32(LAPIC.TIMER_INITIAL_COUNT, period);
  expect(machine.run(cycles)).toEqual({ reason: "cycle-limit" });
  return { ticks, retired: machine.cpus[0]!.retiredInstructions };
}

/**
 * Timer ticks under a guest computing in a loop: for each tick, the TSC, the
 * interrupted RIP and the registers the loop changes.
 */
function ticksUnderLoop(options: MachineOptions): string[] {
  // mov ecx, 400000; l: add rax, rcx; imul rbx, rax; xor rdx, rbx; dec ecx; jnz l; jmp $
  const { machine, harness } = boot("b9801a0600 4801c8 480fafd8 4831da ffc9 75f2 ebfe", options);
  const seen: string[] = [];
  harness.onTrap = (frame) => {
    expect(frame.vector).toBe(TIMER_VECTOR);
    const regs = frame.context.regs;
    seen.push(
      `${machine.cpus[0]!.tsc} rip=${regs[SLOT.RIP * 2]} rax=${regs[0]}:${regs[1]} rbx=${regs[6]}:${regs[7]} rdx=${regs[4]}`,
    );
    machine.lapics[0]!.write32(LAPIC.EOI, 0);
  };
  const lapic = machine.lapics[0]!;
  lapic.write32(LAPIC.TIMER_DIVIDE, 0xb);
  lapic.write32(LAPIC.LVT_TIMER, TIMER_VECTOR | (LVT_TIMER_MODE.PERIODIC << 17));
  lapic.write32(LAPIC.TIMER_INITIAL_COUNT, 3_337);
  expect(machine.run(300_000)).toEqual({ reason: "cycle-limit" });
  return seen;
}

describe("Machine", () => {
  it("delivers interrupts at the same instruction, with the same registers, with compiled blocks as without", () => {
    const interpreted = ticksUnderLoop({ compileBlocks: false });
    const compiled = ticksUnderLoop({ compileBlocks: true, blockThreshold: 1 });
    expect(interpreted.length).toBeGreaterThan(80);
    expect(compiled).toEqual(interpreted);
  });

  it("delivers periodic LAPIC timer interrupts to the IDT handler at the programmed virtual times", () => {
    // A period that is not a multiple of the slice: slices must end at the timer event.
    const { ticks, retired } = periodicTicks(10_050, 101_000);
    expect(ticks).toEqual(Array.from({ length: 10 }, (_, index) => (index + 1) * 10_050));
    // The guest spun the whole time, minus one cycle per interrupt delivery.
    expect(retired).toBe(101_000 - 10);
  });

  it("is deterministic: the same run gives the same ticks and instruction count", () => {
    expect(periodicTicks(7_777, 200_000)).toEqual(periodicTicks(7_777, 200_000));
  });

  it("fast-forwards an idle CPU to a TSC-deadline interrupt 5 virtual seconds away", () => {
    const { machine, harness } = boot(SYSCALL_THEN_SPIN);
    const cpu = machine.cpus[0]!;
    const deadline = 5_000_000_000;
    let wokeAt = -1;
    harness.onTrap = (frame: TrapFrame) => {
      if (frame.kind === TRAP_KIND.SYSCALL) {
        // The "kernel" arms the deadline and halts the CPU until it fires.
        machine.lapics[0]!.write32(LAPIC.LVT_TIMER, TIMER_VECTOR | (LVT_TIMER_MODE.TSC_DEADLINE << 17));
        machine.msrs(0).writeHalves(MSR.TSC_DEADLINE, deadline % 2 ** 32, Math.floor(deadline / 2 ** 32));
        cpu.idle();
        return;
      }
      wokeAt = cpu.tsc;
      machine.lapics[0]!.write32(LAPIC.EOI, 0);
      machine.stop();
    };
    expect(machine.run()).toEqual({ reason: "stopped" });
    expect(wokeAt).toBe(deadline);
    expect(machine.timeline.now()).toBeGreaterThanOrEqual(deadline);
    expect(cpu.retiredInstructions).toBeLessThan(100);
    // The idle time was skipped in one jump, not spent in millions of slices.
    expect(machine.stats.fastForwards).toBe(1);
    expect(machine.stats.fastForwardedCycles).toBeGreaterThan(deadline - 1000);
    expect(machine.stats.slices).toBeLessThan(10);
  });

  it("spin lets time pass outside run: the timeline and every started CPU's TSC move together", () => {
    const machine = new Machine({ memoryBytes: 32 * 1024 * 1024, cpuCount: 2 });
    const before = machine.cpus[0]!.tsc;
    machine.spin(5_000);
    machine.spin(0);
    machine.spin(-3);
    expect(machine.timeline.now()).toBe(5_000);
    expect(machine.cpus[0]!.tsc - before).toBe(5_000);
    expect(machine.cpus[1]!.tsc - before).toBe(5_000);
  });

  it("stops with all-idle when every CPU halts and nothing is scheduled", () => {
    const { machine, harness } = boot(SYSCALL_THEN_SPIN);
    harness.onTrap = () => machine.cpus[0]!.idle();
    expect(machine.run()).toEqual({ reason: "all-idle" });
  });

  it("starts a parked CPU with INIT-SIPI and wakes it with an IPI from CPU 0", () => {
    const started: number[][] = [];
    const { machine, harness } = boot(SYSCALL_THEN_SPIN, {
      cpuCount: 2,
      onStartup: (id, vector) => {
        started.push([id, vector]);
        // INIT left the AP's LAPIC software-disabled; its start-up code enables it again.
        machine.lapics[id]!.write32(LAPIC.SVR, 0x100 | SPURIOUS_VECTOR);
      },
    });
    shareKernel(machine, harness, 1);
    expect(machine.isStarted(1)).toBe(false);
    const delivered: number[][] = [];
    harness.onTrap = (frame) => {
      if (frame.kind === TRAP_KIND.SYSCALL) {
        const lapic = machine.lapics[0]!;
        lapic.write32(LAPIC.ICR_HIGH, 1 << 24);
        lapic.write32(LAPIC.ICR_LOW, 0x4500); // INIT, assert
        lapic.write32(LAPIC.ICR_LOW, 0x4608); // STARTUP, vector 8
        lapic.write32(LAPIC.ICR_LOW, 0x4000 | IPI_VECTOR); // fixed IPI
        return;
      }
      delivered.push([frame.cpuId, frame.vector]);
      machine.lapics[frame.cpuId]!.write32(LAPIC.EOI, 0);
      machine.stop();
    };
    expect(machine.run(1_000_000)).toEqual({ reason: "stopped" });
    expect(started).toEqual([[1, 8]]);
    expect(machine.isStarted(1)).toBe(true);
    expect(delivered).toEqual([[1, IPI_VECTOR]]);
  });

  it("does not skip time or stop while an idle CPU has an IPI sent after its turn", () => {
    const { machine, harness } = boot(SYSCALL_THEN_SPIN, {
      cpuCount: 2,
      onStartup: (id) => {
        machine.lapics[id]!.write32(LAPIC.SVR, 0x100 | SPURIOUS_VECTOR);
        const cpu = machine.cpus[id]!;
        writeBig(cpu.context.regs, SLOT.RIP, BigInt(CODE));
        writeBig(cpu.context.regs, SLOT.RFLAGS, 0x202n);
        expect(cpu.loadContext()).toBe(true);
      },
    });
    shareKernel(machine, harness, 1);
    const boot0 = machine.lapics[0]!;
    boot0.write32(LAPIC.ICR_HIGH, 1 << 24);
    boot0.write32(LAPIC.ICR_LOW, 0x4500); // INIT
    boot0.write32(LAPIC.ICR_LOW, 0x4608); // STARTUP: CPU 1 now runs the same code
    const delivered: number[][] = [];
    harness.onTrap = (frame) => {
      const cpu = machine.cpus[frame.cpuId]!;
      if (frame.kind === TRAP_KIND.SYSCALL) {
        if (frame.cpuId === 1) {
          // CPU 1 runs after CPU 0 in each slice: CPU 0 is already idle when this IPI arrives.
          machine.lapics[1]!.write32(LAPIC.ICR_HIGH, 0);
          machine.lapics[1]!.write32(LAPIC.ICR_LOW, 0x4000 | IPI_VECTOR);
        }
        cpu.idle();
        return;
      }
      delivered.push([frame.cpuId, frame.vector, machine.timeline.now()]);
      machine.lapics[frame.cpuId]!.write32(LAPIC.EOI, 0);
      machine.stop();
    };
    expect(machine.run(1_000_000)).toEqual({ reason: "stopped" });
    expect(delivered).toEqual([[0, IPI_VECTOR, machine.sliceCycles]]);
    expect(machine.stats.fastForwards).toBe(0);
  });

  it("reports a triple fault as a shutdown of that CPU, without throwing", () => {
    const { machine } = boot("0f0b"); // ud2
    machine.cpus[0]!.setIdtr(0n, 0); // no usable gate: #UD → #DF → shutdown
    const stop = machine.run(10_000);
    expect(stop.reason).toBe("shutdown");
    expect(stop.cpuId).toBe(0);
    expect(stop.detail).not.toBe("");
  });

  it("sends COM1 output to the host and counts unclaimed ports", () => {
    const bytes: number[] = [];
    const machine = new Machine({ memoryBytes: 4096 * 16, onSerialOutput: (byte) => bytes.push(byte) });
    for (const byte of Buffer.from("ok\n")) machine.bus.out8(0x3f8, byte);
    expect(String.fromCharCode(...bytes)).toBe("ok\n");
    expect(machine.bus.in8(0x2f8)).toBe(0xff);
    expect(machine.bus.stats.unclaimedPortReads).toBe(1);
  });

  it("refuses impossible configurations with a clear error", () => {
    expect(() => new Machine({ cpuCount: 0 })).toThrow(/cpuCount 0/);
    expect(() => new Machine({ memoryBytes: 1000 })).toThrow(/multiple of 4096/);
    expect(() => new Machine({ memoryBytes: 4096, sliceCycles: 0 })).toThrow(/sliceCycles/);
  });
});
