/**
 * The head/tail protocol shared by the SPSC rings ({@link SpscRecordRing},
 * {@link SpscByteRing}): one producer thread, one consumer thread, a
 * power-of-two capacity of slots, wait-free on both sides.
 *
 * Control block (after the 64-byte layout header, each on its own cache line
 * so the producer and the consumer never write the same line):
 * - HEAD (byte 64): slots consumed so far, written only by the consumer;
 * - TAIL (byte 128): slots produced so far, written only by the producer;
 * - WAITING line (byte 192): CONSUMER_WAITING / PRODUCER_WAITING flags, set
 *   only by a side about to sleep in `Atomics.wait` (read-mostly, so the
 *   other side reading it after every commit does not bounce the line).
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
 * Each side caches the other side's last seen position and reloads it only
 * when the cached value says "full" / "empty": that keeps the hot path on
 * the side's own cache line. Cached values are only ever stale in the safe
 * direction (they under-estimate free space / available data).
 */
import { CACHE_LINE_WORDS } from "./layout-header";

/** Int32 word indices of the control block. */
export const SPSC_WORD = {
  HEAD: CACHE_LINE_WORDS,
  TAIL: 2 * CACHE_LINE_WORDS,
  CONSUMER_WAITING: 3 * CACHE_LINE_WORDS,
  PRODUCER_WAITING: 3 * CACHE_LINE_WORDS + 1,
} as const;

/** Byte offset of the data area: header + HEAD line + TAIL line + WAITING line. */
export const SPSC_DATA_OFFSET = 4 * CACHE_LINE_WORDS * Int32Array.BYTES_PER_ELEMENT;

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
  /** Producer side: last HEAD seen. */
  private cachedHead = 0;
  /** Consumer side: last TAIL seen. */
  private cachedTail = 0;

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

  /** Producer: free slots, at most `want`; refreshes the cached HEAD only when needed. */
  protected writableSlots(tail: number, want: number): number {
    let free = this.capacity - ((tail - this.cachedHead) | 0);
    if (free < want) {
      this.cachedHead = Atomics.load(this.control, SPSC_WORD.HEAD);
      free = this.capacity - ((tail - this.cachedHead) | 0);
    }
    return Math.min(free, want);
  }

  /** Consumer: filled slots, at most `want`; refreshes the cached TAIL only when needed. */
  protected readableSlots(head: number, want: number): number {
    let filled = (this.cachedTail - head) | 0;
    if (filled < want) {
      this.cachedTail = Atomics.load(this.control, SPSC_WORD.TAIL);
      filled = (this.cachedTail - head) | 0;
    }
    return Math.min(filled, want);
  }

  /** Producer: publishes slots up to `newTail`, waking a sleeping consumer. */
  protected publishTail(newTail: number): void {
    Atomics.store(this.control, SPSC_WORD.TAIL, newTail);
    if (Atomics.load(this.control, SPSC_WORD.CONSUMER_WAITING) !== 0) {
      Atomics.notify(this.control, SPSC_WORD.TAIL);
    }
  }

  /** Consumer: releases slots up to `newHead`, waking a sleeping producer. */
  protected publishHead(newHead: number): void {
    Atomics.store(this.control, SPSC_WORD.HEAD, newHead);
    if (Atomics.load(this.control, SPSC_WORD.PRODUCER_WAITING) !== 0) {
      Atomics.notify(this.control, SPSC_WORD.HEAD);
    }
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
   * raised before the re-check, and the other side stores its position
   * before reading the flag; both are SC atomics, so either the re-check sees
   * the new position or the other side sees the flag and notifies.
   * `Atomics.wait` itself re-compares the watched word, closing the last gap.
   */
  private sleepWhile(watched: number, flag: number, blockedSize: number, timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const observed = Atomics.load(this.control, watched);
      if (this.size() !== blockedSize) return true;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      Atomics.store(this.control, flag, 1);
      if (this.size() === blockedSize) Atomics.wait(this.control, watched, observed, remaining);
      Atomics.store(this.control, flag, 0);
    }
  }
}
