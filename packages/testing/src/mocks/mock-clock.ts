/**
 * `MockClock`: a `Clock` whose time moves only when the test says so, and
 * `MockTimer`, a one-shot / periodic timer on any `Clock` (what a LAPIC timer
 * model or a scheduler tick needs), recording when it fired.
 *
 * Invariants (those of the `Clock` interface, checked by the tests):
 * - `now()` changes only in `advance` / `advanceTo` / `runUntilIdle`; it
 *   never decreases (`advanceTo` a past time throws: a test bug).
 * - Events fire in order of their cycle, ties in order of scheduling, each
 *   at `max(at, now)` — never early. An event scheduled for a past cycle
 *   fires at the next advance (even `advance(0)`), never inside `schedule`.
 * - Events scheduled by a callback for a cycle within the current advance
 *   fire in the same advance, in order.
 * - Handles are positive integers, never reused.
 */
import type { Clock, ClockCallback } from "@tsos/hw-x86";

interface ScheduledEvent {
  readonly at: number;
  readonly sequence: number;
  readonly handle: number;
  readonly callback: ClockCallback;
}

function earlier(left: ScheduledEvent, right: ScheduledEvent): boolean {
  return left.at < right.at || (left.at === right.at && left.sequence < right.sequence);
}

/** A deterministic, manually driven clock. */
export class MockClock implements Clock {
  readonly frequencyHz: number;
  /** Events fired so far. */
  firedCount = 0;
  private current: number;
  private nextHandle = 1;
  private readonly heap: ScheduledEvent[] = [];
  private readonly cancelled = new Set<number>();

  /** A clock at cycle `start` (default 0) ticking `frequencyHz` cycles per virtual second (default 1 GHz). */
  constructor(options: { frequencyHz?: number; start?: number } = {}) {
    this.frequencyHz = options.frequencyHz ?? 1_000_000_000;
    this.current = options.start ?? 0;
  }

  now(): number {
    return this.current;
  }

  schedule(at: number, callback: ClockCallback): number {
    const handle = this.nextHandle++;
    this.push({ at, sequence: handle, handle, callback });
    return handle;
  }

  cancel(handle: number): boolean {
    if (!this.heap.some((event) => event.handle === handle) || this.cancelled.has(handle)) return false;
    this.cancelled.add(handle);
    return true;
  }

  /** Number of events scheduled and not fired or cancelled. */
  get pendingCount(): number {
    return this.heap.length - this.cancelled.size;
  }

  /** Cycle of the next event, or `undefined` when none is pending. */
  nextEventAt(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.at;
  }

  /** Moves time forward by `cycles` (≥ 0), firing every event due on the way. */
  advance(cycles: number): void {
    if (!(cycles >= 0)) throw new RangeError(`MockClock.advance: ${cycles} is negative`);
    this.advanceTo(this.current + cycles);
  }

  /** Moves time to `cycle` (≥ now), firing every event due on the way, in order. */
  advanceTo(cycle: number): void {
    if (cycle < this.current)
      throw new RangeError(`MockClock.advanceTo: ${cycle} is before now (${this.current})`);
    for (;;) {
      this.dropCancelledTop();
      const next = this.heap[0];
      if (!next || next.at > cycle) break;
      this.pop();
      this.current = Math.max(this.current, next.at);
      this.firedCount++;
      next.callback(this.current);
    }
    this.current = cycle;
  }

  /**
   * Jumps from event to event until none is pending (as the machine does
   * when every CPU halts). Throws after `maxEvents` firings (default 1e6),
   * which catches a periodic event that never stops.
   */
  runUntilIdle(maxEvents = 1_000_000): void {
    const limit = this.firedCount + maxEvents;
    for (let next = this.nextEventAt(); next !== undefined; next = this.nextEventAt()) {
      if (this.firedCount >= limit) throw new Error(`MockClock.runUntilIdle: more than ${maxEvents} events`);
      this.advanceTo(Math.max(next, this.current));
    }
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0]!.handle)) {
      this.cancelled.delete(this.heap[0]!.handle);
      this.pop();
    }
  }

  private push(event: ScheduledEvent): void {
    const heap = this.heap;
    heap.push(event);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}

/** A one-shot or periodic timer on a `Clock`, recording the cycles it fired at. */
export class MockTimer {
  /** Cycles at which the timer fired, in order. */
  readonly firedAt: number[] = [];
  private handle = 0;
  private period = 0;

  /** `onFire` runs on each expiry (after the firing is recorded). */
  constructor(
    private readonly clock: Clock,
    private readonly onFire: (firedAt: number) => void = () => {},
  ) {}

  /** Arms the timer `delay` cycles from now; with `periodic`, it re-arms itself every `delay` cycles from its due time. */
  start(delay: number, periodic = false): void {
    this.stop();
    this.period = periodic ? delay : 0;
    this.arm(this.clock.now() + delay);
  }

  /** Disarms the timer; returns whether it was armed. */
  stop(): boolean {
    if (this.handle === 0) return false;
    const was = this.clock.cancel(this.handle);
    this.handle = 0;
    return was;
  }

  /** True while an expiry is scheduled. */
  get armed(): boolean {
    return this.handle !== 0;
  }

  private arm(at: number): void {
    this.handle = this.clock.schedule(at, (firedAt) => {
      this.handle = 0;
      this.firedAt.push(firedAt);
      // Periodic timers keep their phase: the next due time counts from this due time, not from firing.
      if (this.period > 0) this.arm(at + this.period);
      this.onFire(firedAt);
    });
  }
}
