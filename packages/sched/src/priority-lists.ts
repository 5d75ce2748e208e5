/**
 * Priority lists: the run-list array of the list-based policies (Linux's
 * `rt_prio_array`). `levels` FIFO lists, one per priority level (a higher
 * level is more important), and a bitmap with bit `level` set exactly when
 * that level's list is non-empty, so the highest non-empty level is found
 * by scanning `ceil(levels / 32)` words from the top with `Math.clz32`.
 *
 * The lists are intrusive: a task is threaded through its own `task.link`
 * (`next`, `previous`, and `level`, the level it is linked at), so pushing
 * and removing allocate nothing and removing is O(1) from the task alone.
 *
 * Invariants:
 * - A task is linked in at most one list; `link.level` is that list's
 *   level, or -1 when it is in none (and then `next` and `previous` are null).
 * - `heads[l]` / `tails[l]` are the first / last task of level `l`, both
 *   null when `counts[l]` is 0; `next` runs head to tail, `previous` back.
 * - Bit `l % 32` of `nonEmpty[l >> 5]` is set iff `counts[l] > 0`.
 * - `size` is the sum of `counts`.
 *
 * Linking a linked task, removing an unlinked one or naming a level outside
 * `0..levels-1` is a caller bug and throws.
 */
import type { Task } from "./task";

const WORD_SHIFT = 5;
const WORD_MASK = 31;
const NOT_LINKED = -1;

/** A fixed number of intrusive FIFO lists of tasks, with a bitmap of non-empty levels. */
export class PriorityLists {
  /** Number of levels (0 is the least important). */
  readonly levels: number;
  private readonly heads: (Task | null)[];
  private readonly tails: (Task | null)[];
  private readonly counts: Uint32Array;
  private readonly nonEmpty: Uint32Array;
  private taskCount = 0;

  constructor(levels: number) {
    if (!Number.isInteger(levels) || levels < 1)
      throw new RangeError(`PriorityLists: ${levels} is not a level count`);
    this.levels = levels;
    this.heads = new Array<Task | null>(levels).fill(null);
    this.tails = new Array<Task | null>(levels).fill(null);
    this.counts = new Uint32Array(levels);
    this.nonEmpty = new Uint32Array(((levels - 1) >> WORD_SHIFT) + 1);
  }

  /** Tasks linked, over all levels. */
  get size(): number {
    return this.taskCount;
  }

  /** Tasks linked at `level`. */
  levelCount(level: number): number {
    this.checkLevel(level);
    return this.counts[level]!;
  }

  /** The first task of `level` (follow `task.link.next` for the rest), or null. */
  first(level: number): Task | null {
    this.checkLevel(level);
    return this.heads[level] ?? null;
  }

  /**
   * True when `task` is linked at one of these levels. O(1): exact for a
   * level's head; a non-head task linked in another `PriorityLists` at the
   * same level is not told apart (callers own their tasks).
   */
  contains(task: Task): boolean {
    const level = task.link.level;
    if (level < 0 || level >= this.levels) return false;
    return task.link.previous !== null || this.heads[level] === task;
  }

  /** Links `task` last at `level`. */
  pushBack(task: Task, level: number): void {
    this.checkLevel(level);
    const link = task.link;
    if (link.level !== NOT_LINKED) throw new Error(`PriorityLists: task ${task.id} is already linked`);
    const tail = this.tails[level] ?? null;
    link.previous = tail;
    link.next = null;
    if (tail === null) this.heads[level] = task;
    else tail.link.next = task;
    this.tails[level] = task;
    this.linked(task, level);
  }

  /** Links `task` first at `level`. */
  pushFront(task: Task, level: number): void {
    this.checkLevel(level);
    const link = task.link;
    if (link.level !== NOT_LINKED) throw new Error(`PriorityLists: task ${task.id} is already linked`);
    const head = this.heads[level] ?? null;
    link.next = head;
    link.previous = null;
    if (head === null) this.tails[level] = task;
    else head.link.previous = task;
    this.heads[level] = task;
    this.linked(task, level);
  }

  /** Unlinks `task` (throws Error when it is not linked here). */
  remove(task: Task): void {
    if (!this.contains(task)) throw new Error(`PriorityLists: task ${task.id} is not linked`);
    const link = task.link;
    const level = link.level;
    if (link.previous === null) this.heads[level] = link.next;
    else link.previous.link.next = link.next;
    if (link.next === null) this.tails[level] = link.previous;
    else link.next.link.previous = link.previous;
    link.next = null;
    link.previous = null;
    link.level = NOT_LINKED;
    this.taskCount--;
    if (--this.counts[level]! === 0) this.nonEmpty[level >> WORD_SHIFT]! &= ~(1 << (level & WORD_MASK));
  }

  /** The highest non-empty level, or -1 when all are empty. */
  highest(): number {
    return this.highestBelow(this.levels);
  }

  /** The first task of the highest non-empty level, or null. */
  peekHighest(): Task | null {
    const level = this.highest();
    return level < 0 ? null : (this.heads[level] ?? null);
  }

  /** Unlinks and returns the first task of the highest non-empty level, or null. */
  popHighest(): Task | null {
    const task = this.peekHighest();
    if (task !== null) this.remove(task);
    return task;
  }

  /** The first task, highest level first, whose affinity allows `cpu` (for stealing), or null. */
  firstAllowedOn(cpu: number): Task | null {
    for (let level = this.highest(); level >= 0; level = this.highestBelow(level)) {
      for (let task: Task | null = this.heads[level] ?? null; task !== null; task = task.link.next)
        if (task.affinity.has(cpu)) return task;
    }
    return null;
  }

  /** Calls `visit` for every task in priority order: highest level first, each level first to last. */
  forEach(visit: (task: Task, level: number) => void): void {
    for (let level = this.highest(); level >= 0; level = this.highestBelow(level)) {
      for (let task: Task | null = this.heads[level] ?? null; task !== null; task = task.link.next)
        visit(task, level);
    }
  }

  /** The highest non-empty level below `limit`, or -1. */
  private highestBelow(limit: number): number {
    if (limit <= 0) return -1;
    const top = limit - 1;
    let word = top >> WORD_SHIFT;
    // Keep bits 0..(top % 32) of the first word scanned.
    let bits = this.nonEmpty[word]! & (0xffffffff >>> (WORD_MASK - (top & WORD_MASK)));
    for (;;) {
      if (bits !== 0) return (word << WORD_SHIFT) + WORD_MASK - Math.clz32(bits);
      if (word === 0) return -1;
      word--;
      bits = this.nonEmpty[word]!;
    }
  }

  private linked(task: Task, level: number): void {
    task.link.level = level;
    this.taskCount++;
    if (this.counts[level]!++ === 0) this.nonEmpty[level >> WORD_SHIFT]! |= 1 << (level & WORD_MASK);
  }

  private checkLevel(level: number): void {
    if (!Number.isInteger(level) || level < 0 || level >= this.levels)
      throw new RangeError(`PriorityLists: level ${level} is outside 0..${this.levels - 1}`);
  }
}
