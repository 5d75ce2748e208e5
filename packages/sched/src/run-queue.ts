/**
 * One CPU's run queue: a queue per policy in priority order (realtime
 * before normal, as Linux's class chain), the task running now, the CPU's
 * idle task, the need-resched flag, and per-CPU statistics.
 *
 * Invariants: `current` is the task RUNNING on this CPU, or `idle`; the
 * idle task is in no policy queue; `lastAccounted` is the virtual time up
 * to which `current`'s runtime has been charged.
 */
import type { PolicyQueue, QueuedTaskSnapshot, SchedPolicy } from "./policy";
import { SCHED_CLASS, TASK_STATE, Task } from "./task";

/** Per-CPU scheduler statistics (each CPU writes only its own). */
export class RunQueueStats {
  /** Context switches (a different task was loaded). */
  switches = 0;
  /** Timer ticks handled. */
  ticks = 0;
  /** Ticks that set need-resched. */
  reschedulingTicks = 0;
  /** ns the CPU spent in its idle task. */
  idleNs = 0;
  /** Wake-ups placed on this CPU. */
  wakeups = 0;
  /** Wake-ups that preempted the running task. */
  wakeupPreemptions = 0;
  /** Tasks this CPU pulled from others (load balancing). */
  pulled = 0;
  /** Reschedule requests sent to this CPU from others. */
  reschedulingIpis = 0;
}

/** A CPU's queues and state. */
export class CpuRunQueue {
  /** Queues, in the scheduler's policy order. */
  readonly queues: PolicyQueue[];
  /** This CPU's idle task (id −1 − cpu). */
  readonly idle: Task;
  /** The task running now. */
  current: Task;
  /** The running task should give up the CPU at the next return to user mode. */
  needResched = false;
  /** A periodic balance is due (set by the tick, done on the way back to user mode). */
  balanceDue = false;
  /** Virtual time up to which the current task has been charged. */
  lastAccounted = 0;
  /** When the last periodic balance ran. */
  lastBalance = 0;
  /** The current task is switching out by its own choice (blocked, yielded, exited). */
  voluntary = false;
  /** The current task is switching out because a better task woke (not because its slice ended). */
  preempted = false;
  /** Statistics. */
  readonly stats = new RunQueueStats();

  constructor(
    readonly cpu: number,
    policies: readonly SchedPolicy[],
  ) {
    this.queues = policies.map((policy) => policy.createQueue(cpu));
    this.idle = new Task({ id: -1 - cpu, schedClass: SCHED_CLASS.IDLE, name: `idle/${cpu}` });
    this.idle.state = TASK_STATE.RUNNING;
    this.idle.cpu = cpu;
    this.current = this.idle;
  }

  /** Runnable tasks here, the running one included (the idle task not counted). */
  get load(): number {
    let load = 0;
    for (const queue of this.queues) load += queue.load;
    return load;
  }

  /** The best queued task, removed from its queue's order, or null. */
  pickNext(now: number): Task | null {
    for (const queue of this.queues) {
      const task = queue.pickNext(now);
      if (task !== null) return task;
    }
    return null;
  }
}

/** One queue of a CPU snapshot. */
export interface PolicyQueueSnapshot {
  /** Policy name. */
  readonly policy: string;
  /** Tasks in the load (waiting + running). */
  readonly load: number;
  /** Waiting tasks, in the policy's order. */
  readonly waiting: QueuedTaskSnapshot[];
}

/** A CPU's state for reports. */
export interface RunQueueSnapshot {
  /** CPU id. */
  readonly cpu: number;
  /** Id and name of the running task (the idle task has a negative id). */
  readonly current: { readonly id: number; readonly name: string };
  /** Need-resched flag. */
  readonly needResched: boolean;
  /** Per-policy queues. */
  readonly queues: PolicyQueueSnapshot[];
  /** Statistics (a copy). */
  readonly stats: RunQueueStats;
}
