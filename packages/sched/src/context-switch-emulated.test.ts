/**
 * Register state across thousands of preemptive switches on the emulated
 * CPU: three tasks run the same real x86-64 loop (increment every GPR but
 * RSP, then PADDD into XMM0 and XMM8), each from its own register seeds; a
 * timer interrupt (vector 32) every few thousand instructions enters the
 * "kernel", which ticks and schedules with the trap frame's context, and the
 * CPU returns by IRET into whichever task was loaded. If a switch lost or
 * mixed any register, the per-task counts would disagree.
 */
import { CR0, CR4, GPR, SLOT } from "@tsos/hw-x86";
import { EmulatedCpu } from "@tsos/testing";
import { describe, expect, it } from "vitest";
import { FairPolicy } from "./fair-policy";
import { Scheduler } from "./scheduler";
import { Task } from "./task";

const CODE = 0x401000;
const INCREMENT = [
  GPR.RAX,
  GPR.RCX,
  GPR.RDX,
  GPR.RBX,
  GPR.RBP,
  GPR.RSI,
  GPR.RDI,
  8,
  9,
  10,
  11,
  12,
  13,
  14,
  15,
];
const LOOP = `${INCREMENT.map((reg) => (reg < 8 ? `48ffc${reg.toString(16)}` : `49ffc${(reg - 8).toString(16)}`)).join("")} 660ffec1 66450ffec1 ebc8`;
const TIMER_VECTOR = 32;

function seed(task: number, reg: number): number {
  return ((task + 1) * 0x01000000 + reg * 0x10000) >>> 0;
}

const DEVICE_NOT_AVAILABLE = 7;

describe("context switch on the emulated CPU", () => {
  for (const lazyFpu of [false, true]) {
    it(`every GPR, RIP, RFLAGS and XMM register survives 1,000+ timer-driven switches between three tasks (${lazyFpu ? "lazy" : "eager"} FPU)`, () => {
      const timer = {
        pending: false,
        hasPending: () => timer.pending,
        acknowledge: () => {
          timer.pending = false;
          return TIMER_VECTOR;
        },
      };
      const machine = new EmulatedCpu({ interrupts: timer });
      machine.cpu.cr4 = machine.cpu.cr4 | CR4.OSFXSR;
      machine.loadCode(CODE, LOOP);
      const start = machine.cpu.context;
      const scheduler = new Scheduler({
        cpuCount: 1,
        clock: () => machine.cpu.retiredInstructions,
        policies: [new FairPolicy({ targetLatencyNs: 20_000, minGranularityNs: 5_000, tickNs: 5_000 })],
        lazyFpu,
        hooks: {
          setFpuTrap: (_cpu, armed) => {
            machine.cpu.cr0 = armed ? machine.cpu.cr0 | CR0.TS : machine.cpu.cr0 & ~CR0.TS;
          },
        },
      });
      let fpuTraps = 0;
      const tasks = [0, 1, 2].map((index) => {
        const task = new Task({ id: index + 1, context: start });
        for (const reg of INCREMENT) {
          task.context.regs[reg * 2] = seed(index, reg);
          task.context.regs[reg * 2 + 1] = index + 1;
        }
        for (let lane = 0; lane < 4; lane++) {
          task.context.xmm[0 * 4 + lane] = (index + 1) * 1000 + lane;
          task.context.xmm[1 * 4 + lane] = 1;
          task.context.xmm[8 * 4 + lane] = (index + 1) * 2000 + lane;
          task.context.xmm[9 * 4 + lane] = 1;
        }
        task.context.mxcsr = 0x1f80 | (index << 13); // a different rounding mode each
        scheduler.start(task, 0);
        return task;
      });
      const faults: number[] = [];
      machine.onException = (frame, cpu) => {
        if (frame.vector === DEVICE_NOT_AVAILABLE && scheduler.fpuTrap(0, frame.context)) {
          fpuTraps++;
          return;
        }
        if (frame.vector !== TIMER_VECTOR) {
          faults.push(frame.vector);
          cpu.requestStop();
          return;
        }
        scheduler.tick(0);
        scheduler.schedule(0, frame.context);
      };
      scheduler.schedule(0, machine.cpu.context);
      expect(machine.cpu.loadContext()).toBe(true);

      for (let interrupt = 0; interrupt < 4000; interrupt++) {
        machine.run(500 + ((interrupt * 7919) % 4000));
        timer.pending = true;
        machine.cpu.notifyInterrupt();
      }
      machine.run(1); // deliver the last interrupt: every task's state is now in its saved context or the CPU's
      expect(faults).toEqual([]);
      expect(scheduler.runQueues[0]!.stats.switches).toBeGreaterThan(1000);

      const switches = scheduler.runQueues[0]!.stats.switches;
      if (lazyFpu) expect(fpuTraps > 100 && fpuTraps <= switches).toBe(true);
      else expect(fpuTraps).toBe(0);
      const running = scheduler.current(0);
      const owner = lazyFpu ? scheduler.fpuOwnerOf(0) : running;
      for (const [index, task] of tasks.entries()) {
        const context = {
          regs: task === running ? machine.cpu.context.regs : task.context.regs,
          xmm: task === owner ? machine.cpu.context.xmm : task.context.xmm,
          mxcsr: task === owner ? machine.cpu.context.mxcsr : task.context.mxcsr,
        };
        // Counts in program order: each may be one ahead of the next (interrupted mid-iteration), never more.
        const counts = INCREMENT.map((reg) => {
          expect([task.id, reg, context.regs[reg * 2 + 1]]).toEqual([task.id, reg, index + 1]);
          return context.regs[reg * 2]! - seed(index, reg);
        });
        counts.push(context.xmm[0]! - (index + 1) * 1000, context.xmm[8 * 4]! - (index + 1) * 2000);
        for (let lane = 1; lane < 4; lane++) {
          expect(context.xmm[lane]! - ((index + 1) * 1000 + lane)).toBe(counts[INCREMENT.length]);
          expect(context.xmm[8 * 4 + lane]! - ((index + 1) * 2000 + lane)).toBe(counts[INCREMENT.length + 1]);
        }
        for (let position = 1; position < counts.length; position++) {
          const step = counts[position - 1]! - counts[position]!;
          expect([task.id, position, step === 0 || step === 1]).toEqual([task.id, position, true]);
        }
        expect(counts[0]).toBeGreaterThan(10_000);
        expect(context.mxcsr).toBe(0x1f80 | (index << 13));
        const rip = context.regs[SLOT.RIP * 2]!;
        expect(rip >= CODE && rip < CODE + 56).toBe(true);
        expect(context.regs[SLOT.RFLAGS * 2]! & 0x200).toBe(0x200);
      }
    });
  }
});
