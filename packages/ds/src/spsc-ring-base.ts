/**
 * The head/tail protocol shared by the SPSC rings ({@link SpscRecordRing},
 * {@link SpscByteRing}): one producer thread, one consumer thread, a
 * power-of-two capacity of slots, wait-free on both sides.
 *
 * Control block after the 64-byte layout header, one cache line per word so
 * no line is written by both sides:
 * - HEAD (byte 64): slots consumed so far, written only by the consumer;
 * - TAIL (byte 128): slots produced so far, written only by the producer;
 * - CONSUMER_WAITING (byte 192), PRODUCER_WAITING (byte 256): set only by a
 *   side about to sleep in `Atomics.wait`, so in steady state both lines are
 *   read-only and stay cached on both cores.
 * Data starts at byte 320.
 *
 * Invariants: `0 <= (TAIL - HEAD) | 0 <= capacity` (positions are free
 * running 32-bit counters; the difference stays exact across wrap-around
 * because capacity <= 2^30). Slot `p & mask` is owned by the producer for
 * positions p in [TAIL, HEAD + capacity) and by the consumer for p in
 * [HEAD, TAIL); ownership moves only by the owner's publishing store.
 *
 * Memory ordering: the producer writes slot data with plain typed-array
 * stores, then publishes with `Atomics.store(TAIL)`; the consumer reads TAIL
 * with `Atomics.load` before reading the data. Atomics are sequentially
 * consistent in the ECMAScript memory model, so the data writes
 * happen-before the consumer's reads. Symmetrically the consumer's reads
 * happen-before the producer reuses the slot (HEAD store / load).
 *
 * Per-message cost (what bounds one-message-per-call throughput: in Node 20
 * every `Atomics.load`/`store` is a builtin call, 6–10 ns, while a plain
 * typed-array access is under 1 ns):
 * - Each side reads its OWN position with a plain load. That is not a data
 *   race: only this side writes it, and its own earlier store precedes the
 *   read in program order (a role handed to another thread or handle needs
 *   the usual happens-before hand-off, e.g. a postMessage or an Atomics op).
 * - Each handle keeps a private copy of the OTHER side's position
 *   (`cachedHead` on the producer side, `cachedTail` on the consumer side;
 *   plain fields of this object, never in shared memory, so every `attach`
 *   gets its own) and reloads it with `Atomics.load` only when the copy says
 *   "full" / "empty" (Lamport's ring with FastForward-style caching). The
 *   copy is a value the other side really stored earlier and positions only
 *   grow, so it can only under-estimate free space / available data; a copy
 *   outside `[0, capacity]` of the own position (a handle idle for 2^31
 *   operations of other handles) is reloaded too. Ordering is unaffected:
 *   slot data is only touched below a position that was loaded atomically.
 * - So a message costs one SC store (the publication) and, only when the
 *   cached copy runs out, one SC load, and the other side's line moves
 *   between the cores once per reload instead of once per message.
 * - The waiting flags are read with a plain load after each publishing
 *   store: a hint. A plain read racing with the sleeper's flag store may, by
 *   the ECMAScript model, miss it (on x86-64 it cannot: V8's SC store is a
 *   locked `xchg`, a full fence before the load), so sleepers never rely on
 *   the notify alone: they sleep in slices of at most {@link SPSC_WAIT_SLICE_MS}
 *   and re-check. A missed notify costs latency, never a lost wake-up.
 */
import { CACHE_LINE_BYTES, CACHE_LINE_WORDS } from "./layout-header";

/** Int32 word indices of the control block, each on its own cache line. */
export const SPSC_WORD = {
  HEAD: CACHE_LINE_WORDS,
  TAIL: 2 * CACHE_LINE_WORDS,
  CONSUMER_WAITING: 3 * CACHE_LINE_WORDS,
  PRODUCER_WAITING: 4 * CACHE_LINE_WORDS,
} as const;

/** Byte offset of the data area: header + HEAD, TAIL and the two waiting-flag lines. */
export const SPSC_DATA_OFFSET = 5 * CACHE_LINE_BYTES;

/** Longest single `Atomics.wait` of a blocking call before it re-checks the ring (see the file header). */
export const SPSC_WAIT_SLICE_MS = 1;

/** Common head/tail logic; subclasses own the data area and the copy loops. */
export class SpscRingBase {
  /** The buffer holding header, control block and data. */
  readonly buffer: SharedArrayBuffer;
  /** Capacity in slots (records or bytes), a power of two. */
  readonly capacity: number;
  /** Header and control block as Int32 words (HEAD, TAIL and the waiting flags). */
  protected readonly control: Int32Array;
  /** `capacity - 1`: position to slot index. */
  protected readonly mask: number;
  /** Producer side, this handle only: HEAD as last loaded (never ahead of the real HEAD). */
  protected cachedHead: number;
  /** Consumer side, this handle only: TAIL as last loaded (never ahead of the real TAIL). */
  protected cachedTail: number;

