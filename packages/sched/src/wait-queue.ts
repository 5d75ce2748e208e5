/**
 * Wait queues (Linux's wait_queue_head): blocked tasks wait on a condition
 * and a waker releases one, several or all of them. Built for blocking by
 * continuation (DESIGN §3): a waiter may carry its parked system call, which
 * is completed with the wake's result (or restarted when a signal
 * interrupts the wait) before the task is made runnable.
 *
 * Order: non-exclusive waiters join at the head, exclusive ones at the tail
 * (add_wait_queue vs add_wait_queue_exclusive), so the queue is always
 * [non-exclusive…][exclusive…] and a wake with nr_exclusive = n releases a
 * prefix: every non-exclusive waiter, then the first n exclusive ones in
 * FIFO order (__wake_up_common) — the thundering-herd rule accept(2) and
 * futexes rely on.
 *
 * Ending a wait, whatever the cause (wake, timeout, interrupt): the task
 * leaves the queue and its timer is cancelled; then its continuation is
 * finished; then `waker.wake(task)`. `remove` only does the first step.
 *
 * Timeouts: with a `TimerQueue<WaitQueueTimer>` (one per CPU may serve every
 * wait queue), a waiter may give an absolute deadline; at expiry it leaves
 * the queue, its continuation completes with `timeoutResult` (-ETIMEDOUT
 * unless given) and it is woken, exactly once.
 *
 * Per-wait data lives in a `WaitRecord` found through a Map<Task, record>
 * (task.ts has no room for it and ListLinks' spare fields belong to the
 * list policies). Records are pooled per queue and are themselves the
 * timers' targets, so once the pool is warm a wait allocates nothing.
 *
 * Invariants: a waiting task is BLOCKED, on this queue only, linked through
 * `task.link` with `level` = {@link WAITING_LEVEL} (-1 again once it
 * leaves); `records` holds exactly the waiting tasks; a record's `timer` is
 * 0 or a pending handle of `timers`; each wait ends at most once.
 */
import { TASK_STATE, type Task } from "./task";
import type { TimerQueue } from "./timer-queue";

/** `task.link.level` while the task is on a wait queue. */
export const WAITING_LEVEL = -2;
/** Linux's ETIMEDOUT: a wait that timed out completes with -110. */
export const ETIMEDOUT = 110;
/** Linux's EINTR: an interrupted, non-restarted wait completes with -4. */
export const EINTR = 4;

/** Makes a BLOCKED task runnable (implemented by the scheduler's `wake`). */
export interface Waker {
  wake(task: Task): void;
}

/** A parked system call; `@tsos/syscall`'s Continuation satisfies it structurally. */
export interface WaitContinuation {
  /** Finish the call with `result` (≥ 0 or -errno). */
  complete(result: number): void;
  /** Finish the call by running it again when the task resumes. */
  restart(): void;
}

/** A timer target: what `TimerQueue<WaitQueueTimer>` holds (other kernel timeouts may implement it too). */
export interface WaitQueueTimer {
  /** The timer `handle` holding this target fired. */
  timerFired(handle: number): void;
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

/** One wait in progress (pooled; the target of its timeout timer). */
class WaitRecord implements WaitQueueTimer {
  task: Task | null = null;
  exclusive = false;
  continuation: WaitContinuation | null = null;
  /** Pending timeout handle, or 0. */
  timer = 0;
  timeoutResult = -ETIMEDOUT;
  /** The absolute deadline of the timeout (Infinity: none), kept for a requeue. */
  timeoutAt = Number.POSITIVE_INFINITY;
  /** The queue's add count when this wait began (a wake releases only earlier waits). */
  sequence = 0;

  constructor(private readonly queue: WaitQueue) {}

  timerFired(handle: number): void {
    if (this.task === null || this.timer !== handle) return; // stale: that wait already ended
    this.queue.timedOut(this.task);
  }
}

const NO_OPTIONS: WaitOptions = {};

/** A queue of waiting tasks. */
export class WaitQueue {
  private head: Task | null = null;
  private tail: Task | null = null;
  private count = 0;
  private addSequence = 0;
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

  /** True when `task` waits on this queue. */
  has(task: Task): boolean {
    return this.records.has(task);
  }

  /** Adds a task the kernel has already blocked; throws (a kernel bug) if it is not BLOCKED or is linked elsewhere. */
  add(task: Task, options: WaitOptions = NO_OPTIONS): void {
    if (task.state !== TASK_STATE.BLOCKED) throw new Error(`WaitQueue.add: task ${task.id} is not BLOCKED`);
    if (task.link.level !== -1) throw new Error(`WaitQueue.add: task ${task.id} is already linked somewhere`);
    const timeoutAt = options.timeoutAt;
    if (timeoutAt !== undefined) {
      if (this.timers === null) throw new Error("WaitQueue.add: a timeout needs a TimerQueue");
      if (Number.isNaN(timeoutAt)) throw new RangeError("WaitQueue.add: timeoutAt is NaN");
    }
    const record = this.pool.pop() ?? new WaitRecord(this);
    record.task = task;
    record.sequence = ++this.addSequence;
    record.exclusive = options.exclusive ?? false;
    record.continuation = options.continuation ?? null;
    record.timeoutResult = options.timeoutResult ?? -ETIMEDOUT;
    record.timeoutAt = timeoutAt ?? Number.POSITIVE_INFINITY;
    record.timer = timeoutAt === undefined ? 0 : this.timers!.add(timeoutAt, record);
    this.records.set(task, record);
    task.link.level = WAITING_LEVEL;
    if (record.exclusive) this.linkTail(task);
    else this.linkHead(task);
  }

