/**
 * Futexes (futex(2)): wait queues keyed by a 32-bit word in user memory.
 *
 * Keys, as Linux's get_futex_key: a private futex (FUTEX_PRIVATE_FLAG), or
 * a shared one in a private mapping, is (address space, virtual address) —
 * its queue lives in the {@link ProcessMemory}'s own table, so threads of
 * one process (which share it) meet there; a shared futex in a MAP_SHARED
 * mapping is keyed by the word's physical address, so processes that share
 * the pages after fork meet too. A queue exists while someone waits on it
 * (queues are pooled: a wait-wake round trip allocates no queue).
 *
 * Waiters are exclusive (FIFO), each with its wait bitset; a wake releases
 * up to n waiters whose bitset meets the waker's. The check of the word and
 * the enqueue happen in one system call, which no other CPU interleaves
 * (each trap runs to completion), so a wake between them cannot be lost.
 *
 * Timeouts run on the virtual clock: FUTEX_WAIT's is relative
 * (CLOCK_MONOTONIC), FUTEX_WAIT_BITSET's absolute on CLOCK_MONOTONIC or,
 * with FUTEX_CLOCK_REALTIME, CLOCK_REALTIME. Priority-inheritance
 * operations are -ENOSYS (README).
 */
import { MAP } from "@tsos/mm";
import type { TimerQueue } from "@tsos/sched";
import { type Task, WaitQueue, type WaitQueueTimer, type Waker } from "@tsos/sched";
import { ERRNO, type SyscallCall } from "@tsos/syscall";
import type { Kernel } from "./kernel";
import type { ProcessMemory, Thread, ThreadTask } from "./process";

/** futex(2) operations and flags. */
export const FUTEX = {
  WAIT: 0,
  WAKE: 1,
  FD: 2,
  REQUEUE: 3,
  CMP_REQUEUE: 4,
  WAKE_OP: 5,
  LOCK_PI: 6,
  UNLOCK_PI: 7,
  TRYLOCK_PI: 8,
  WAIT_BITSET: 9,
  WAKE_BITSET: 10,
  WAIT_REQUEUE_PI: 11,
  CMP_REQUEUE_PI: 12,
  LOCK_PI2: 13,
  PRIVATE_FLAG: 128,
  CLOCK_REALTIME: 256,
  /** The wait/wake bitset that matches every other. */
  BITSET_MATCH_ANY: 0xffffffff,
} as const;

/** The operation bits of futex's op argument. */
export const FUTEX_CMD_MASK = ~(FUTEX.PRIVATE_FLAG | FUTEX.CLOCK_REALTIME);

/** A futex's wait queue, knowing its table and key so it can leave the table when empty. */
export class FutexQueue extends WaitQueue {
  key = 0;
  table: Map<number, FutexQueue> | null = null;
}

