/**
 * The baseline of the `mpsc/vs-mutex` benchmark: the same bounded ring of
 * Int32 values as {@link MpscQueue}, but every push and pop takes an
 * Atomics-based mutex instead of using per-slot sequence numbers.
 *
 * The mutex is the three-state futex mutex from Ulrich Drepper's "Futexes
 * Are Tricky" (0 = unlocked, 1 = locked, 2 = locked with waiters), with
 * `Atomics.wait` / `Atomics.notify` as the futex, preceded by a short spin
 * (as production mutexes do) so an uncontended or briefly held lock never
 * sleeps. Head, tail and slots are plain memory touched only under the
 * lock; the lock's SC atomics order those accesses between threads.
 *
 * Layout (Int32 words): LOCK (own line), HEAD, TAIL (same line: both are
 * written under the lock anyway), slots from the third line.
 */

const LOCK = 0;
const HEAD = 16;
const TAIL = 17;
const FIRST_SLOT = 32;
const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;
const SPINS = 100;

/** A bounded Int32 queue guarded by one mutex; any thread may push or pop. */
export class MutexQueue {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  private readonly words: Int32Array;
  private readonly mask: number;

  constructor(bufferOrCapacity: SharedArrayBuffer | number) {
    if (typeof bufferOrCapacity === "number") {
      this.capacity = bufferOrCapacity;
      this.buffer = new SharedArrayBuffer((FIRST_SLOT + bufferOrCapacity) * 4);
    } else {
      this.buffer = bufferOrCapacity;
      this.capacity = bufferOrCapacity.byteLength / 4 - FIRST_SLOT;
    }
    this.words = new Int32Array(this.buffer);
    this.mask = this.capacity - 1;
  }

  private lock(): void {
    const words = this.words;
    for (let spin = 0; spin < SPINS; spin++) {
      if (Atomics.compareExchange(words, LOCK, UNLOCKED, LOCKED) === UNLOCKED) return;
    }
    let state = Atomics.exchange(words, LOCK, CONTENDED);
    while (state !== UNLOCKED) {
      Atomics.wait(words, LOCK, CONTENDED);
      state = Atomics.exchange(words, LOCK, CONTENDED);
    }
  }

  private unlock(): void {
    if (Atomics.sub(this.words, LOCK, 1) !== LOCKED) {
      Atomics.store(this.words, LOCK, UNLOCKED);
      Atomics.notify(this.words, LOCK, 1);
    }
  }

  /** Appends `value`; false when full. */
  push(value: number): boolean {
    this.lock();
    const words = this.words;
    const tail = words[TAIL]!;
    const accepted = ((tail - words[HEAD]!) | 0) < this.capacity;
    if (accepted) {
      words[FIRST_SLOT + (tail & this.mask)] = value;
      words[TAIL] = tail + 1;
    }
    this.unlock();
    return accepted;
  }

  /** Removes the oldest value; -1 when empty. */
  pop(): number {
    this.lock();
    const words = this.words;
    const head = words[HEAD]!;
    let value = -1;
    if (head !== words[TAIL]) {
      value = words[FIRST_SLOT + (head & this.mask)]!;
      words[HEAD] = head + 1;
    }
    this.unlock();
    return value;
  }
}
