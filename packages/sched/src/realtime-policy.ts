/**
 * The realtime policy: SCHED_FIFO and SCHED_RR as Linux's rt class
 * (sched(7)), above the normal class in the run queue's chain.
 *
 * Scheme. One {@link ListPolicyQueue} per CPU with 100 levels indexed by
 * `task.rtPriority` (1..99; level 0 stays empty). A higher priority always
 * runs first and preempts a lower one at wake-up. A FIFO task runs until it
 * blocks or yields: it is never time-sliced (`charge` never asks it off the
 * CPU, its `sliceLeft` stays 0). An RR task gets `rrSliceNs` (default
 * 100 ms, Linux's sched_rr_timeslice_ms) and, when that runs out while a
 * task of its priority or above waits, goes to the back of its level with a
 * fresh slice; alone at its level it runs on with a fresh slice. A preempted
 * task resumes at the head of its level; a yielding one goes to the back.
 *
 * Snapshot: `key` is the realtime priority, `deadline` 0, `sliceLeft` the
 * RR slice left (0 for FIFO), `eligible` true.
 *
 * Invariants: those of {@link ListPolicyQueue}; every queued task is FIFO
 * or RR with `rtPriority` in 1..99 (the level is checked on linking).
 */
import { ListPolicyQueue } from "./list-policy-queue";
import type { SchedPolicy } from "./policy";
import { RT_PRIORITY_MAX, SCHED_CLASS, type Task } from "./task";

/** Configuration of {@link RealtimePolicy}. */
export interface RealtimeConfig {
  /** SCHED_RR time slice (ns; default 100 ms, Linux's sched_rr_timeslice_ms). */
  readonly rrSliceNs?: number;
}

/** Defaults of {@link RealtimeConfig}. */
export const REALTIME_DEFAULTS = {
  rrSliceNs: 100_000_000,
} as const;

/** Levels of a realtime queue: one per priority 0..99 (0 unused, as Linux's MAX_RT_PRIO). */
const REALTIME_LEVELS = RT_PRIORITY_MAX + 1;

/** SCHED_FIFO and SCHED_RR. */
export class RealtimePolicy implements SchedPolicy {
  readonly name = "rt";
  /** The SCHED_RR slice (ns). */
  readonly rrSliceNs: number;

  constructor(config: RealtimeConfig = {}) {
    this.rrSliceNs = config.rrSliceNs ?? REALTIME_DEFAULTS.rrSliceNs;
    if (!(this.rrSliceNs > 0 && Number.isFinite(this.rrSliceNs)))
      throw new RangeError(`RealtimePolicy: rrSliceNs ${this.rrSliceNs} must be positive and finite`);
  }

  handles(task: Task): boolean {
    return task.realtime;
  }

  createQueue(cpu: number): RealtimeQueue {
    return new RealtimeQueue(cpu, this.rrSliceNs);
  }
}

/** One CPU's realtime queue. */
export class RealtimeQueue extends ListPolicyQueue {
  constructor(
    cpu: number,
    /** The SCHED_RR slice (ns). */
    readonly rrSliceNs: number,
  ) {
    super(cpu, REALTIME_LEVELS);
  }

  protected handles(task: Task): boolean {
    return task.realtime;
  }

  protected levelOf(task: Task): number {
    return task.rtPriority;
  }

  protected sliceOf(task: Task): number {
    return task.schedClass === SCHED_CLASS.RR ? this.rrSliceNs : 0;
  }
}
