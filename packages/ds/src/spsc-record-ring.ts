/**
 * {@link SpscRecordRing}: a single-producer single-consumer ring of
 * fixed-size records of 32-bit words, in a SharedArrayBuffer.
 *
 * Wait-free on both sides: `push`/`pop` and their batch forms finish in a
 * bounded number of steps whatever the other thread does, and report
 * full/empty as values (`false`, `-1`, a short count). The head/tail
 * protocol and its memory-ordering argument are in `spsc-ring-base.ts`.
 *
 * Header parameters: [capacity in records, words per record].
 * Data: `capacity * recordWords` Int32 words from byte 320.
 *
 * Roles: exactly one thread pushes and exactly one thread pops at a time
 * (each may use its own attached instance). Nothing here allocates per
 * operation.
 */
import { DsLayoutError } from "./errors";
import {
  createStructureBuffer,
  readStructureHeader,
  requireInteger,
  requirePowerOfTwo,
  STRUCTURE_KIND,
} from "./layout-header";
import { SPSC_DATA_OFFSET, SpscRingBase } from "./spsc-ring-base";

/** Options of {@link SpscRecordRing.create}. */
export interface SpscRecordRingOptions {
  /** Records the ring holds, a power of two in [2, 2^24]. */
  readonly capacity: number;
  /** 32-bit words per record, 1..1024 (default 1: a 4-byte record). */
  readonly recordWords?: number;
}

const MAX_RECORDS = 2 ** 24;
const MAX_RECORD_WORDS = 1024;

function byteLengthFor(capacity: number, recordWords: number): number {
  return SPSC_DATA_OFFSET + capacity * recordWords * Int32Array.BYTES_PER_ELEMENT;
}

/** SPSC ring of fixed-size records; see the file header for the protocol. */
export class SpscRecordRing extends SpscRingBase {
  /** 32-bit words per record. */
  readonly recordWords: number;
  private readonly data: Int32Array;

  private constructor(buffer: SharedArrayBuffer, capacity: number, recordWords: number) {
    super(buffer, capacity);
    this.recordWords = recordWords;
    this.data = new Int32Array(buffer, SPSC_DATA_OFFSET, capacity * recordWords);
  }

  /** Allocates a ring in a new SharedArrayBuffer. Throws {@link DsLayoutError} on bad options. */
  static create(options: SpscRecordRingOptions): SpscRecordRing {
    const recordWords = options.recordWords ?? 1;
    requirePowerOfTwo("SpscRecordRing capacity", options.capacity, 2, MAX_RECORDS);
    requireInteger("SpscRecordRing recordWords", recordWords, 1, MAX_RECORD_WORDS);
    const buffer = createStructureBuffer(
      STRUCTURE_KIND.SPSC_RECORD_RING,
      byteLengthFor(options.capacity, recordWords),
      [options.capacity, recordWords],
    );
    return new SpscRecordRing(buffer, options.capacity, recordWords);
  }

  /** Attaches to a ring created in another thread. Throws {@link DsLayoutError} if `buffer` holds no such ring. */
  static attach(buffer: unknown): SpscRecordRing {
    const parameters = readStructureHeader(buffer, STRUCTURE_KIND.SPSC_RECORD_RING);
    const [capacity = 0, recordWords = 0] = parameters;
    requirePowerOfTwo("SpscRecordRing capacity", capacity, 2, MAX_RECORDS);
    requireInteger("SpscRecordRing recordWords", recordWords, 1, MAX_RECORD_WORDS);
    const shared = buffer as SharedArrayBuffer;
    if (shared.byteLength !== byteLengthFor(capacity, recordWords)) {
      throw new DsLayoutError("attach spsc-record-ring: byte length does not match its parameters");
    }
    return new SpscRecordRing(shared, capacity, recordWords);
  }

  /**
   * Producer: appends a record whose first word is `value` (other words are
   * zeroed). Returns false when the ring is full.
   */
  push(value: number): boolean {
    const tail = this.ownTail();
    if (this.writableSlots(tail, 1) === 0) return false;
    const start = (tail & this.mask) * this.recordWords;
    this.data[start] = value;
    for (let word = 1; word < this.recordWords; word++) this.data[start + word] = 0;
    this.publishTail(tail + 1);
    return true;
  }

  /**
   * Consumer: removes the oldest record and returns its first word, or -1
   * when empty. Use it for non-negative values; for any Int32 value use
   * {@link SpscRecordRing.popRecord}.
   */
  pop(): number {
    const head = this.ownHead();
    if (this.readableSlots(head, 1) === 0) return -1;
    const value = this.data[(head & this.mask) * this.recordWords]!;
    this.publishHead(head + 1);
    return value;
  }

  /** Producer: copies one record from `source[offset ..]`; false when full. */
  pushRecord(source: Int32Array, offset = 0): boolean {
    return this.pushBatch(source, offset, 1) === 1;
  }

  /** Consumer: copies the oldest record into `target[offset ..]`; false when empty. */
  popRecord(target: Int32Array, offset = 0): boolean {
    return this.popBatch(target, offset, 1) === 1;
  }

  /**
   * Producer: appends up to `count` records read from `source` starting at
   * word `offset`, with one publishing store. Returns how many fitted.
   */
  pushBatch(source: Int32Array, offset: number, count: number): number {
    const tail = this.ownTail();
    const accepted = this.writableSlots(tail, count);
    if (accepted === 0) return 0;
    // Copy in at most two contiguous runs: up to the end of the data area, then from its start.
    const start = (tail & this.mask) * this.recordWords;
    const total = accepted * this.recordWords;
    const firstRun = Math.min(total, this.data.length - start);
    const data = this.data;
    if (offset === 0 && total === source.length && firstRun === total) {
      // Whole source array, no wrap: one memcpy, no view to allocate.
      data.set(source, start);
      this.publishTail(tail + accepted);
      return accepted;
    }
    for (let index = 0; index < firstRun; index++) data[start + index] = source[offset + index]!;
    for (let index = firstRun; index < total; index++) data[index - firstRun] = source[offset + index]!;
    this.publishTail(tail + accepted);
    return accepted;
  }

  /**
   * Consumer: removes up to `maxCount` records into `target` starting at word
   * `offset`, with one releasing store. Returns how many were copied.
   */
  popBatch(target: Int32Array, offset: number, maxCount: number): number {
    const head = this.ownHead();
    const taken = this.readableSlots(head, maxCount);
    if (taken === 0) return 0;
    const start = (head & this.mask) * this.recordWords;
    const total = taken * this.recordWords;
    const firstRun = Math.min(total, this.data.length - start);
    const data = this.data;
    for (let index = 0; index < firstRun; index++) target[offset + index] = data[start + index]!;
    for (let index = firstRun; index < total; index++) target[offset + index] = data[index - firstRun]!;
    this.publishHead(head + taken);
    return taken;
  }

  /** Producer: {@link SpscRecordRing.push}, sleeping up to `timeoutMs` while full. */
  pushBlocking(value: number, timeoutMs = Number.POSITIVE_INFINITY): boolean {
    return this.push(value) || (this.waitUntilWritable(timeoutMs) && this.push(value));
  }

  /** Consumer: {@link SpscRecordRing.pop}, sleeping up to `timeoutMs` while empty; -1 on timeout. */
  popBlocking(timeoutMs = Number.POSITIVE_INFINITY): number {
    const value = this.pop();
    if (value !== -1) return value;
    return this.waitUntilReadable(timeoutMs) ? this.pop() : -1;
  }
}
