/**
 * The machine's one virtual-time line: a {@link Clock} whose events are kept
 * in a binary min-heap over pooled, typed-array event slots.
 *
 * Scheme: each pending event occupies a slot (its cycle in `slotAt`, its
 * scheduling sequence number in `slotSequence`, its callback in
 * `slotCallback`). `heap` holds slot numbers ordered by (cycle, sequence);
 * `heapIndex[slot]` is the slot's position in `heap`, so a cancel removes it
 * in O(log n). Freed slots go on a free stack and are reused, so steady-state
 * scheduling allocates nothing; only growth reallocates the arrays.
 *
 * A handle encodes `sequence * SLOT_LIMIT + slot`: it is positive, never
 * reused (sequences only increase), and a stale handle is recognised because
 * its slot's sequence no longer matches.
 *
 * Invariants:
 * - `now` never decreases; events fire in (cycle, sequence) order, never
 *   before their cycle, never inside `schedule`.
 * - An event whose cycle is already past fires at the next `advanceTo`, with
 *   `firedAt = now` (time does not go back for it).
 * - Callbacks may schedule and cancel; events they schedule at or before the
 *   `advanceTo` target fire in the same call, in order. A nested `advanceTo`
 *   from a callback is a host bug and throws.
 */
import type { Clock, ClockCallback } from "../interfaces/clock";

/** Maximum number of simultaneously pending events (slots per timeline). */
export const TIMELINE_SLOT_LIMIT = 1 << 20;
const MAX_SEQUENCE = Math.floor(Number.MAX_SAFE_INTEGER / TIMELINE_SLOT_LIMIT);
const INITIAL_CAPACITY = 64;
const NO_POSITION = -1;

/** The emulated machine's virtual clock and event queue (DESIGN §2, "Time is virtual and deterministic"). */
export class Timeline implements Clock {
  /** Cycles per virtual second (the TSC frequency). */
  readonly frequencyHz: number;

  private currentCycle = 0;
  private nextSequence = 1;
  private firing = false;
  private capacity = 0;
  private slotAt = new Float64Array(0);
  private slotSequence = new Float64Array(0);
  private slotCallback: (ClockCallback | null)[] = [];
  private heapIndex = new Int32Array(0);
  private heap = new Int32Array(0);
  private heapSize = 0;
  private freeSlots = new Int32Array(0);
  private freeCount = 0;

  /** A timeline at cycle 0 ticking `frequencyHz` times per virtual second. Throws `RangeError` for a non-positive or non-finite frequency. */
  constructor(frequencyHz: number) {
    if (!(frequencyHz > 0 && Number.isFinite(frequencyHz))) {
      throw new RangeError(`Timeline: frequency ${frequencyHz} Hz is not a positive finite number`);
    }
    this.frequencyHz = frequencyHz;
    this.grow(INITIAL_CAPACITY);
  }

  /** The current virtual time in cycles. */
  now(): number {
    return this.currentCycle;
  }

  /** Number of events scheduled and neither fired nor cancelled. */
  get pendingCount(): number {
    return this.heapSize;
  }

  /** The cycle of the earliest pending event, or `Infinity` if none is pending. */
  nextEventAt(): number {
    return this.heapSize === 0 ? Number.POSITIVE_INFINITY : this.slotAt[this.heap[0]!]!;
  }

  /**
   * Schedules `callback(firedAt)` for cycle `at` (which may be in the past:
   * then it fires at the next {@link Timeline.advanceTo}). Returns a positive
   * handle never returned before. Throws `RangeError` for an `at` that is not
   * a non-negative safe integer, or when {@link TIMELINE_SLOT_LIMIT} events
   * are already pending (host bugs).
   */
  schedule(at: number, callback: ClockCallback): number {
    if (!Number.isSafeInteger(at) || at < 0) throw new RangeError(`Timeline.schedule: bad cycle ${at}`);
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    if (this.nextSequence > MAX_SEQUENCE) throw new RangeError("Timeline.schedule: handle space exhausted");
    const slot = this.freeSlots[--this.freeCount]!;
    const sequence = this.nextSequence++;
    this.slotAt[slot] = at;
    this.slotSequence[slot] = sequence;
    this.slotCallback[slot] = callback;
    const position = this.heapSize++;
    this.heap[position] = slot;
    this.heapIndex[slot] = position;
    this.siftUp(position);
    return sequence * TIMELINE_SLOT_LIMIT + slot;
  }

