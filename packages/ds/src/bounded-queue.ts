/**
 * Bounded multi-producer queues with per-slot sequence numbers (the scheme
 * Dmitry Vyukov described for his bounded MPMC queue), in a SharedArrayBuffer:
 * {@link MpscQueue} (one consumer) and {@link MpmcQueue} (many consumers).
 *
 * Layout (Int32 words): header line; ENQUEUE position (own cache line);
 * DEQUEUE position (own cache line); then `capacity` slots of
 * `1 + recordWords` words: [sequence, record...].
 *
 * Protocol. Positions are free-running 32-bit counters; slot `p & mask`
 * serves position p. A slot's sequence says whose turn it is:
 * - `sequence == p`: free for the producer of position p;
 * - `sequence == p + 1`: holds the element of position p, for the consumer;
 * - the consumer of p sets `sequence = p + capacity`, freeing the slot for
 *   the producer one lap later.
 * A producer claims p by CAS on ENQUEUE (only when the slot's sequence
 * equals p), writes the record with plain stores, then publishes it with
 * `Atomics.store(sequence, p + 1)`. The consumer loads the sequence (SC
 * atomic) before reading the record, so the record writes happen-before the
 * reads (ECMAScript memory model: Atomics synchronise-with each other).
 * A sequence behind p (`(sequence - p) | 0 < 0`) means the slot still holds
 * last lap's element: the queue is full, reported as `false`. Differences are
 * taken with `| 0`, exact across 32-bit wrap because capacity <= 2^24.
 *
 * Progress: producers are lock-free among themselves (a failed CAS means
 * another producer advanced). A producer that claimed a slot and stalls
 * before publishing makes the consumer see "empty" at that slot until it
 * publishes; elements are never lost or reordered by this, only delayed.
 *
 * Order: elements are consumed in ENQUEUE-claim order, so each producer's
 * elements come out in the order it pushed them (per-producer FIFO).
 *
 * The MPSC consumer reads and writes DEQUEUE with plain accesses: it is the
 * only writer, and no producer reads DEQUEUE (producers synchronise through
 * the slot sequences only), so DEQUEUE carries no publication. `size()`
 * reads it atomically and may see a slightly old value (a racy but
 * tear-free Int32 read; `size()` is a snapshot anyway); a consumer role
 * handed to another thread needs the usual happens-before hand-off. This
 * saves an SC load and an SC store (builtin calls in Node 20) per pop.
 * The consumer does not read ENQUEUE at all, so there is no producer
 * position to cache, and MPMC consumers share DEQUEUE through CAS, so no
 * consumer may cache it either.
 */
import { DsLayoutError } from "./errors";
import {
  CACHE_LINE_WORDS,
  createStructureBuffer,
  readStructureHeader,
  requireInteger,
  requirePowerOfTwo,
  STRUCTURE_KIND,
} from "./layout-header";

/** Options of {@link MpscQueue.create} / {@link MpmcQueue.create}. */
export interface BoundedQueueOptions {
  /** Slots, a power of two in [2, 2^24]. */
  readonly capacity: number;
  /** 32-bit words per record, 1..1024 (default 1). */
  readonly recordWords?: number;
}

const ENQUEUE = CACHE_LINE_WORDS;
const DEQUEUE = 2 * CACHE_LINE_WORDS;
const FIRST_SLOT = 3 * CACHE_LINE_WORDS;
const MAX_SLOTS = 2 ** 24;
const MAX_RECORD_WORDS = 1024;

type QueueKind = typeof STRUCTURE_KIND.MPSC_QUEUE | typeof STRUCTURE_KIND.MPMC_QUEUE;

function wordsFor(capacity: number, recordWords: number): number {
  return FIRST_SLOT + capacity * (1 + recordWords);
}

