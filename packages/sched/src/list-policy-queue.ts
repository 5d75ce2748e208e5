/**
 * The per-CPU queue shared by the list-based policies (realtime FIFO / RR,
 * round-robin): strict priority between levels, FIFO within a level, and an
 * optional time slice that rotates tasks of equal level (Linux's rt class).
 * A subclass says only which level a task is at and how long its slice is
 * (0: not time-sliced, it runs until it blocks or yields).
 *
 * Scheme. Waiting tasks sit in a {@link PriorityLists}; `pickNext` takes the
 * head of the highest level and makes it `current` (out of the lists, still
 * in the load). `charge` spends `task.link.sliceLeft`; when it runs out the
 * task gives up the CPU only if a task waits at its level or above, else it
 * gets a fresh slice and keeps running. Where the task rejoins its level in
 * `putPrevious` follows why it stopped, which the queue knows itself (the
 * `preempted` flag is not needed):
 * - it yielded (`yieldCurrent` marked it): the back, slice kept (as Linux's
 *   yield_task_rt);
 * - its slice ran out (`sliceLeft ≤ 0`): the back, with a fresh slice;
 * - otherwise (a better task woke, or any other reschedule): the front, slice
 *   kept, as Linux keeps a preempted realtime task at the head of its list.
 *   A FIFO task so never loses its place except by yielding or sleeping.
 * `enqueue` always links at the back; NEW and WAKEUP start a fresh slice,
 * REQUEUE and MIGRATED keep what is left (refilled if used up).
 *
 * Invariants: `current` is in no list; `count` is the lists' size and `load`
 * adds 1 for `current`; `yielded` is `current` or null; a non-sliced task
 * has `sliceLeft` 0 (snapshots stay JSON-friendly, no Infinity).
 * No operation but `snapshot` allocates.
 */
import { ENQUEUE, type EnqueueReason, type PolicyQueue, type QueuedTaskSnapshot } from "./policy";
import { PriorityLists } from "./priority-lists";
import type { Task } from "./task";

/** A CPU's queue of a list-based policy; subclasses map tasks to levels and slices. */
export abstract class ListPolicyQueue implements PolicyQueue {
  /** The waiting tasks (not `current`). */
  protected readonly lists: PriorityLists;
  private current: Task | null = null;
  private yielded: Task | null = null;

  constructor(
    /** The CPU this queue belongs to. */
    readonly cpu: number,
    levels: number,
  ) {
    this.lists = new PriorityLists(levels);
  }

  /** True for the tasks of this queue's policy. */
  protected abstract handles(task: Task): boolean;

  /** The level `task` is queued at (higher runs first). */
  protected abstract levelOf(task: Task): number;

  /** A fresh slice for `task` in ns, or 0 when it is not time-sliced. */
  protected abstract sliceOf(task: Task): number;

  get count(): number {
    return this.lists.size;
  }

  get load(): number {
    return this.current === null ? this.lists.size : this.lists.size + 1;
  }

  /** The task picked last and not yet put back or dequeued, or null. */
  get running(): Task | null {
    return this.current;
  }

  enqueue(task: Task, reason: EnqueueReason, _now: number): void {
    if (task === this.current) throw new Error(`ListPolicyQueue: task ${task.id} is running here`);
    if (reason === ENQUEUE.NEW || reason === ENQUEUE.WAKEUP || task.link.sliceLeft <= 0)
      task.link.sliceLeft = this.sliceOf(task);
    this.lists.pushBack(task, this.levelOf(task));
  }

  pickNext(_now: number): Task | null {
    const task = this.lists.popHighest();
    if (task !== null) this.current = task;
    return task;
  }

  charge(task: Task, ns: number, _now: number): boolean {
    const slice = this.sliceOf(task);
    if (slice === 0 || ns <= 0) return false;
    const link = task.link;
    link.sliceLeft -= ns;
    if (link.sliceLeft > 0) return false;
    // Used up: make way for a peer (putPrevious refills), or run on with a fresh slice.
    if (this.lists.highest() >= this.levelOf(task)) return true;
    link.sliceLeft = slice;
    return false;
  }

  putPrevious(task: Task, _preempted: boolean, _now: number): void {
    if (this.current === task) this.current = null;
    const link = task.link;
    const level = this.levelOf(task);
    if (this.yielded === task) {
      this.yielded = null;
      if (link.sliceLeft <= 0) link.sliceLeft = this.sliceOf(task);
      this.lists.pushBack(task, level);
    } else if (link.sliceLeft <= 0 && this.sliceOf(task) > 0) {
      link.sliceLeft = this.sliceOf(task);
      this.lists.pushBack(task, level);
    } else {
      this.lists.pushFront(task, level);
    }
  }

  dequeue(task: Task, _now: number): void {
    if (this.yielded === task) this.yielded = null;
    if (this.current === task) this.current = null;
    else this.lists.remove(task);
  }

  /** A task of another class is the run queue's to order: then true (it asks only within a class). */
  preemptsCurrent(current: Task, woken: Task): boolean {
    if (!this.handles(current)) return true;
    return this.levelOf(woken) > this.levelOf(current);
  }

  /** Marks `task` so the `putPrevious` that follows links it at the back of its level. */
  yieldCurrent(task: Task, _now: number): void {
    this.yielded = task;
  }

  /** A waiting task moves to the back of its new level; at an unchanged level it keeps its place (sched(7)). */
  reprioritize(task: Task, _now: number): void {
    if (task === this.current || !this.lists.contains(task)) return;
    const level = this.levelOf(task);
    if (level === task.link.level) return;
    this.lists.remove(task);
    this.lists.pushBack(task, level);
  }

  snapshot(): QueuedTaskSnapshot[] {
    const out: QueuedTaskSnapshot[] = [];
    this.lists.forEach((task, level) => {
      out.push({
        id: task.id,
        name: task.name,
        key: level,
        deadline: 0,
        sliceLeft: task.link.sliceLeft,
        eligible: true,
      });
    });
    return out;
  }

  stealable(cpu: number): Task | null {
    return this.lists.firstAllowedOn(cpu);
  }
}
