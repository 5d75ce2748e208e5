import { FPU_WORDS } from "@tsos/hw-x86";
import { describe, expect, it } from "vitest";
import { Simulation } from "../test/simulation";
import { CpuSet } from "./cpu-set";
import { weightOfNice } from "./fair-weights";
import { SCHED_CLASS, TASK_STATE, type Task } from "./task";

const MS = 1_000_000;

describe("fair shares (EEVDF)", () => {
  it("CPU-bound tasks with different nice values get CPU within 2 % of their weights", () => {
    const sim = new Simulation({ tickNs: MS / 4 });
    const nices = [-5, 0, 0, 3, 7, 12];
    const tasks = nices.map((nice) => sim.spawn({ nice }));
    sim.run(20_000 * MS);
    const totalWeight = nices.reduce((sum, nice) => sum + weightOfNice(nice), 0);
    const totalTime = tasks.reduce((sum, task) => sum + task.accounting.userTime, 0);
    expect(totalTime).toBe(sim.now);
    for (const [index, task] of tasks.entries()) {
      const expected = weightOfNice(nices[index]!) / totalWeight;
      const share = task.accounting.userTime / totalTime;
      expect([nices[index], Math.abs(share - expected) / expected < 0.02]).toEqual([nices[index], true]);
    }
  });

  it("the slice adapts: target latency ÷ runnable tasks, never below the minimum granularity", () => {
    for (const [count, slice] of [
      [1, 6 * MS],
      [2, 3 * MS],
      [4, 1.5 * MS],
      [8, 0.75 * MS],
      [32, 0.75 * MS],
    ] as const) {
      const sim = new Simulation();
      const tasks = Array.from({ length: count }, () => sim.spawn());
      sim.run(200 * MS);
      // Every task has started at least one full request with the current load.
      const slices = new Set(tasks.map((task) => task.fair.slice));
      expect([count, [...slices]]).toEqual([count, [slice]]);
    }
  });
});

describe("latency and starvation", () => {
  /** Worst delay from wake-up to running of a task that wakes every 10 ms and runs 0.5 ms, among 16 CPU-bound tasks. */
  function worstWakeupDelay(requestNs: number): { delays: number; worst: number } {
    const sim = new Simulation({ tickNs: MS / 10 });
    for (let index = 0; index < 16; index++) sim.spawn();
    const interactive = sim.spawn({ requestNs });
    let wokenAt = -1;
    let ranFor = 0;
    const delays: number[] = [];
    sim.onStep = () => {
      const scheduler = sim.scheduler;
      if (scheduler.current(0) === interactive) {
        if (wokenAt >= 0) {
          delays.push(sim.now - wokenAt);
          wokenAt = -1;
        }
        ranFor += sim.tickNs;
        if (ranFor >= MS / 2) {
          ranFor = 0;
          scheduler.block(0);
          scheduler.schedule(0);
        }
      } else if (interactive.state === TASK_STATE.BLOCKED && sim.now % (10 * MS) === 0) {
        wokenAt = sim.now;
        scheduler.wake(interactive, 0);
      }
    };
    sim.run(3_000 * MS);
    return { delays: delays.length, worst: Math.max(...delays) };
  }

  it("a woken interactive task that asks for 0.5 ms requests runs within the target latency among 16 CPU-bound tasks", () => {
    const { delays, worst } = worstWakeupDelay(MS / 2);
    expect(delays).toBeGreaterThan(250);
    expect(worst).toBeLessThanOrEqual(6 * MS);
  });

  it("with the default adaptive request it still runs within one round of minimum slices (17 × 0.75 ms)", () => {
    const { delays, worst } = worstWakeupDelay(0);
    expect(delays).toBeGreaterThan(250);
    expect(worst).toBeLessThanOrEqual(17 * 0.75 * MS);
  });

  it("no task starves: over a long run every CPU-bound task gets within 5 % of an equal share", () => {
    const sim = new Simulation();
    const tasks = Array.from({ length: 40 }, () => sim.spawn());
    sim.run(10_000 * MS);
    for (const task of tasks) expect(task.accounting.userTime / sim.now).toBeCloseTo(1 / 40, 3);
  });

  it("a sleeper is not owed its whole sleep: after waking it does not run more than about a slice before others", () => {
    const sim = new Simulation({ tickNs: MS / 10 });
    const busy = [sim.spawn(), sim.spawn()];
    const sleeper = sim.spawn();
    sim.run(10 * MS);
    if (sim.scheduler.current(0) !== sleeper) {
      // Let it come up, then put it to sleep for a long time.
      while (sim.scheduler.current(0) !== sleeper) sim.run(sim.tickNs);
    }
    sim.scheduler.block(0);
    sim.scheduler.schedule(0);
    sim.run(2_000 * MS);
    const before = sleeper.accounting.userTime;
    sim.scheduler.wake(sleeper, 0);
    sim.run(30 * MS);
    // Fair would be a third of 30 ms; an unbounded sleeper credit would be all of it.
    expect(sleeper.accounting.userTime - before).toBeLessThan(18 * MS);
    expect(sleeper.accounting.userTime - before).toBeGreaterThan(5 * MS);
    for (const task of busy) expect(task.state).not.toBe(TASK_STATE.BLOCKED);
  });
});

