/**
 * Backoff for worker loops that wait for another thread: spin a little, then
 * sleep briefly in Atomics.wait, so two busy threads on two shared cores do
 * not starve the thread they are waiting for. Also the time bound of every
 * concurrent test: a loop that waits past the deadline gives up.
 */

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const SPINS_BEFORE_SLEEP = 64;
const SLEEP_MS = 0.05;
/** A worker that never reaches a barrier (it crashed) must not leave the others spinning forever. */
const BARRIER_LIMIT_MS = 60_000;

/** Tracks failed attempts of one wait loop and the test's deadline. */
export class Backoff {
  private failures = 0;
  private readonly deadline: number;

  constructor(timeLimitMs: number) {
    this.deadline = performance.now() + timeLimitMs;
  }

  /** Call after an attempt failed; returns false once the deadline has passed. */
  wait(): boolean {
    this.failures++;
    if (this.failures < SPINS_BEFORE_SLEEP) return true;
    if (performance.now() > this.deadline) return false;
    Atomics.wait(sleeper, 0, 0, SLEEP_MS);
    return true;
  }

  /** Call after an attempt succeeded. */
  reset(): void {
    this.failures = 0;
  }

  /** Whether the deadline has passed. */
  expired(): boolean {
    return performance.now() > this.deadline;
  }
}

/**
 * A reusable barrier on one Int32 counter: in epoch `epoch` (0, 1, ...) each
 * of `parties` threads adds 1 and spins until all have, so the threads start
 * each epoch's operations at the same moment (maximising contention).
 */
export function awaitBarrier(gate: Int32Array, parties: number, epoch: number): void {
  Atomics.add(gate, 0, 1);
  const target = parties * (epoch + 1);
  const deadline = performance.now() + BARRIER_LIMIT_MS;
  for (let spins = 1; Atomics.load(gate, 0) < target; spins++) {
    // Spin (the others arrive within microseconds once started); give up if one never comes.
    if (spins % 1_000_000 === 0 && performance.now() > deadline)
      throw new Error("barrier: a party never arrived");
  }
}
