/**
 * Per-CPU interrupt statistics in one typed array, written without locks.
 *
 * Layout: CPU `c` owns the block of {@link STATISTICS_BLOCK_WORDS} float64
 * words starting at `c * STATISTICS_BLOCK_WORDS`; every section is a whole
 * number of 64-byte rows, so no two CPUs' counters share a cache line as
 * long as the buffer starts on a 64-byte boundary (JavaScript does not let
 * us choose a buffer's base address; the layout is all we control):
 * - words [0, 256): deliveries per vector;
 * - words [256, 512): the cycle at which a pending interrupt of that vector
 *   was asserted, when the source announced it ({@link noteAssertion}), or -1;
 * - words [512, 520): the summary row ({@link STAT});
 * - words [520, 552): latency histogram, bucket b = latencies in
 *   [2^(b-1), 2^b) virtual cycles (bucket 0: latency 0).
 *
 * Invariants:
 * - Single writer per CPU: only code running on CPU `c` (its dispatcher, its
 *   timer driver) writes block `c`, so plain stores suffice; other threads
 *   may read a `SharedArrayBuffer` copy and see slightly stale counts.
 * - Counts are float64, exact to 2^53; nothing allocates after construction.
 * - total = Σ per-vector counts; spurious deliveries are not in `total`.
 */
import { VECTOR_COUNT } from "@tsos/hw-x86";

/** Summary-row fields, as offsets into a CPU's block (see {@link InterruptStatistics.summary}). */
export const STAT = {
  /** Interrupts dispatched (spurious ones excluded). */
  TOTAL: 512,
  /** Spurious-vector deliveries (no EOI sent). */
  SPURIOUS: 513,
  /** Interrupts whose vector had no handler (EOI still sent). */
  UNHANDLED: 514,
  /** Interrupts whose latency was known. */
  LATENCY_SAMPLES: 515,
  /** Sum of known latencies, virtual cycles. */
  LATENCY_SUM: 516,
  /** Largest known latency, virtual cycles. */
  LATENCY_MAX: 517,
  /** Interrupts whose assertion time nobody announced. */
  LATENCY_UNKNOWN: 518,
  /** Frames with a vector below 32 handed to the interrupt dispatcher (exceptions belong elsewhere). */
  MISROUTED: 519,
} as const;

/** Offset of the first assertion-time word in a CPU's block. */
const ASSERTED_AT_BASE = VECTOR_COUNT;
/** Offset of the first latency histogram bucket in a CPU's block. */
export const LATENCY_HISTOGRAM_BASE = 520;
/** Number of log2 latency buckets. */
export const LATENCY_BUCKETS = 32;
/** Words per CPU block (552 × 8 bytes = 69 rows of 64 bytes). */
export const STATISTICS_BLOCK_WORDS = LATENCY_HISTOGRAM_BASE + LATENCY_BUCKETS;
/** Bytes per CPU block. */
export const STATISTICS_BLOCK_BYTES = STATISTICS_BLOCK_WORDS * Float64Array.BYTES_PER_ELEMENT;
/** Marker of an unknown assertion time. */
const UNKNOWN = -1;
const LAST_BUCKET = LATENCY_BUCKETS - 1;
const UINT32_LIMIT = 0xffffffff;

/** Something that learns when an interrupt was asserted (a timer driver arming a deadline, a device model). */
export interface AssertionRecorder {
  /** Interrupt `vector` for CPU `cpu` is (or will be) asserted at virtual cycle `cycle`. */
  noteAssertion(cpu: number, vector: number, cycle: number): void;
}

/** The per-CPU statistics; see the file header. */
export class InterruptStatistics implements AssertionRecorder {
  /** The raw words (all CPUs' blocks back to back). */
  readonly words: Float64Array;

  /**
   * @param cpuCount number of CPUs (≥ 1; a host bug otherwise: throws RangeError).
   * @param buffer optional backing store (e.g. a `SharedArrayBuffer` a monitor reads) of at least
   *   `cpuCount × STATISTICS_BLOCK_BYTES` bytes.
   */
  constructor(
    readonly cpuCount: number,
    buffer?: ArrayBuffer | SharedArrayBuffer,
  ) {
    if (!(Number.isInteger(cpuCount) && cpuCount >= 1))
      throw new RangeError(`InterruptStatistics: bad CPU count ${cpuCount}`);
    const bytes = cpuCount * STATISTICS_BLOCK_BYTES;
    if (buffer && buffer.byteLength < bytes)
      throw new RangeError(`InterruptStatistics: buffer of ${buffer.byteLength} bytes, need ${bytes}`);
    this.words = new Float64Array(buffer ?? new ArrayBuffer(bytes), 0, cpuCount * STATISTICS_BLOCK_WORDS);
    this.reset();
  }