  /** Cancels a pending event. Returns `false` if the handle already fired, was cancelled, or never existed. */
  cancel(handle: number): boolean {
    if (!Number.isSafeInteger(handle) || handle <= 0) return false;
    const sequence = Math.floor(handle / TIMELINE_SLOT_LIMIT);
    const slot = handle - sequence * TIMELINE_SLOT_LIMIT;
    if (slot >= this.capacity || this.heapIndex[slot] === NO_POSITION) return false;
    if (this.slotSequence[slot] !== sequence) return false;
    this.removeAt(this.heapIndex[slot]!);
    this.releaseSlot(slot);
    return true;
  }

  /**
   * Moves time forward to `cycle`, firing every event due at or before it in
   * (cycle, scheduling order); `now()` equals each event's cycle while it
   * fires (or stays put for an event scheduled in the past), and `cycle` at
   * the end. A `cycle` below `now()` moves nothing forward but still fires
   * overdue events. Throws `RangeError` for a non-safe-integer cycle and
   * `Error` when called from inside a callback (host bugs).
   */
  advanceTo(cycle: number): void {
    if (!Number.isSafeInteger(cycle)) throw new RangeError(`Timeline.advanceTo: bad cycle ${cycle}`);
    if (this.firing) throw new Error("Timeline.advanceTo: called from inside an event callback");
    const target = Math.max(cycle, this.currentCycle);
    this.firing = true;
    try {
      while (this.heapSize > 0 && this.slotAt[this.heap[0]!]! <= target) this.fireEarliest();
    } finally {
      this.firing = false;
    }
    this.currentCycle = target;
  }

  private fireEarliest(): void {
    const slot = this.heap[0]!;
    const at = this.slotAt[slot]!;
    const callback = this.slotCallback[slot]!;
    this.removeAt(0);
    this.releaseSlot(slot);
    if (at > this.currentCycle) this.currentCycle = at;
    callback(this.currentCycle);
  }

  private releaseSlot(slot: number): void {
    this.slotCallback[slot] = null;
    this.heapIndex[slot] = NO_POSITION;
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Removes the heap entry at `position`, keeping the heap ordered. */
  private removeAt(position: number): void {
    const last = --this.heapSize;
    if (position === last) return;
    const moved = this.heap[last]!;
    this.heap[position] = moved;
    this.heapIndex[moved] = position;
    if (position > 0 && this.before(moved, this.heap[(position - 1) >> 1]!)) this.siftUp(position);
    else this.siftDown(position);
  }

  /** True if the event in slot `a` fires before the one in slot `b`. */
  private before(a: number, b: number): boolean {
    const atA = this.slotAt[a]!;
    const atB = this.slotAt[b]!;
    return atA < atB || (atA === atB && this.slotSequence[a]! < this.slotSequence[b]!);
  }

  private siftUp(position: number): void {
    const slot = this.heap[position]!;
    while (position > 0) {
      const parentPosition = (position - 1) >> 1;
      const parent = this.heap[parentPosition]!;
      if (!this.before(slot, parent)) break;
      this.heap[position] = parent;
      this.heapIndex[parent] = position;
      position = parentPosition;
    }
    this.heap[position] = slot;
    this.heapIndex[slot] = position;
  }

  private siftDown(position: number): void {
    const slot = this.heap[position]!;
    for (;;) {
      let child = 2 * position + 1;
      if (child >= this.heapSize) break;
      if (child + 1 < this.heapSize && this.before(this.heap[child + 1]!, this.heap[child]!)) child++;
      const childSlot = this.heap[child]!;
      if (!this.before(childSlot, slot)) break;
      this.heap[position] = childSlot;
      this.heapIndex[childSlot] = position;
      position = child;
    }
    this.heap[position] = slot;
    this.heapIndex[slot] = position;
  }

  /** Grows every per-slot array to `capacity` slots, adding the new ones to the free stack. */
  private grow(capacity: number): void {
    if (capacity > TIMELINE_SLOT_LIMIT) {
      throw new RangeError(`Timeline.schedule: more than ${TIMELINE_SLOT_LIMIT} pending events`);
    }
    const old = this.capacity;
    this.slotAt = copyInto(new Float64Array(capacity), this.slotAt);
    this.slotSequence = copyInto(new Float64Array(capacity), this.slotSequence);
    this.heapIndex = copyInto(new Int32Array(capacity).fill(NO_POSITION), this.heapIndex);
    this.heap = copyInto(new Int32Array(capacity), this.heap);
    this.freeSlots = copyInto(new Int32Array(capacity), this.freeSlots);
    for (let slot = old; slot < capacity; slot++) this.slotCallback.push(null);
    // Push new slots highest first so the lowest is handed out first.
    for (let slot = capacity - 1; slot >= old; slot--) this.freeSlots[this.freeCount++] = slot;
    this.capacity = capacity;
  }
}

function copyInto<T extends Float64Array | Int32Array>(target: T, source: T): T {
  target.set(source);
  return target;
}
