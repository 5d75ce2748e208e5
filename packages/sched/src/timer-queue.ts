/**
 * Timers on the virtual clock: a binary min-heap ordered by (deadline,
 * insertion sequence), so timers with equal deadlines fire in the order
 * they were added and every run is deterministic.
 *
 * Invariants: `heap[0..size)` is a min-heap of entry indices; `position`
 * maps each live entry to its heap slot (-1 when free); handles are
 * positive, never reused (entry index + generation). Storage grows by
 * doubling and is reused, so a steady state allocates nothing.
 */

/** Timers holding a `T` each. */
export class TimerQueue<T> {
  private deadlines = new Float64Array(16);
  private sequences = new Float64Array(16);
  private handles = new Float64Array(16);
  private position = new Int32Array(16).fill(-1);
  private heap = new Int32Array(16);
  private targets: (T | undefined)[] = new Array(16).fill(undefined);
  private readonly free: number[] = [];
  private used = 0;
  private count = 0;
  private sequence = 0;
  private nextHandle = 1;
  private readonly entryOfHandle = new Map<number, number>();

  /** Live timers. */
  get size(): number {
    return this.count;
  }

  /** Adds a timer firing at `deadline` (ns) for `target`; returns its handle. */
  add(deadline: number, target: T): number {
    if (Number.isNaN(deadline)) throw new RangeError("TimerQueue.add: deadline is NaN");
    const entry = this.allocate();
    const handle = this.nextHandle++;
    this.deadlines[entry] = deadline;
    this.sequences[entry] = this.sequence++;
    this.handles[entry] = handle;
    this.targets[entry] = target;
    this.entryOfHandle.set(handle, entry);
    this.heap[this.count] = entry;
    this.position[entry] = this.count;
    this.count++;
    this.siftUp(this.count - 1);
    return handle;
  }

  /** Cancels a timer; false when it already fired or was cancelled. */
  cancel(handle: number): boolean {
    const entry = this.entryOfHandle.get(handle);
    if (entry === undefined) return false;
    this.removeAt(this.position[entry]!);
    return true;
  }

  /** The earliest deadline, or Infinity when there is no timer (a tickless CPU sleeps until then). */
  nextDeadline(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.deadlines[this.heap[0]!]!;
  }

  /** Fires, in order, every timer with deadline ≤ `now` (each removed before its callback); returns how many fired. */
  expire(now: number, callback: (target: T, handle: number) => void): number {
    let fired = 0;
    while (this.count > 0 && this.deadlines[this.heap[0]!]! <= now) {
      const entry = this.heap[0]!;
      const target = this.targets[entry] as T;
      const handle = this.handles[entry]!;
      this.removeAt(0);
      fired++;
      callback(target, handle);
    }
    return fired;
  }

  private allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.deadlines.length) this.grow();
    return this.used++;
  }

  private grow(): void {
    const capacity = this.deadlines.length * 2;
    const widen = <A extends Float64Array | Int32Array>(old: A, make: (n: number) => A): A => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.deadlines = widen(this.deadlines, (n) => new Float64Array(n));
    this.sequences = widen(this.sequences, (n) => new Float64Array(n));
    this.handles = widen(this.handles, (n) => new Float64Array(n));
    this.heap = widen(this.heap, (n) => new Int32Array(n));
    const position = new Int32Array(capacity).fill(-1);
    position.set(this.position);
    this.position = position;
    this.targets.length = capacity;
  }

  private removeAt(slot: number): void {
    const entry = this.heap[slot]!;
    this.entryOfHandle.delete(this.handles[entry]!);
    this.targets[entry] = undefined;
    this.position[entry] = -1;
    this.free.push(entry);
    this.count--;
    if (slot === this.count) return;
    const last = this.heap[this.count]!;
    this.heap[slot] = last;
    this.position[last] = slot;
    this.siftDown(slot);
    this.siftUp(slot);
  }

  private before(left: number, right: number): boolean {
    const a = this.deadlines[left]!;
    const b = this.deadlines[right]!;
    return a < b || (a === b && this.sequences[left]! < this.sequences[right]!);
  }

  private swap(a: number, b: number): void {
    const entryA = this.heap[a]!;
    const entryB = this.heap[b]!;
    this.heap[a] = entryB;
    this.heap[b] = entryA;
    this.position[entryB] = a;
    this.position[entryA] = b;
  }

  private siftUp(start: number): void {
    let slot = start;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.before(this.heap[slot]!, this.heap[parent]!)) return;
      this.swap(slot, parent);
      slot = parent;
    }
  }

  private siftDown(start: number): void {
    let slot = start;
    for (;;) {
      const left = slot * 2 + 1;
      if (left >= this.count) return;
      const right = left + 1;
      const child = right < this.count && this.before(this.heap[right]!, this.heap[left]!) ? right : left;
      if (!this.before(this.heap[child]!, this.heap[slot]!)) return;
      this.swap(slot, child);
      slot = child;
    }
  }
}