describe("realtime over normal", () => {
  it("a realtime task preempts normal tasks at once and keeps the CPU while runnable (FIFO)", () => {
    const sim = new Simulation();
    const normal = [sim.spawn(), sim.spawn()];
    sim.run(5 * MS);
    const realtime = sim.spawn({ schedClass: SCHED_CLASS.FIFO, rtPriority: 10 });
    expect(sim.scheduler.current(0)).toBe(realtime);
    const before = normal.map((task) => task.accounting.userTime);
    sim.run(100 * MS);
    expect(normal.map((task) => task.accounting.userTime)).toEqual(before);
    sim.scheduler.block(0);
    expect(normal).toContain(sim.scheduler.schedule(0));
    sim.scheduler.wake(realtime, 0);
    expect(sim.scheduler.runQueues[0]!.needResched).toBe(true);
    expect(sim.scheduler.schedule(0)).toBe(realtime);
  });

  it("sched_setscheduler moves a running normal task into the realtime class", () => {
    const sim = new Simulation();
    const [first, second] = [sim.spawn(), sim.spawn()];
    const running = sim.scheduler.current(0);
    const other = running === first ? second : first;
    sim.scheduler.setScheduler(other, SCHED_CLASS.RR, 5);
    expect(sim.scheduler.schedule(0)).toBe(other);
    sim.run(50 * MS);
    expect(sim.scheduler.current(0)).toBe(other);
  });
});

