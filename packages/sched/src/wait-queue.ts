/**
 * Wait queues (Linux's wait_queue_head): blocked tasks wait on a condition
 * and a waker releases one, several or all of them. Built for blocking by
 * continuation (DESIGN §3): a waiter may carry the parked system call,
 * which is completed with the wake's result (or restarted when interrupted)
 * before the task is made runnable.
 *
 * Order: non-exclusive waiters at the head, exclusive ones at the tail
 * (add_wait_queue vs add_wait_queue_exclusive), so a wake-one releases
 * every non-exclusive waiter and then the first exclusive one — the
 * thundering-herd rule futexes and accept(2) rely on.
 *
 * Timeouts: with a `TimerQueue`, a waiter may give an absolute deadline; at
 * expiry it leaves the queue, its continuation completes with the timeout
 * result (-ETIMEDOUT unless given) and it is woken, exactly once.
 *
 * Invariants: a waiting task is BLOCKED, on this queue only, linked through
 * `task.link` with `level` = {@link WAITING_LEVEL}; each waiter is woken at
 * most once per wait. Records are pooled: a wait allocates nothing once the
 * pool is warm.
 */
import type { Task } from "./task";
import type { TimerQueue } from "./timer-queue";

/** `task.link.level` while the task is on a wait queue. */
export const WAITING_LEVEL = -2;
/** Linux's ETIMEDOUT, returned as -110 by a wait that timed out. */
export const ETIMEDOUT = 110;
/** Linux's EINTR. */
export const EINTR = 4;

/** Makes a blocked task runnable (the scheduler's `wake`). */
export interface Waker {
  wake(task: Task): void;
}

/** A parked system call, as `@tsos/syscall`'s Continuation offers it. */
export interface WaitContinuation {
  complete(result: number): void;
  restart(): void;
}

/** How a task waits. */
export interface WaitOptions {
  /** Exclusive waiters are released one per wake-one (default false). */
  readonly exclusive?: boolean;
  /** The parked call to finish when the wait ends. */
  readonly continuation?: WaitContinuation;
  /** Absolute virtual time (ns) at which the wait times out (needs a TimerQueue). */
  readonly timeoutAt?: number;
  /** Result a timed-out continuation completes with (default -ETIMEDOUT). */
  readonly timeoutResult?: number;
}

class WaitRecord {
  exclusive = false;
  continuation: WaitContinuation | null = null;
  timer = 0;
  timeoutResult = -ETIMEDOUT;
}

/** A queue of waiting tasks. */
export class WaitQueue {
  private head: Task | null = null;
  private tail: Task | null = null;
  private count = 0;
  private readonly records = new Map<Task, WaitRecord>();
  private readonly pool: WaitRecord[] = [];

  constructor(
    private readonly waker: Waker,
    private readonly timers: TimerQueue<WaitQueueTimer> | null = null,
  ) {}

  /** Waiting tasks. */
  get size(): number {
    return this.count;
  }

  /** True when `task` waits here. */
  has(task: Task): boolean {
    return this.records.has(task);
  }

  /** Adds a task the kernel has just blocked. */
  add(task: Task, options: WaitOptions = {}): void {
    if (task.link.level !== -1) throw new Error(`WaitQueue.add: task ${task.id} is already linked somewhere`);
    const record = this.pool.pop() ?? new WaitRecord();
    record.exclusive = options.exclusive ?? false;
    record.continuation = options.continuation ?? null;
    record.timeoutResult = options.timeoutResult ?? -ETIMEDOUT;
    record.timer = 0;
    if (options.timeoutAt !== undefined) {
      if (this.timers === null) throw new Error("WaitQueue.add: a timeout needs a TimerQueue");
      record.timer = this.timers.add(options.timeoutAt, { queue: this, task });
    }
    this.records.set(task, record);
    task.link.level = WAITING_LEVEL;
    if (record.exclusive) this.linkTail(task);
    else this.linkHead(task);
  }

  /** Wakes every non-exclusive waiter and the first exclusive one; returns how many woke. */
  wakeOne(result = 0): number {
    return this.wakeUpTo(1, result);
  }

  /** Wakes every waiter; returns how many woke. */
  wakeAll(result = 0): number {
    return this.wakeUpTo(Number.POSITIVE_INFINITY, result);
  }

  /** Wakes every non-exclusive waiter and up to `exclusive` exclusive ones (Linux's nr_exclusive). */
  wakeUpTo(exclusive: number, result = 0): number {
    let woken = 0;
    let released = 0;
    let task = this.head;
    while (task !== null && released < exclusive) {
      const next = task.link.next;
      const record = this.records.get(task)!;
      if (record.exclusive) released++;
      this.finish(task, record, result, false);
      woken++;
      task = next;
    }
    return woken;
  }

  /** A signal interrupts the wait: the parked call is restarted (or completes with -EINTR if `restart` is false). */
  interrupt(task: Task, restart = true): void {
    const record = this.records.get(task);
    if (record === undefined) throw new Error(`WaitQueue.interrupt: task ${task.id} is not waiting here`);
    this.finish(task, record, -EINTR, restart);
  }

  /** Removes a waiter without waking it (it exits, or the kernel moves it). */
  remove(task: Task): void {
    const record = this.records.get(task);
    if (record === undefined) throw new Error(`WaitQueue.remove: task ${task.id} is not waiting here`);
    this.release(task, record);
  }

  /** The waiting tasks, head first (cold path: allocates). */
  tasks(): Task[] {
    const out: Task[] = [];
    for (let task = this.head; task !== null; task = task.link.next) out.push(task);
    return out;
  }

  /** A timer of this queue fired (called by {@link expireWaitTimeouts}). */
  timedOut(task: Task): void {
    const record = this.records.get(task);
    if (record === undefined) return;
    record.timer = 0;
    this.finish(task, record, record.timeoutResult, false);
  }

  private finish(task: Task, record: WaitRecord, result: number, restart: boolean): void {
    const continuation = record.continuation;
    this.release(task, record);
    if (continuation !== null) {
      if (restart) continuation.restart();
      else continuation.complete(result);
    }
    this.waker.wake(task);
  }

  private release(task: Task, record: WaitRecord): void {
    if (record.timer !== 0) this.timers?.cancel(record.timer);
    this.unlink(task);
    this.records.delete(task);
    record.continuation = null;
    this.pool.push(record);
  }

  private linkHead(task: Task): void {
    task.link.previous = null;
    task.link.next = this.head;
    if (this.head !== null) this.head.link.previous = task;
    else this.tail = task;
    this.head = task;
    this.count++;
  }

  private linkTail(task: Task): void {
    task.link.next = null;
    task.link.previous = this.tail;
    if (this.tail !== null) this.tail.link.next = task;
    else this.head = task;
    this.tail = task;
    this.count++;
  }

  private unlink(task: Task): void {
    const { next, previous } = task.link;
    if (previous !== null) previous.link.next = next;
    else this.head = next;
    if (next !== null) next.link.previous = previous;
    else this.tail = previous;
    task.link.next = null;
    task.link.previous = null;
    task.link.level = -1;
    this.count--;
  }
}

/** What a wait-queue timer points at. */
export interface WaitQueueTimer {
  readonly queue: WaitQueue;
  readonly task: Task;
}

/** Fires the wait timeouts due at `now` (the kernel calls it from its timer interrupt); returns how many fired. */
export function expireWaitTimeouts(timers: TimerQueue<WaitQueueTimer>, now: number): number {
  return timers.expire(now, (target) => target.queue.timedOut(target.task));
}