function createQueueBuffer(kind: QueueKind, options: BoundedQueueOptions): SharedArrayBuffer {
  const recordWords = options.recordWords ?? 1;
  requirePowerOfTwo("queue capacity", options.capacity, 2, MAX_SLOTS);
  requireInteger("queue recordWords", recordWords, 1, MAX_RECORD_WORDS);
  const byteLength = wordsFor(options.capacity, recordWords) * Int32Array.BYTES_PER_ELEMENT;
  const buffer = createStructureBuffer(kind, byteLength, [options.capacity, recordWords]);
  const words = new Int32Array(buffer);
  for (let slot = 0; slot < options.capacity; slot++) words[FIRST_SLOT + slot * (1 + recordWords)] = slot;
  return buffer;
}

function attachQueueBuffer(buffer: unknown, kind: QueueKind): [SharedArrayBuffer, number, number] {
  const [capacity = 0, recordWords = 0] = readStructureHeader(buffer, kind);
  requirePowerOfTwo("queue capacity", capacity, 2, MAX_SLOTS);
  requireInteger("queue recordWords", recordWords, 1, MAX_RECORD_WORDS);
  const shared = buffer as SharedArrayBuffer;
  if (shared.byteLength !== wordsFor(capacity, recordWords) * Int32Array.BYTES_PER_ELEMENT) {
    throw new DsLayoutError("attach queue: byte length does not match its parameters");
  }
  return [shared, capacity, recordWords];
}

/** The producer side and layout shared by both queues. */
export abstract class BoundedQueueBase {
  /** The buffer to hand to other threads. */
  readonly buffer: SharedArrayBuffer;
  /** Slots in the queue. */
  readonly capacity: number;
  /** 32-bit words per record. */
  readonly recordWords: number;
  /** The whole buffer as Int32 words (header, positions, slots). */
  protected readonly words: Int32Array;
  /** `capacity - 1`: position to slot index. */
  protected readonly mask: number;
  /** Words per slot: the sequence word and the record. */
  protected readonly stride: number;
  /** Position of the last slot this instance claimed (instances are per thread, so this is thread-local). */
  private claimed = 0;
  /** Position of the last slot this instance took as a consumer. */
  protected taken = 0;

  protected constructor(buffer: SharedArrayBuffer, capacity: number, recordWords: number) {
    this.buffer = buffer;
    this.capacity = capacity;
    this.recordWords = recordWords;
    this.words = new Int32Array(buffer);
    this.mask = capacity - 1;
    this.stride = 1 + recordWords;
  }

  /** Elements currently queued or being written (a snapshot). */
  size(): number {
    return (Atomics.load(this.words, ENQUEUE) - Atomics.load(this.words, DEQUEUE)) | 0;
  }

  /**
   * Claims the next position; returns the index of its slot's sequence word
   * and leaves the position in `claimed`, or -1 when the queue is full.
   */
  private claimSlot(): number {
    const words = this.words;
    let position = Atomics.load(words, ENQUEUE);
    for (;;) {
      const slot = FIRST_SLOT + (position & this.mask) * this.stride;
      const lag = (Atomics.load(words, slot) - position) | 0;
      if (lag === 0) {
        const seen = Atomics.compareExchange(words, ENQUEUE, position, (position + 1) | 0);
        if (seen === position) {
          this.claimed = position;
          return slot;
        }
        position = seen;
      } else if (lag < 0) {
        return -1;
      } else {
        position = Atomics.load(words, ENQUEUE);
      }
    }
  }

  /** Any thread: appends a record whose first word is `value` (others zeroed). False when full. */
  push(value: number): boolean {
    const slot = this.claimSlot();
    if (slot < 0) return false;
    this.words[slot + 1] = value;
    for (let word = 2; word <= this.recordWords; word++) this.words[slot + word] = 0;
    Atomics.store(this.words, slot, (this.claimed + 1) | 0);
    return true;
  }

  /** Any thread: appends the record at `source[offset ..]`. False when full. */
  pushRecord(source: Int32Array, offset = 0): boolean {
    const slot = this.claimSlot();
    if (slot < 0) return false;
    for (let word = 0; word < this.recordWords; word++) this.words[slot + 1 + word] = source[offset + word]!;
    Atomics.store(this.words, slot, (this.claimed + 1) | 0);
    return true;
  }