/** The futexes of one kernel. */
export class Futexes {
  /** Queues of shared futexes in MAP_SHARED pages, by physical address. */
  private readonly sharedTable = new Map<number, FutexQueue>();
  private readonly pool: FutexQueue[] = [];
  private readonly word = new Uint8Array(4);
  private readonly wordView = new DataView(this.word.buffer);
  /** Set by {@link locate}: the table of the key it returned (read it right after the call). */
  private located: Map<number, FutexQueue> | null = null;
  /** Queues in a table now (taken from the pool, not yet retired): 0 once nobody waits, else a leak. */
  queuesInUse = 0;
  /** Waits, wakes and requeues done (for reports). */
  waits = 0;
  wakes = 0;
  requeues = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly waker: Waker,
    private readonly timers: TimerQueue<WaitQueueTimer>,
  ) {}

  /**
   * The key of the futex word at `address` (its table in `this.located`), or
   * -EINVAL (misaligned) / -EFAULT (not mapped, not readable).
   */
  private locate(memory: ProcessMemory, address: number, shared: boolean): number {
    if (address % 4 !== 0) return -ERRNO.EINVAL;
    const space = memory.space;
    if (shared) {
      const index = space.vmas.find(address);
      if (index >= 0 && (space.vmas.flagsAt(index) & MAP.SHARED) !== 0) {
        const physical = space.resolveUserAddress(address, false);
        if (physical < 0) return -ERRNO.EFAULT;
        this.located = this.sharedTable;
        return physical;
      }
    }
    memory.futexes ??= new Map();
    this.located = memory.futexes;
    return address;
  }

  /** The queue of `key` in `table` (made, from the pool, when `create`); null when nobody waits there. */
  private queueOf(table: Map<number, FutexQueue>, key: number, create: boolean): FutexQueue | null {
    let queue = table.get(key);
    if (queue === undefined && create) {
      queue = this.pool.pop() ?? new FutexQueue(this.waker, this.timers);
      queue.key = key;
      queue.table = table;
      table.set(key, queue);
      this.queuesInUse++;
    }
    return queue ?? null;
  }

  /** An empty queue leaves its table for the pool. */
  private retire(queue: FutexQueue): void {
    if (queue.size !== 0 || queue.table === null) return;
    queue.table.delete(queue.key);
    queue.table = null;
    this.pool.push(queue);
    this.queuesInUse--;
  }

  /** Reads the u32 at `address`: its value, or -EFAULT. */
  private load(memory: ProcessMemory, address: number): number {
    if (!memory.access.read(address, this.word)) return -ERRNO.EFAULT;
    return this.wordView.getUint32(0, true);
  }

  /**
   * FUTEX_WAIT / FUTEX_WAIT_BITSET: sleeps while the word at `address`
   * holds `expected`, until a matching wake, the absolute `deadline` (ns on
   * the timer clock; Infinity none) or a signal. -EAGAIN when the word
   * differs, -EINVAL for an empty bitset.
   */
  wait(
    call: SyscallCall,
    address: number,
    shared: boolean,
    expected: number,
    deadline: number,
    bitset: number,
  ): number {
    if (bitset === 0) return -ERRNO.EINVAL;
    const thread = this.kernel.threadOf(call);
    const memory = thread.process.memory!;
    const key = this.locate(memory, address, shared);
    if (key < 0) return key;
    const table = this.located!;
    const value = this.load(memory, address);
    if (value < 0) return value;
    if (value !== expected >>> 0) return -ERRNO.EAGAIN;
    if (deadline <= this.kernel.nowNs()) return -ERRNO.ETIMEDOUT;
    const queue = this.queueOf(table, key, true)!;
    thread.futexBitset = bitset >>> 0;
    thread.futexQueue = queue;
    thread.restartDeadline = deadline;
    this.waits++;
    return this.kernel.sleep(call, queue, {
      exclusive: true,
      ...(deadline === Number.POSITIVE_INFINITY ? {} : { timeoutAt: deadline }),
      ended: () => this.ended(thread),
    });
  }

  private ended(thread: Thread): void {
    const queue = thread.futexQueue;
    thread.futexQueue = null;
    if (queue !== null) this.retire(queue);
  }

  /**
   * Wakes up to `count` waiters of `queue` whose bitset meets `bitset`; how
   * many woke (a count ≤ 0 wakes none: requeue's nr_wake; {@link wakeKey}
   * gives futex_wake's at-least-one).
   */
  private wakeQueue(queue: FutexQueue, count: number, bitset: number): number {
    let woken = 0;
    let task: Task | null = queue.first;
    while (task !== null && woken < count) {
      const next: Task | null = task.link.next;
      if (((task as ThreadTask).thread.futexBitset & bitset) !== 0) {
        queue.wake(task, 0);
        woken++;
      }
      task = next;
    }
    this.wakes += woken;
    return woken;
  }

  /** FUTEX_WAKE / FUTEX_WAKE_BITSET: how many woke, or -EINVAL / -EFAULT. */
  wake(memory: ProcessMemory, address: number, shared: boolean, count: number, bitset: number): number {
    if (bitset === 0) return -ERRNO.EINVAL;
    const key = this.locate(memory, address, shared);
    if (key < 0) return key;
    return this.wakeKey(this.located!, key, count, bitset >>> 0);
  }

  /** futex_wake on `key` of `table`: up to `count` waiters meeting `bitset` — at least one, even for a count ≤ 0, as Linux. */
  private wakeKey(table: Map<number, FutexQueue>, key: number, count: number, bitset: number): number {
    const queue = this.queueOf(table, key, false);
    if (queue === null) return 0;
    const woken = this.wakeQueue(queue, Math.max(count, 1), bitset);
    this.retire(queue);
    return woken;
  }

  /**
   * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes up to `wakeCount` waiters of
   * `address`, moves up to `requeueCount` more to `target`; returns how
   * many were woken or moved. `expected` (CMP_REQUEUE; null for REQUEUE):
   * -EAGAIN unless the word at `address` holds it.
   */
  requeue(
    memory: ProcessMemory,
    address: number,
    target: number,
    shared: boolean,
    wakeCount: number,
    requeueCount: number,
    expected: number | null,
  ): number {
    if (wakeCount < 0 || requeueCount < 0) return -ERRNO.EINVAL;
    const targetKey = this.locate(memory, target, shared);
    if (targetKey < 0) return targetKey;
    const targetTable = this.located!;
    const key = this.locate(memory, address, shared);
    if (key < 0) return key;
    const table = this.located!;
    const sameFutex = key === targetKey && table === targetTable;
    if (expected !== null) {
      const value = this.load(memory, address);
      if (value < 0) return value;
      if (value !== expected >>> 0) return -ERRNO.EAGAIN;
    }
    const queue = this.queueOf(table, key, false);
    if (queue === null) return 0;
    let done = this.wakeQueue(queue, wakeCount, FUTEX.BITSET_MATCH_ANY);
    if (sameFutex) {
      // Linux "requeues" them onto the same futex: counted, left in place.
      const moved = Math.min(requeueCount, queue.size);
      this.requeues += moved;
      done += moved;
    } else if (requeueCount > 0 && queue.size > 0) {
      const destination = this.queueOf(targetTable, targetKey, true)!;
      let moved = 0;
      for (let task = queue.first; task !== null && moved < requeueCount; task = queue.first) {
        const thread = (task as ThreadTask).thread;
        queue.requeue(task, destination);
        thread.waitingOn = destination;
        thread.futexQueue = destination;
        moved++;
      }
      this.requeues += moved;
      done += moved;
      this.retire(destination);
    }
    this.retire(queue);
    return done;
  }

  /**
   * FUTEX_WAKE_OP: applies the encoded operation to the word at `target`,
   * wakes up to `wakeCount` waiters of `address`, and, when the old value
   * of the target word passes the encoded comparison, up to `wakeCount2` of
   * `target`. Returns how many woke; -ENOSYS for an unknown op or
   * comparison, -EFAULT for an unwritable target.
   */
  wakeOp(
    memory: ProcessMemory,
    address: number,
    target: number,
    shared: boolean,
    wakeCount: number,
    wakeCount2: number,
    encoded: number,
  ): number {
    const op = (encoded >>> 28) & 7;
    const comparison = (encoded >>> 24) & 15;
    let operand = (((encoded >>> 12) & 0xfff) << 20) >> 20;
    const comparand = ((encoded & 0xfff) << 20) >> 20;
    if (((encoded >>> 28) & 8) !== 0) operand = 1 << (operand & 31);
    if (op > 4 || comparison > 5) return -ERRNO.ENOSYS;
    const targetKey = this.locate(memory, target, shared);
    if (targetKey < 0) return targetKey;
    const targetTable = this.located!;
    const old = this.load(memory, target);
    if (old < 0) return old;
    this.wordView.setUint32(0, applyOp(op, old, operand) >>> 0, true);
    if (!memory.access.write(target, this.word)) return -ERRNO.EFAULT;
    const key = this.locate(memory, address, shared);
    if (key < 0) return key;
    let woken = this.wakeKey(this.located!, key, wakeCount, FUTEX.BITSET_MATCH_ANY);
    if (compare(comparison, old | 0, comparand))
      woken += this.wakeKey(targetTable, targetKey, wakeCount2, FUTEX.BITSET_MATCH_ANY);
    return woken;
  }

  /** A thread's CLONE_CHILD_CLEARTID word was zeroed at its exit: wake one joiner (Linux: a shared wake). */
  wakeJoiner(memory: ProcessMemory, address: number): void {
    this.wake(memory, address, true, 1, FUTEX.BITSET_MATCH_ANY);
  }
}

/** FUTEX_OP_SET, ADD, OR, ANDN, XOR of `old` and `operand`. */
function applyOp(op: number, old: number, operand: number): number {
  switch (op) {
    case 0:
      return operand;
    case 1:
      return old + operand;
    case 2:
      return old | operand;
    case 3:
      return old & ~operand;
    default:
      return old ^ operand;
  }
}

/** FUTEX_OP_CMP_EQ, NE, LT, LE, GT, GE of the (signed) old value against `comparand`. */
function compare(comparison: number, value: number, comparand: number): boolean {
  switch (comparison) {
    case 0:
      return value === comparand;
    case 1:
      return value !== comparand;
    case 2:
      return value < comparand;
    case 3:
      return value <= comparand;
    case 4:
      return value > comparand;
    default:
      return value >= comparand;
  }
}
