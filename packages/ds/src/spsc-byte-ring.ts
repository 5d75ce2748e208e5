/**
 * {@link SpscByteRing}: a single-producer single-consumer byte stream in a
 * SharedArrayBuffer (a pipe): `write` copies as many bytes as fit, `read`
 * as many as are there; both are wait-free and never throw.
 *
 * The head/tail protocol and its memory-ordering argument are in
 * `spsc-ring-base.ts`; positions count bytes.
 *
 * Header parameters: [capacity in bytes]. Data: `capacity` bytes from byte 320.
 *
 * Copies are plain byte loops rather than `set(subarray(...))`, so a write or
 * read allocates nothing.
 */
import { DsLayoutError } from "./errors";
import {
  createStructureBuffer,
  readStructureHeader,
  requirePowerOfTwo,
  STRUCTURE_KIND,
} from "./layout-header";
import { SPSC_DATA_OFFSET, SpscRingBase } from "./spsc-ring-base";

/** Options of {@link SpscByteRing.create}. */
export interface SpscByteRingOptions {
  /** Bytes the ring holds, a power of two in [64, 2^30]. */
  readonly capacity: number;
}

const MIN_BYTES = 64;
const MAX_BYTES = 2 ** 30;

/** SPSC byte stream; see the file header. */
export class SpscByteRing extends SpscRingBase {
  private readonly data: Uint8Array;

  private constructor(buffer: SharedArrayBuffer, capacity: number) {
    super(buffer, capacity);
    this.data = new Uint8Array(buffer, SPSC_DATA_OFFSET, capacity);
  }

  /** Allocates a byte ring in a new SharedArrayBuffer. Throws {@link DsLayoutError} on a bad capacity. */
  static create(options: SpscByteRingOptions): SpscByteRing {
    requirePowerOfTwo("SpscByteRing capacity", options.capacity, MIN_BYTES, MAX_BYTES);
    const buffer = createStructureBuffer(STRUCTURE_KIND.SPSC_BYTE_RING, SPSC_DATA_OFFSET + options.capacity, [
      options.capacity,
    ]);
    return new SpscByteRing(buffer, options.capacity);
  }

  /** Attaches to a byte ring created in another thread. Throws {@link DsLayoutError} if `buffer` holds none. */
  static attach(buffer: unknown): SpscByteRing {
    const [capacity = 0] = readStructureHeader(buffer, STRUCTURE_KIND.SPSC_BYTE_RING);
    requirePowerOfTwo("SpscByteRing capacity", capacity, MIN_BYTES, MAX_BYTES);
    const shared = buffer as SharedArrayBuffer;
    if (shared.byteLength !== SPSC_DATA_OFFSET + capacity) {
      throw new DsLayoutError("attach spsc-byte-ring: byte length does not match its capacity");
    }
    return new SpscByteRing(shared, capacity);
  }

  /** Producer: copies up to `length` bytes from `source[offset ..]`; returns how many were written (0 when full). */
  write(source: Uint8Array, offset = 0, length = source.length - offset): number {
    const tail = this.ownTail();
    const accepted = this.writableSlots(tail, length);
    if (accepted === 0) return 0;
    // Two contiguous runs: up to the end of the data area, then from its start.
    const start = tail & this.mask;
    const firstRun = Math.min(accepted, this.capacity - start);
    const data = this.data;
    for (let index = 0; index < firstRun; index++) data[start + index] = source[offset + index]!;
    for (let index = firstRun; index < accepted; index++) data[index - firstRun] = source[offset + index]!;
    this.publishTail(tail + accepted);
    return accepted;
  }

  /** Consumer: copies up to `length` bytes into `target[offset ..]`; returns how many were read (0 when empty). */
  read(target: Uint8Array, offset = 0, length = target.length - offset): number {
    const head = this.ownHead();
    const taken = this.readableSlots(head, length);
    if (taken === 0) return 0;
    const start = head & this.mask;
    const firstRun = Math.min(taken, this.capacity - start);
    const data = this.data;
    for (let index = 0; index < firstRun; index++) target[offset + index] = data[start + index]!;
    for (let index = firstRun; index < taken; index++) target[offset + index] = data[index - firstRun]!;
    this.publishHead(head + taken);
    return taken;
  }
}