  protected constructor(buffer: SharedArrayBuffer, capacity: number) {
    this.buffer = buffer;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.control = new Int32Array(buffer, 0, SPSC_DATA_OFFSET / Int32Array.BYTES_PER_ELEMENT);
    this.cachedHead = Atomics.load(this.control, SPSC_WORD.HEAD);
    this.cachedTail = Atomics.load(this.control, SPSC_WORD.TAIL);
  }

  /** Slots currently filled (a snapshot: the other side may move it at once). */
  size(): number {
    return (Atomics.load(this.control, SPSC_WORD.TAIL) - Atomics.load(this.control, SPSC_WORD.HEAD)) | 0;
  }

  /** Producer: TAIL, read plainly (only the producer writes it). */
  protected ownTail(): number {
    return this.control[SPSC_WORD.TAIL]!;
  }

  /** Consumer: HEAD, read plainly (only the consumer writes it). */
  protected ownHead(): number {
    return this.control[SPSC_WORD.HEAD]!;
  }

  /** Producer: free slots, at most `want`; reloads the cached HEAD only when it says fewer. */
  protected writableSlots(tail: number, want: number): number {
    let free = this.capacity - ((tail - this.cachedHead) | 0);
    if (free < want || free > this.capacity) {
      this.cachedHead = Atomics.load(this.control, SPSC_WORD.HEAD);
      free = this.capacity - ((tail - this.cachedHead) | 0);
    }
    return Math.min(free, want);
  }

  /** Consumer: filled slots, at most `want`; reloads the cached TAIL only when it says fewer. */
  protected readableSlots(head: number, want: number): number {
    let filled = (this.cachedTail - head) | 0;
    if (filled < want || filled > this.capacity) {
      this.cachedTail = Atomics.load(this.control, SPSC_WORD.TAIL);
      filled = (this.cachedTail - head) | 0;
    }
    return Math.min(filled, want);
  }

  /** Producer: publishes slots up to `newTail`, waking a consumer that flagged it sleeps. */
  protected publishTail(newTail: number): void {
    const control = this.control;
    Atomics.store(control, SPSC_WORD.TAIL, newTail);
    if (control[SPSC_WORD.CONSUMER_WAITING] !== 0) Atomics.notify(control, SPSC_WORD.TAIL);
  }

  /** Consumer: releases slots up to `newHead`, waking a producer that flagged it sleeps. */
  protected publishHead(newHead: number): void {
    const control = this.control;
    Atomics.store(control, SPSC_WORD.HEAD, newHead);
    if (control[SPSC_WORD.PRODUCER_WAITING] !== 0) Atomics.notify(control, SPSC_WORD.HEAD);
  }

  /**
   * Consumer: sleeps (Atomics.wait) until at least one slot is readable or
   * `timeoutMs` passes. Returns whether data is readable. Allowed on Node's
   * main thread (browsers forbid Atomics.wait on their main thread).
   */
  waitUntilReadable(timeoutMs = Number.POSITIVE_INFINITY): boolean {
    return this.sleepWhile(SPSC_WORD.TAIL, SPSC_WORD.CONSUMER_WAITING, 0, timeoutMs);
  }

  /** Producer: sleeps until at least one slot is free or `timeoutMs` passes; returns whether one is. */
  waitUntilWritable(timeoutMs = Number.POSITIVE_INFINITY): boolean {
    return this.sleepWhile(SPSC_WORD.HEAD, SPSC_WORD.PRODUCER_WAITING, this.capacity, timeoutMs);
  }

  /**
   * Sleeps on `watched` while `TAIL - HEAD === blockedSize`. The flag is
   * raised (SC store) before the re-check, and `Atomics.wait` itself
   * re-compares the watched word, so a position stored before the wait
   * starts is never slept through. The other side reads the flag plainly (a
   * hint, see the file header), so each wait lasts at most
   * {@link SPSC_WAIT_SLICE_MS} before the ring is checked again.
   */
  private sleepWhile(watched: number, flag: number, blockedSize: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const observed = Atomics.load(this.control, watched);
      if (this.size() !== blockedSize) return true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      Atomics.store(this.control, flag, 1);
      if (this.size() === blockedSize) {
        Atomics.wait(this.control, watched, observed, Math.min(remaining, SPSC_WAIT_SLICE_MS));
      }
      Atomics.store(this.control, flag, 0);
    }
  }
}
