/**
 * Virtual time, measured in cycles of one machine-wide counter.
 *
 * Invariants:
 * - `now()` never decreases and is an integer below 2^53 (decades of virtual
 *   time at GHz rates).
 * - Events fire in order of their cycle; events scheduled for the same cycle
 *   fire in the order they were scheduled. An event is never fired early.
 * - Scheduling at a cycle already past fires at the next opportunity, still in
 *   order, never synchronously inside `schedule`.
 * - Nothing here depends on host time: the same calls give the same firings.
 */
export interface Clock {
  /** Cycles per virtual second (the TSC frequency). */
  readonly frequencyHz: number;

  /** The current virtual time in cycles. */
  now(): number;

  /**
   * Schedules `callback(firedAt)` to run when virtual time reaches `at`.
   * Returns a handle for {@link Clock.cancel}; handles are positive integers,
   * never reused by one clock.
   */
  schedule(at: number, callback: ClockCallback): number;

  /** Cancels a scheduled event. Returns `false` if it already fired or was cancelled. */
  cancel(handle: number): boolean;
}

/** Called when a scheduled event fires, with the virtual time it fired at. */
export type ClockCallback = (firedAt: number) => void;