describe("SMP placement and balancing", () => {
  it("8 CPU-bound tasks started on CPU 0 of 2 converge to 4 and 4", () => {
    const sim = new Simulation({ cpuCount: 2 });
    for (let index = 0; index < 8; index++) sim.spawn({}, 0);
    sim.run(20 * MS);
    expect(sim.scheduler.runQueues.map((runQueue) => runQueue.load)).toEqual([4, 4]);
  });

  it("an idle CPU pulls work within one balance interval, and affinity is respected", () => {
    const sim = new Simulation({ cpuCount: 2, balanceIntervalNs: 4 * MS });
    const pinned = Array.from({ length: 4 }, () => sim.spawn({ affinity: CpuSet.of(0) }, 0));
    expect(sim.scheduler.runQueues.map((runQueue) => runQueue.load)).toEqual([4, 0]);
    sim.run(20 * MS);
    expect(sim.scheduler.runQueues[1]!.load).toBe(0);
    const free = [sim.spawn({}, 0), sim.spawn({}, 0)];
    // Placement already prefers the idle CPU 1 for a start without a fixed CPU...
    sim.scheduler.setAffinity(free[0]!, CpuSet.of(0));
    sim.run(4 * MS);
    for (const task of pinned) expect(task.cpu).toBe(0);
    expect(free[0]!.cpu).toBe(0);
    expect(free[1]!.cpu).toBe(1);
    expect(sim.scheduler.runQueues.map((runQueue) => runQueue.load)).toEqual([5, 1]);
  });

  it("a wake-up goes to an idle allowed CPU and asks it to reschedule by IPI", () => {
    const ipis: number[] = [];
    const sim = new Simulation({ cpuCount: 3, hooks: { requestReschedule: (cpu) => ipis.push(cpu) } });
    const busy = sim.spawn({}, 0);
    const sleeper = sim.spawn({ affinity: CpuSet.of(0, 2) }, 0);
    sim.run(2 * MS);
    const cpu = sleeper.cpu;
    const onCpu = sim.scheduler.current(cpu) === sleeper;
    if (!onCpu) sim.run(MS);
    sim.scheduler.block(sleeper.cpu);
    sim.scheduler.schedule(sleeper.cpu);
    ipis.length = 0;
    sim.scheduler.wake(sleeper, 0);
    expect(sleeper.cpu).toBe(busy.cpu === 2 ? 0 : 2);
    expect(ipis).toEqual([sleeper.cpu]);
  });
});

describe("context switch", () => {
  it("saves the outgoing task's registers and loads the incoming one's; the address-space hook sees changes only", () => {
    const switches: [number | null, number | null][] = [];
    const sim = new Simulation({
      hooks: { switchAddressSpace: (_cpu, from, to) => switches.push([from as number, to as number]) },
    });
    const a = sim.spawn({ addressSpace: 1 });
    const b = sim.spawn({ addressSpace: 2 });
    const c = sim.spawn({ addressSpace: 2 });
    const tasks = [a, b, c];
    for (const task of tasks) task.context.regs.fill(task.id * 1000);
    const live = {
      regs: new Uint32Array(a.context.regs.length),
      xmm: new Uint32Array(a.context.xmm.length),
      mxcsr: 0,
      fpu: new Uint32Array(FPU_WORDS),
    };
    let running: Task = sim.scheduler.current(0);
    live.regs.set(running.context.regs);
    live.regs[3] = running.id * 1000 + 1;
    for (let step = 0; step < 3000; step++) {
      sim.now += MS;
      sim.scheduler.tick(0);
      const next = sim.scheduler.schedule(0, live);
      if (next !== running) {
        // The outgoing task's registers went into its saved context, the incoming ones came out.
        expect(running.context.regs[3]).toBe(running.id * 1000 + 1 + (step % 7));
        expect(live.regs[0]).toBe(next.id * 1000);
        running = next;
      }
      // The "user code" of the running task writes a register between switches.
      live.regs[3] = running.id * 1000 + 1 + ((step + 1) % 7);
      live.regs[0] = running.id * 1000;
    }
    expect(sim.scheduler.runQueues[0]!.stats.switches).toBeGreaterThan(1000);
    for (const [from, to] of switches) expect(from).not.toBe(to);
    expect(switches.length).toBeGreaterThan(100);
  });
});