  /** The first waiter (head), or null; the next is `task.link.next` (walk it without waking, or save `next` first). */
  get first(): Task | null {
    return this.head;
  }

  /** Ends `task`'s wait as a wake does: its call completes with `result` and it is woken (futex wakes pick waiters by bitset). */
  wake(task: Task, result = 0): void {
    this.finish(task, this.recordOf(task, "wake"), result, false);
  }

  /**
   * Moves waiting `task` to `target` without waking it (FUTEX_CMP_REQUEUE):
   * it keeps its parked call, its exclusivity and its timeout deadline and
   * joins `target` as a new waiter (at the tail if exclusive).
   */
  requeue(task: Task, target: WaitQueue): void {
    if (target === this) return;
    const record = this.recordOf(task, "requeue");
    const exclusive = record.exclusive;
    const continuation = record.continuation;
    const timeoutResult = record.timeoutResult;
    const timeoutAt = record.timeoutAt;
    this.release(task, record);
    const options: WaitOptions =
      timeoutAt === Number.POSITIVE_INFINITY
        ? { exclusive, ...(continuation === null ? {} : { continuation }) }
        : { exclusive, timeoutAt, timeoutResult, ...(continuation === null ? {} : { continuation }) };
    target.add(task, options);
  }

  /** Wakes every non-exclusive waiter and the first exclusive one; returns how many woke. */
  wakeOne(result = 0): number {
    return this.wakeUpTo(1, result);
  }

  /** Wakes every waiter; returns how many woke. */
  wakeAll(result = 0): number {
    return this.wakeUpTo(Number.POSITIVE_INFINITY, result);
  }

  /**
   * Wakes every non-exclusive waiter and up to `exclusive` exclusive ones,
   * head first (Linux's nr_exclusive; here 0 means none, Infinity all);
   * continuations complete with `result`. Only waiters present at the call
   * are released: one a callback adds is skipped (each pass restarts at the
   * head, so a callback may also remove other waiters).
   */
  wakeUpTo(exclusive: number, result = 0): number {
    if (!(exclusive >= 0) || !(Number.isInteger(exclusive) || exclusive === Number.POSITIVE_INFINITY))
      throw new RangeError(`WaitQueue.wakeUpTo: ${exclusive} is not a count`);
    const lastPresent = this.addSequence;
    let released = 0;
    let woken = 0;
    let task = this.head;
    while (task !== null) {
      const record = this.records.get(task)!;
      if (record.sequence > lastPresent) {
        task = task.link.next;
        continue;
      }
      if (record.exclusive) {
        if (released === exclusive) break;
        released++;
      }
      this.finish(task, record, result, false);
      woken++;
      task = this.head;
    }
    return woken;
  }

  /** A signal interrupts the wait: the call is restarted (or, `restart` false, completes with -EINTR) and the task woken. */
  interrupt(task: Task, restart = true): void {
    this.finish(task, this.recordOf(task, "interrupt"), -EINTR, restart);
  }

  /** Takes a waiter out without finishing its call or waking it (it exits, or the kernel moves it). */
  remove(task: Task): void {
    this.release(task, this.recordOf(task, "remove"));
  }

  /** Fires the due timeouts of this queue's TimerQueue — of every queue sharing it; returns how many fired. */
  expireTimeouts(now: number): number {
    return this.timers === null ? 0 : expireWaitTimeouts(this.timers, now);
  }

  /** The waiting tasks, head first (cold path: allocates). */
  tasks(): Task[] {
    const waiting: Task[] = [];
    for (let task = this.head; task !== null; task = task.link.next) waiting.push(task);
    return waiting;
  }

  /** @internal The timeout of `task`'s wait fired (its handle already left the TimerQueue). */
  timedOut(task: Task): void {
    const record = this.recordOf(task, "timedOut");
    record.timer = 0;
    this.finish(task, record, record.timeoutResult, false);
  }

  private recordOf(task: Task, operation: string): WaitRecord {
    const record = this.records.get(task);
    if (record === undefined) throw new Error(`WaitQueue.${operation}: task ${task.id} is not waiting here`);
    return record;
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
    if (record.timer !== 0) this.timers!.cancel(record.timer);
    this.unlink(task);
    this.records.delete(task);
    record.task = null;
    record.continuation = null;
    record.timer = 0;
    record.timeoutAt = Number.POSITIVE_INFINITY;
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

function fireTimer(target: WaitQueueTimer, handle: number): void {
  target.timerFired(handle);
}

/** Fires the timeouts due at `now` (the kernel calls it from its timer interrupt); returns how many fired. */
export function expireWaitTimeouts(timers: TimerQueue<WaitQueueTimer>, now: number): number {
  return timers.expire(now, fireTimer);
}