  /** Zeroes every counter and forgets announced assertion times. */
  reset(): void {
    this.words.fill(0);
    for (let cpu = 0; cpu < this.cpuCount; cpu++) {
      const base = cpu * STATISTICS_BLOCK_WORDS + ASSERTED_AT_BASE;
      this.words.fill(UNKNOWN, base, base + VECTOR_COUNT);
    }
  }

  /** Announces that `vector` on `cpu` is asserted at `cycle` (ignored for an unknown CPU or vector). */
  noteAssertion(cpu: number, vector: number, cycle: number): void {
    if (cpu >= 0 && cpu < this.cpuCount && vector >= 0 && vector < VECTOR_COUNT)
      this.words[cpu * STATISTICS_BLOCK_WORDS + ASSERTED_AT_BASE + vector] = cycle;
  }

  /**
   * Hot path, called by the dispatcher on `cpu` for `vector` at virtual time
   * `now` (NaN when there is no clock): counts it and, when the assertion
   * time is known, records the latency and forgets the assertion.
   */
  recordDelivery(cpu: number, vector: number, now: number): void {
    const words = this.words;
    const base = cpu * STATISTICS_BLOCK_WORDS;
    words[base + vector]! += 1;
    words[base + STAT.TOTAL]! += 1;
    const slot = base + ASSERTED_AT_BASE + vector;
    const assertedAt = words[slot]!;
    if (assertedAt < 0 || Number.isNaN(now)) {
      words[base + STAT.LATENCY_UNKNOWN]! += 1;
      return;
    }
    words[slot] = UNKNOWN;
    const latency = now > assertedAt ? now - assertedAt : 0;
    words[base + STAT.LATENCY_SAMPLES]! += 1;
    words[base + STAT.LATENCY_SUM]! += latency;
    if (latency > words[base + STAT.LATENCY_MAX]!) words[base + STAT.LATENCY_MAX] = latency;
    const clamped = Math.min(latency, UINT32_LIMIT);
    const bucket = clamped === 0 ? 0 : Math.min(LAST_BUCKET, 32 - Math.clz32(clamped));
    words[base + LATENCY_HISTOGRAM_BASE + bucket]! += 1;
  }

  /** Adds one to summary field `field` ({@link STAT}) of `cpu`. */
  bump(cpu: number, field: number): void {
    this.words[cpu * STATISTICS_BLOCK_WORDS + field]! += 1;
  }

  /** Deliveries of `vector` on `cpu`. */
  count(cpu: number, vector: number): number {
    return this.words[cpu * STATISTICS_BLOCK_WORDS + vector]!;
  }

  /** Summary field `field` ({@link STAT}) of `cpu`. */
  summary(cpu: number, field: number): number {
    return this.words[cpu * STATISTICS_BLOCK_WORDS + field]!;
  }

  /** Deliveries of `vector` summed over CPUs. */
  vectorTotal(vector: number): number {
    let sum = 0;
    for (let cpu = 0; cpu < this.cpuCount; cpu++) sum += this.count(cpu, vector);
    return sum;
  }

  /** Latency histogram bucket `bucket` of `cpu`. */
  latencyBucket(cpu: number, bucket: number): number {
    return this.words[cpu * STATISTICS_BLOCK_WORDS + LATENCY_HISTOGRAM_BASE + bucket]!;
  }

  /**
   * Upper bound (in cycles) of the histogram bucket holding quantile `q`
   * (0–1) of `cpu`'s known latencies, or `NaN` with no samples. Log2
   * buckets: the answer is within a factor 2 of the true quantile.
   */
  latencyQuantileBound(cpu: number, q: number): number {
    const samples = this.summary(cpu, STAT.LATENCY_SAMPLES);
    if (samples === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * samples));
    let seen = 0;
    for (let bucket = 0; bucket < LATENCY_BUCKETS; bucket++) {
      seen += this.latencyBucket(cpu, bucket);
      if (seen >= rank) return bucket === 0 ? 0 : 2 ** bucket - 1;
    }
    return this.summary(cpu, STAT.LATENCY_MAX);
  }
}
