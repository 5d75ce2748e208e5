/**
 * The layout header every `@tsos/ds` structure starts its SharedArrayBuffer
 * with, so a buffer handed to another thread can be checked before use.
 *
 * Layout (one 64-byte cache line, 16 Int32 words, little-endian host order):
 * - word 0: {@link LAYOUT_MAGIC} (`"TSDS"` in ASCII);
 * - word 1: the structure kind ({@link STRUCTURE_KIND});
 * - word 2: the layout version of that kind ({@link LAYOUT_VERSION});
 * - word 3: the total byte length the structure was created with;
 * - words 4..15: kind-specific parameters (capacity, record size, ...).
 *
 * Invariants: the header is written once by `create` before the buffer is
 * shared and never changes afterwards, so readers need no synchronisation
 * beyond the `postMessage` that transferred the buffer. Everything after the
 * header starts on a cache-line boundary.
 */
import { DsLayoutError } from "./errors";

/** Bytes per cache line assumed for padding (x86-64: Intel SDM vol 3 §12.1 "cache line size 64 bytes"). */
export const CACHE_LINE_BYTES = 64;

/** Int32 words per cache line. */
export const CACHE_LINE_WORDS = CACHE_LINE_BYTES / Int32Array.BYTES_PER_ELEMENT;

/** First header word of every structure: the ASCII bytes `T S D S` read as a little-endian Int32. */
export const LAYOUT_MAGIC = 0x53445354;

/** Layout version written by this release; bumped when any kind's layout changes (2: the SPSC rings got a cache line per waiting flag, data from byte 320). */
export const LAYOUT_VERSION = 2;

/** Structure kinds, stored in header word 1. */
export const STRUCTURE_KIND = {
  /** {@link SpscRecordRing}: fixed-size records of 32-bit words. */
  SPSC_RECORD_RING: 1,
  /** {@link SpscByteRing}: a byte stream. */
  SPSC_BYTE_RING: 2,
  /** {@link MpscQueue}: bounded, many producers, one consumer. */
  MPSC_QUEUE: 3,
  /** {@link MpmcQueue}: bounded, many producers, many consumers. */
  MPMC_QUEUE: 4,
  /** {@link TreiberStack}: fixed-size nodes, tagged top index. */
  TREIBER_STACK: 5,
  /** {@link HashTable}: open addressing, linear probing, Int32 keys and values. */
  HASH_TABLE: 6,
  /** {@link PerCpuCounters}: one block of counters per CPU. */
  PER_CPU_COUNTERS: 7,
} as const;

/** One of the {@link STRUCTURE_KIND} values. */
export type StructureKind = (typeof STRUCTURE_KIND)[keyof typeof STRUCTURE_KIND];

/** Header word indices. */
export const HEADER_WORD = { MAGIC: 0, KIND: 1, VERSION: 2, BYTE_LENGTH: 3, FIRST_PARAMETER: 4 } as const;

/** Kind-specific parameters a header can hold. */
export const MAX_HEADER_PARAMETERS = CACHE_LINE_WORDS - HEADER_WORD.FIRST_PARAMETER;

const KIND_NAMES = new Map<number, string>(
  Object.entries(STRUCTURE_KIND).map(([name, kind]) => [kind, name.toLowerCase().replaceAll("_", "-")]),
);

/** The name of a kind for messages (`"mpsc-queue"`), or `"unknown kind N"`. */
export function kindName(kind: number): string {
  return KIND_NAMES.get(kind) ?? `unknown kind ${kind}`;
}

/** Rounds a byte count up to a whole number of cache lines. */
export function roundUpToCacheLine(bytes: number): number {
  return Math.ceil(bytes / CACHE_LINE_BYTES) * CACHE_LINE_BYTES;
}

/** True for 1, 2, 4, ... up to 2^30. */
export function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value <= 2 ** 30 && (value & (value - 1)) === 0;
}

/** Throws {@link DsLayoutError} unless `value` is an integer in `[min, max]`. */
export function requireInteger(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DsLayoutError(`${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Throws {@link DsLayoutError} unless `value` is a power of two in `[min, max]`. */
export function requirePowerOfTwo(what: string, value: number, min: number, max: number): void {
  if (!isPowerOfTwo(value) || value < min || value > max) {
    throw new DsLayoutError(`${what} must be a power of two in [${min}, ${max}], got ${value}`);
  }
}

/** Allocates a zeroed SharedArrayBuffer of `byteLength` bytes and writes the header. */
export function createStructureBuffer(
  kind: StructureKind,
  byteLength: number,
  parameters: readonly number[],
): SharedArrayBuffer {
  if (parameters.length > MAX_HEADER_PARAMETERS) {
    throw new DsLayoutError(`a header holds at most ${MAX_HEADER_PARAMETERS} parameters`);
  }
  const buffer = new SharedArrayBuffer(byteLength);
  const header = new Int32Array(buffer, 0, CACHE_LINE_WORDS);
  header[HEADER_WORD.MAGIC] = LAYOUT_MAGIC;
  header[HEADER_WORD.KIND] = kind;
  header[HEADER_WORD.VERSION] = LAYOUT_VERSION;
  header[HEADER_WORD.BYTE_LENGTH] = byteLength;
  parameters.forEach((value, index) => {
    header[HEADER_WORD.FIRST_PARAMETER + index] = value;
  });
  return buffer;
}

/**
 * Checks that `buffer` holds a structure of `kind` written by this layout
 * version and returns its parameters (words 4..15). Throws
 * {@link DsLayoutError} with the reason otherwise.
 */
export function readStructureHeader(buffer: unknown, kind: StructureKind): Int32Array {
  const expected = kindName(kind);
  if (!(buffer instanceof SharedArrayBuffer)) {
    const got =
      buffer === null
        ? "null"
        : typeof buffer === "object"
          ? ((buffer as { constructor?: { name?: string } }).constructor?.name ?? "object")
          : typeof buffer;
    throw new DsLayoutError(`attach ${expected}: expected a SharedArrayBuffer, got ${got}`);
  }
  if (buffer.byteLength < CACHE_LINE_BYTES) {
    throw new DsLayoutError(
      `attach ${expected}: buffer of ${buffer.byteLength} bytes is shorter than a header`,
    );
  }
  const header = new Int32Array(buffer, 0, CACHE_LINE_WORDS);
  if (header[HEADER_WORD.MAGIC] !== LAYOUT_MAGIC) {
    throw new DsLayoutError(`attach ${expected}: not a @tsos/ds buffer (bad magic)`);
  }
  const actualKind = header[HEADER_WORD.KIND]!;
  if (actualKind !== kind) {
    throw new DsLayoutError(`attach ${expected}: buffer holds a ${kindName(actualKind)}`);
  }
  const version = header[HEADER_WORD.VERSION];
  if (version !== LAYOUT_VERSION) {
    throw new DsLayoutError(
      `attach ${expected}: layout version ${version}, this code reads ${LAYOUT_VERSION}`,
    );
  }
  if (header[HEADER_WORD.BYTE_LENGTH] !== buffer.byteLength) {
    throw new DsLayoutError(
      `attach ${expected}: header says ${header[HEADER_WORD.BYTE_LENGTH]} bytes, buffer has ${buffer.byteLength}`,
    );
  }
  return header.subarray(HEADER_WORD.FIRST_PARAMETER);
}
