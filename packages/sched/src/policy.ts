/**
 * The policy interface: how a scheduling class orders its tasks on one CPU.
 * A `SchedPolicy` makes one `PolicyQueue` per CPU; the run queue keeps its
 * policies in priority order (realtime, normal) and asks each in turn for a
 * task, falling back to the CPU's idle task (Linux's sched_class chain).
 *
 * The protocol, for one CPU (the run queue drives it; policies never change
 * `task.state` themselves):
 *
 *   enqueue(t, flags)  t becomes runnable here: it joins the queue's load
 *                      and its order. WAKEUP / NEW / MIGRATED say why, so a
 *                      fair policy can place it (lag).
 *   pickNext(now)      the queue's best task leaves the order and is the
 *                      CPU's current task; it stays in the load.
 *   charge(t, ns, now) the current task ran `ns` more; answers whether it
 *                      should give up the CPU (its slice is used up).
 *   putPrevious(t, preempted)
 *                      the current task stops running but stays runnable:
 *                      it rejoins the order (preempted: by a better task,
 *                      rather than because its slice ended).
 *   dequeue(t, now)    t leaves this CPU (it sleeps, exits, or migrates):
 *                      whether queued or current, it leaves load and order.
 *   preemptsCurrent(current, woken)
 *                      should `woken` (just enqueued) take the CPU now?
 *   yieldCurrent(t)    sched_yield: the current task goes behind its peers.
 *   reprioritize(t, now)
 *                      t's nice or priority changed (t may be queued,
 *                      current or neither).
 *
 * Invariants: a task is in at most one queue; `count` is the number of
 * tasks in the order (not counting the current one); `load` counts both.
 * No operation allocates.
 */
import type { Task } from "./task";

/** Why a task is enqueued. */
export const ENQUEUE = {
  /** The current task's time ran out or it was preempted, and it goes back in line. */
  REQUEUE: 0,
  /** A sleeping task woke up. */
  WAKEUP: 1,
  /** A task runs for the first time. */
  NEW: 2,
  /** The task arrives from another CPU. */
  MIGRATED: 3,
} as const;

/** One of {@link ENQUEUE}. */
export type EnqueueReason = (typeof ENQUEUE)[keyof typeof ENQUEUE];

/** One task of a queue snapshot. */
export interface QueuedTaskSnapshot {
  /** Task id. */
  readonly id: number;
  /** Task name. */
  readonly name: string;
  /** Policy-specific ordering key (vruntime for fair policies, priority level for list policies). */
  readonly key: number;
  /** Virtual deadline (fair) or 0. */
  readonly deadline: number;
  /** ns left in the current slice or request. */
  readonly sliceLeft: number;
  /** Eligible to run now (fair) or always true. */
  readonly eligible: boolean;
}

/** One CPU's queue of one policy. */
export interface PolicyQueue {
  /** Tasks waiting in the order (not the current one). */
  readonly count: number;
  /** Tasks counted in the load: waiting plus the current one when it is this policy's. */
  readonly load: number;
  enqueue(task: Task, reason: EnqueueReason, now: number): void;
  pickNext(now: number): Task | null;
  charge(task: Task, ns: number, now: number): boolean;
  putPrevious(task: Task, preempted: boolean, now: number): void;
  dequeue(task: Task, now: number): void;
  preemptsCurrent(current: Task, woken: Task): boolean;
  yieldCurrent(task: Task, now: number): void;
  reprioritize(task: Task, now: number): void;
  /** Waiting tasks in the policy's order, for reports. */
  snapshot(): QueuedTaskSnapshot[];
  /** A waiting task a load balancer may move to `cpu` (affinity allows it), or null. */
  stealable(cpu: number): Task | null;
}

/** A scheduling class: which tasks it takes, and a queue per CPU. */
export interface SchedPolicy {
  /** Name for reports ("eevdf", "rt", "round-robin"). */
  readonly name: string;
  /** True for the tasks this policy schedules. */
  handles(task: Task): boolean;
  /** A new, empty queue for `cpu`. */
  createQueue(cpu: number): PolicyQueue;
}
