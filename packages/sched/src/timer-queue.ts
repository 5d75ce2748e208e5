/**
 * Timers on the virtual clock (ns, plain numbers): a binary min-heap ordered
 * by (deadline, insertion sequence), so timers with equal deadlines fire in
 * the order they were added and every run is deterministic. The scheduler
 * reads `nextDeadline()` for tickless idle: a CPU with nothing to run sleeps
 * until its earliest timer.
 *
 * Storage: each timer occupies an entry (a slot of the parallel arrays
 * `deadlines`, `sequences`, `generations`, `slotOfEntry`, `targets`); `heap`
 * holds entry numbers. Freed entries go on a free stack and are reused, and
 * the arrays grow by doubling, so a steady state allocates nothing.
 *
 * Handles: `generation × ENTRY_LIMIT + entry + 1`. An entry's generation
 * goes up each time it is freed, so a handle names one timer only and is
 * never given out again (an entry whose generation is exhausted is retired
 * rather than reused). Decoding a handle is arithmetic, so `cancel` is a
 * lookup plus one O(log n) heap removal, with no handle map.
 *
 * Invariants:
 * - `heap[0..count)` is a min-heap of live entries under `before`;
 *   `slotOfEntry[e]` is e's heap slot while e is live, -1 otherwise.
 * - `targets[e]` is undefined unless e is live (no stale references).
 * - A timer is removed from the heap before its callback runs; a callback
 *   may add or cancel timers (one added with a deadline ≤ `now` fires in the
 *   same `expire` call).
 */

/** Live timers at most (the entry field of a handle). */
const ENTRY_LIMIT = 2 ** 24;
/** Last generation of an entry (so a handle, at most (GENERATION_LIMIT + 1) × ENTRY_LIMIT, is a safe integer). */
const GENERATION_LIMIT = 2 ** 29 - 2;
const INITIAL_CAPACITY = 16;

/** A heap of timers, each holding a `T`. */
export class TimerQueue<T> {
  private deadlines = new Float64Array(INITIAL_CAPACITY);
  private sequences = new Float64Array(INITIAL_CAPACITY);
  private generations = new Uint32Array(INITIAL_CAPACITY);
  private slotOfEntry = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private heap = new Int32Array(INITIAL_CAPACITY);
  private freeEntries = new Int32Array(INITIAL_CAPACITY);
  private readonly targets: (T | undefined)[] = [];
  private freeCount = 0;
  private entriesUsed = 0;
  private count = 0;
  private sequence = 0;

  constructor() {
    for (let entry = 0; entry < INITIAL_CAPACITY; entry++) this.targets.push(undefined);
  }

  /** Live timers. */
  get size(): number {
    return this.count;
  }

  /** Adds a timer firing at `deadline` (ns; Infinity never fires) for `target`; returns its handle (> 0). */
  add(deadline: number, target: T): number {
    if (Number.isNaN(deadline)) throw new RangeError("TimerQueue.add: deadline is NaN");
    const entry = this.allocateEntry();
    this.deadlines[entry] = deadline;
    this.sequences[entry] = this.sequence++;
    this.targets[entry] = target;
    const slot = this.count++;
    this.heap[slot] = entry;
    this.slotOfEntry[entry] = slot;
    this.siftUp(slot);
    return this.generations[entry]! * ENTRY_LIMIT + entry + 1;
  }

  /** Cancels a timer; false when the handle already fired, was cancelled, or was never given out. */
  cancel(handle: number): boolean {
    const entry = this.liveEntry(handle);
    if (entry < 0) return false;
    this.removeAt(this.slotOfEntry[entry]!);
    return true;
  }

  /** True while the timer `handle` is pending. */
  has(handle: number): boolean {
    return this.liveEntry(handle) >= 0;
  }

  /** The earliest deadline, or Infinity when there is no timer. */
  nextDeadline(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.deadlines[this.heap[0]!]!;
  }

  /** Fires, in (deadline, insertion) order, every timer with deadline ≤ `now`; returns how many fired. */
  expire(now: number, callback: (target: T, handle: number) => void): number {
    let fired = 0;
    while (this.count > 0) {
      const entry = this.heap[0]!;
      if (this.deadlines[entry]! > now) break;
      const target = this.targets[entry] as T;
      const handle = this.generations[entry]! * ENTRY_LIMIT + entry + 1;
      this.removeAt(0);
      fired++;
      callback(target, handle);
    }
    return fired;
  }

  /** The live entry named by `handle`, or -1. */
  private liveEntry(handle: number): number {
    if (!Number.isSafeInteger(handle) || handle < 1) return -1;
    const entry = (handle - 1) % ENTRY_LIMIT;
    const generation = (handle - 1 - entry) / ENTRY_LIMIT;
    if (entry >= this.entriesUsed || this.slotOfEntry[entry] === -1) return -1;
    return this.generations[entry] === generation ? entry : -1;
  }

  private allocateEntry(): number {
    if (this.freeCount > 0) return this.freeEntries[--this.freeCount]!;
    if (this.entriesUsed === ENTRY_LIMIT) throw new RangeError(`TimerQueue: more than ${ENTRY_LIMIT} timers`);
    if (this.entriesUsed === this.deadlines.length) this.grow();
    return this.entriesUsed++;
  }

  private freeEntry(entry: number): void {
    this.targets[entry] = undefined;
    this.slotOfEntry[entry] = -1;
    const generation = this.generations[entry]!;
    if (generation === GENERATION_LIMIT) return; // retired: its handles must never come back
    this.generations[entry] = generation + 1;
    this.freeEntries[this.freeCount++] = entry;
  }

  /** Doubles every array (cold: amortised over the adds that filled them). */
  private grow(): void {
    const capacity = this.deadlines.length * 2;
    this.deadlines = widenFloat(this.deadlines, capacity);
    this.sequences = widenFloat(this.sequences, capacity);
    this.generations = widenUint(this.generations, capacity);
    this.heap = widenInt(this.heap, capacity, 0);
    this.freeEntries = widenInt(this.freeEntries, capacity, 0);
    this.slotOfEntry = widenInt(this.slotOfEntry, capacity, -1);
    while (this.targets.length < capacity) this.targets.push(undefined);
  }

  private removeAt(slot: number): void {
    this.freeEntry(this.heap[slot]!);
    this.count--;
    if (slot === this.count) return;
    const last = this.heap[this.count]!;
    this.heap[slot] = last;
    this.slotOfEntry[last] = slot;
    this.siftDown(slot);
    this.siftUp(this.slotOfEntry[last]!);
  }

  /** Entry `left` fires before entry `right`. */
  private before(left: number, right: number): boolean {
    const a = this.deadlines[left]!;
    const b = this.deadlines[right]!;
    return a < b || (a === b && this.sequences[left]! < this.sequences[right]!);
  }

  private swap(slotA: number, slotB: number): void {
    const entryA = this.heap[slotA]!;
    const entryB = this.heap[slotB]!;
    this.heap[slotA] = entryB;
    this.heap[slotB] = entryA;
    this.slotOfEntry[entryB] = slotA;
    this.slotOfEntry[entryA] = slotB;
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

function widenFloat(old: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  next.set(old);
  return next;
}

function widenUint(old: Uint32Array, capacity: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(capacity);
  next.set(old);
  return next;
}

function widenInt(old: Int32Array, capacity: number, fill: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(capacity);
  if (fill !== 0) next.fill(fill);
  next.set(old);
  return next;
}