describe("stop and resume (SIGSTOP, SIGCONT)", () => {
  it("a stopped task gets no CPU until resumed, then its share again; the others share its time meanwhile", () => {
    const sim = new Simulation();
    const [a, b, c] = [sim.spawn(), sim.spawn(), sim.spawn()] as [Task, Task, Task];
    sim.run(30 * MS);
    const queued = [a, b, c].find((task) => task.state === TASK_STATE.RUNNABLE)!;
    expect(sim.scheduler.stop(queued)).toBe(true);
    expect(queued.state).toBe(TASK_STATE.STOPPED);
    const before = queued.accounting.userTime;
    const others = [a, b, c].filter((task) => task !== queued);
    const othersBefore = others.map((task) => task.accounting.userTime);
    sim.run(300 * MS);
    expect(queued.accounting.userTime).toBe(before);
    others.forEach((task, index) => {
      expect(task.accounting.userTime - othersBefore[index]!).toBeGreaterThan(140 * MS);
    });
    expect(sim.scheduler.resume(queued)).toBe(true);
    const resumedAt = queued.accounting.userTime;
    sim.run(300 * MS);
    // Back to a third, give or take the lag it kept (at most a couple of slices).
    expect(queued.accounting.userTime - resumedAt).toBeGreaterThan(90 * MS);
    expect(queued.accounting.userTime - resumedAt).toBeLessThan(110 * MS);
  });

  it("a running task stops on its own CPU, which switches away saving its registers; SIGCONT from another CPU brings it back by IPI", () => {
    const ipis: number[] = [];
    const sim = new Simulation({ cpuCount: 2, hooks: { requestReschedule: (cpu) => ipis.push(cpu) } });
    const task = sim.spawn({}, 1);
    expect(sim.scheduler.current(1)).toBe(task);
    const live = {
      regs: new Uint32Array(task.context.regs.length),
      xmm: new Uint32Array(task.context.xmm.length),
      mxcsr: 0x1f80,
      fpu: new Uint32Array(FPU_WORDS),
    };
    live.regs.fill(7);
    expect(sim.scheduler.stop(task, 0)).toBe(false);
    expect(sim.scheduler.stop(task)).toBe(true);
    expect([task.state, sim.scheduler.runQueues[1]!.load]).toEqual([TASK_STATE.STOPPED, 0]);
    expect(sim.scheduler.schedule(1, live)).toBe(sim.scheduler.runQueues[1]!.idle);
    expect([...task.context.regs.slice(0, 4)]).toEqual([7, 7, 7, 7]);
    ipis.length = 0;
    expect(sim.scheduler.resume(task, 0)).toBe(true);
    expect(ipis).toEqual([1]);
    live.regs.fill(0);
    sim.scheduler.schedule(1, live);
    expect([sim.scheduler.current(1), live.regs[0]]).toEqual([task, 7]);
  });

  it("a task woken before its CPU switched away queues on that CPU and its registers are saved there", () => {
    const sim = new Simulation({ cpuCount: 2 });
    const task = sim.spawn({}, 0);
    const other = sim.spawn({ affinity: CpuSet.of(0) }, 0);
    const live = {
      regs: new Uint32Array(task.context.regs.length),
      xmm: new Uint32Array(task.context.xmm.length),
      mxcsr: 0x1f80,
      fpu: new Uint32Array(FPU_WORDS),
    };
    const running = sim.scheduler.current(0);
    live.regs.fill(running.id);
    sim.scheduler.block(0);
    expect(sim.scheduler.wake(running, 1)).toBe(true);
    expect([running.state, running.cpu, sim.scheduler.current(0)]).toEqual([
      TASK_STATE.RUNNABLE,
      0,
      sim.scheduler.runQueues[0]!.idle,
    ]);
    const next = sim.scheduler.schedule(0, live);
    if (next !== running) expect(running.context.regs[0]).toBe(running.id);
    expect([task, other]).toContain(next);
  });

  it("does nothing for sleeping, stopped or exited tasks, and resume nothing for tasks not stopped or never started", () => {
    const sim = new Simulation();
    const sleeper = sim.spawn();
    sim.scheduler.block(0);
    sim.scheduler.schedule(0);
    expect(sim.scheduler.stop(sleeper)).toBe(false);
    expect(sim.scheduler.resume(sleeper)).toBe(false);
    const unstarted = new (sleeper.constructor as typeof Task)({ id: 99 });
    expect(sim.scheduler.resume(unstarted)).toBe(false);
    expect(() => sim.scheduler.start(sleeper)).toThrow(/not stopped/);
    const runner = sim.spawn();
    sim.scheduler.stop(runner);
    expect(sim.scheduler.stop(runner)).toBe(false);
    expect(() => sim.scheduler.start(runner)).toThrow(/started already/);
  });
});
