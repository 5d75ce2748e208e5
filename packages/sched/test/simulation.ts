/**
 * A deterministic driver for scheduler tests and benchmarks: a virtual
 * clock in ns, a periodic tick on every CPU, and the kernel's half of the
 * protocol (tick, then schedule on the way back to user mode). Tasks are
 * CPU-bound unless a test blocks and wakes them through the hooks.
 */
import { type SchedPolicy, Scheduler, type SchedulerOptions, Task, type TaskOptions } from "../src";

/** Options of {@link Simulation}. */
export interface SimulationOptions {
  readonly cpuCount?: number;
  readonly tickNs?: number;
  readonly policies?: readonly SchedPolicy[];
  readonly balanceIntervalNs?: number;
  readonly hooks?: SchedulerOptions<unknown>["hooks"];
}

/** A scheduler on a virtual clock. */
export class Simulation {
  now = 0;
  readonly scheduler: Scheduler;
  readonly tickNs: number;
  private nextId = 1;
  /** Called after each tick+schedule of each CPU (tests hook wake-ups and blocks here). */
  onStep: (cpu: number) => void = () => {};

  constructor(options: SimulationOptions = {}) {
    this.tickNs = options.tickNs ?? 1_000_000;
    this.scheduler = new Scheduler({
      cpuCount: options.cpuCount ?? 1,
      clock: () => this.now,
      ...(options.policies === undefined ? {} : { policies: options.policies }),
      ...(options.balanceIntervalNs === undefined ? {} : { balanceIntervalNs: options.balanceIntervalNs }),
      ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
    });
  }

  /** A new started task. */
  spawn(options: Omit<TaskOptions<unknown>, "id"> = {}, cpu = -1): Task {
    const task = new Task({ id: this.nextId++, ...options });
    this.scheduler.start(task, cpu);
    for (let index = 0; index < this.scheduler.cpuCount; index++) this.scheduler.schedule(index);
    return task;
  }

  /** Advances time by `ns` in ticks; every CPU ticks and schedules at each tick. */
  run(ns: number): void {
    const end = this.now + ns;
    while (this.now < end) {
      this.now = Math.min(this.now + this.tickNs, end);
      for (let cpu = 0; cpu < this.scheduler.cpuCount; cpu++) {
        this.scheduler.tick(cpu);
        this.scheduler.schedule(cpu);
        this.onStep(cpu);
      }
    }
  }
}
