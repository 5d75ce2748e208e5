/**
 * The round-robin policy: the simple reference policy for NORMAL tasks, to
 * compare the fair policy against. Strict priority by nice, a fixed quantum
 * shared round-robin among tasks of equal nice.
 *
 * Scheme. One {@link ListPolicyQueue} per CPU with 40 levels, level
 * `19 − nice` (nice −20 is level 39, the highest; nice 19 is level 0). A
 * higher level always runs first and preempts a lower one at wake-up (so,
 * unlike the fair policy, a low-nice task can starve higher-nice ones). Each
 * task gets `quantumNs` (default 10 ms); when it is used up while a task of
 * its level or above waits, the task goes to the back of its level with a
 * fresh quantum, else it runs on with a fresh quantum. A preempted task
 * resumes at the head of its level; a yielding one goes to the back.
 *
 * Snapshot: `key` is the level (19 − nice), `deadline` 0, `sliceLeft` the
 * quantum left, `eligible` true.
 *
 * Invariants: those of {@link ListPolicyQueue}; every queued task is NORMAL.
 */
import { ListPolicyQueue } from "./list-policy-queue";
import type { SchedPolicy } from "./policy";
import { NICE_MAX, NICE_MIN, SCHED_CLASS, type Task } from "./task";

/** Configuration of {@link RoundRobinPolicy}. */
export interface RoundRobinConfig {
  /** Quantum (ns; default 10 ms). */
  readonly quantumNs?: number;
}

/** Defaults of {@link RoundRobinConfig}. */
export const ROUND_ROBIN_DEFAULTS = {
  quantumNs: 10_000_000,
} as const;

/** Levels of a round-robin queue: one per nice value. */
const ROUND_ROBIN_LEVELS = NICE_MAX - NICE_MIN + 1;

/** The level of a nice value: 19 − nice, so nice −20 is the highest (39). */
export function levelOfNice(nice: number): number {
  return NICE_MAX - nice;
}

/** Round-robin by nice level with a fixed quantum, for NORMAL tasks. */
export class RoundRobinPolicy implements SchedPolicy {
  readonly name = "round-robin";
  /** The quantum (ns). */
  readonly quantumNs: number;

  constructor(config: RoundRobinConfig = {}) {
    this.quantumNs = config.quantumNs ?? ROUND_ROBIN_DEFAULTS.quantumNs;
    if (!(this.quantumNs > 0 && Number.isFinite(this.quantumNs)))
      throw new RangeError(`RoundRobinPolicy: quantumNs ${this.quantumNs} must be positive and finite`);
  }

  handles(task: Task): boolean {
    return task.schedClass === SCHED_CLASS.NORMAL;
  }

  createQueue(cpu: number): RoundRobinQueue {
    return new RoundRobinQueue(cpu, this.quantumNs);
  }
}

/** One CPU's round-robin queue. */
export class RoundRobinQueue extends ListPolicyQueue {
  constructor(
    cpu: number,
    /** The quantum (ns). */
    readonly quantumNs: number,
  ) {
    super(cpu, ROUND_ROBIN_LEVELS);
  }

  protected handles(task: Task): boolean {
    return task.schedClass === SCHED_CLASS.NORMAL;
  }

  protected levelOf(task: Task): number {
    return levelOfNice(task.nice);
  }

  protected sliceOf(_task: Task): number {
    return this.quantumNs;
  }
}