  /** Consumer: the slot index of the next element with its position in `taken`, or -1 when empty. */
  protected abstract takeSlot(): number;

  /** Consumer: removes the oldest record and returns its first word, or -1 when empty (use non-negative values). */
  pop(): number {
    const slot = this.takeSlot();
    if (slot < 0) return -1;
    const value = this.words[slot + 1]!;
    Atomics.store(this.words, slot, (this.taken + this.capacity) | 0);
    return value;
  }

  /** Consumer: copies the oldest record into `target[offset ..]`; false when empty. */
  popRecord(target: Int32Array, offset = 0): boolean {
    const slot = this.takeSlot();
    if (slot < 0) return false;
    for (let word = 0; word < this.recordWords; word++) target[offset + word] = this.words[slot + 1 + word]!;
    Atomics.store(this.words, slot, (this.taken + this.capacity) | 0);
    return true;
  }
}

/** Bounded queue, many producers, ONE consumer thread: `pop` needs no CAS. */
export class MpscQueue extends BoundedQueueBase {
  /** Allocates a queue in a new SharedArrayBuffer. Throws {@link DsLayoutError} on bad options. */
  static create(options: BoundedQueueOptions): MpscQueue {
    const buffer = createQueueBuffer(STRUCTURE_KIND.MPSC_QUEUE, options);
    return new MpscQueue(buffer, options.capacity, options.recordWords ?? 1);
  }

  /** Attaches to a queue created in another thread. Throws {@link DsLayoutError} if `buffer` holds none. */
  static attach(buffer: unknown): MpscQueue {
    const [shared, capacity, recordWords] = attachQueueBuffer(buffer, STRUCTURE_KIND.MPSC_QUEUE);
    return new MpscQueue(shared, capacity, recordWords);
  }

  protected takeSlot(): number {
    const words = this.words;
    // Only this consumer writes DEQUEUE, so plain accesses suffice (see the file header).
    const position = words[DEQUEUE]!;
    const slot = FIRST_SLOT + (position & this.mask) * this.stride;
    if (Atomics.load(words, slot) !== ((position + 1) | 0)) return -1;
    words[DEQUEUE] = (position + 1) | 0;
    this.taken = position;
    return slot;
  }
}

/** Bounded queue, many producers, many consumers: `pop` claims its position by CAS. */
export class MpmcQueue extends BoundedQueueBase {
  /** Allocates a queue in a new SharedArrayBuffer. Throws {@link DsLayoutError} on bad options. */
  static create(options: BoundedQueueOptions): MpmcQueue {
    const buffer = createQueueBuffer(STRUCTURE_KIND.MPMC_QUEUE, options);
    return new MpmcQueue(buffer, options.capacity, options.recordWords ?? 1);
  }

  /** Attaches to a queue created in another thread. Throws {@link DsLayoutError} if `buffer` holds none. */
  static attach(buffer: unknown): MpmcQueue {
    const [shared, capacity, recordWords] = attachQueueBuffer(buffer, STRUCTURE_KIND.MPMC_QUEUE);
    return new MpmcQueue(shared, capacity, recordWords);
  }

  protected takeSlot(): number {
    const words = this.words;
    let position = Atomics.load(words, DEQUEUE);
    for (;;) {
      const slot = FIRST_SLOT + (position & this.mask) * this.stride;
      const lag = (Atomics.load(words, slot) - ((position + 1) | 0)) | 0;
      if (lag === 0) {
        const seen = Atomics.compareExchange(words, DEQUEUE, position, (position + 1) | 0);
        if (seen === position) {
          this.taken = position;
          return slot;
        }
        position = seen;
      } else if (lag < 0) {
        return -1;
      } else {
        position = Atomics.load(words, DEQUEUE);
      }
    }
  }
}
