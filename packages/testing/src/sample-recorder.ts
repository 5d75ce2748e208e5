/**
 * A hot-path metric recorder: a fixed-size ring of the most recent samples in
 * a Float64Array, with a snapshot into an HDR histogram for percentiles.
 *
 * Invariants:
 * - `record` allocates nothing and never throws: it writes one slot and bumps
 *   two integers. When the ring is full, the oldest sample is overwritten.
 * - `count` is the number of samples ever recorded; `size` the number held
 *   (min(count, capacity)). `overwritten = count - size`.
 * - Snapshots see the held samples only, oldest first; histogram values are
 *   rounded to integers (record ns, cycles, bytes — integral units) and
 *   negative or non-finite samples are counted in `rejected`, not recorded.
 */
import * as hdr from "hdr-histogram-js";

/** An HDR histogram as hdr-histogram-js builds it. */
export type Histogram = hdr.Histogram;

/** Percentile summary of a snapshot. */
export interface RecorderSnapshot {
  /** Samples included (held in the ring and valid). */
  readonly count: number;
  /** Samples skipped because they were negative, NaN or infinite. */
  readonly rejected: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
}

/** Fixed-capacity ring of numeric samples. */
export class SampleRecorder {
  /** Maximum samples held. */
  readonly capacity: number;
  private readonly ring: Float64Array;
  private writeIndex = 0;
  private total = 0;

  /** `capacity` must be a positive integer (throws `RangeError` otherwise: a caller bug). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`SampleRecorder: capacity ${capacity} must be a positive integer`);
    }
    this.capacity = capacity;
    this.ring = new Float64Array(capacity);
  }

  /** Records one sample. No allocation. */
  record(value: number): void {
    this.ring[this.writeIndex] = value;
    this.writeIndex = this.writeIndex + 1 === this.capacity ? 0 : this.writeIndex + 1;
    this.total++;
  }

  /** Samples recorded since creation or the last {@link SampleRecorder.reset}. */
  get count(): number {
    return this.total;
  }

  /** Samples currently held. */
  get size(): number {
    return Math.min(this.total, this.capacity);
  }

  /** Samples lost to overwriting. */
  get overwritten(): number {
    return this.total - this.size;
  }

  /** Forgets every sample. */
  reset(): void {
    this.writeIndex = 0;
    this.total = 0;
  }

  /** Copies the held samples, oldest first, into a new array (cold path). */
  toArray(): Float64Array {
    const size = this.size;
    const out = new Float64Array(size);
    const start = this.total > this.capacity ? this.writeIndex : 0;
    for (let index = 0; index < size; index++) out[index] = this.ring[(start + index) % this.capacity]!;
    return out;
  }

  /** Records the held samples into `histogram` (a new 3-digit one when absent); returns it and the rejected count. */
  toHistogram(histogram: Histogram = hdr.build({ numberOfSignificantValueDigits: 3 })): {
    histogram: Histogram;
    rejected: number;
  } {
    let rejected = 0;
    for (const value of this.toArray()) {
      if (!Number.isFinite(value) || value < 0) {
        rejected++;
        continue;
      }
      histogram.recordValue(Math.round(value));
    }
    return { histogram, rejected };
  }

  /** Percentiles of the held samples through an HDR histogram (3 significant digits). */
  snapshot(): RecorderSnapshot {
    const { histogram, rejected } = this.toHistogram();
    return summarizeHistogram(histogram, rejected);
  }
}

/** Summarizes an HDR histogram; all fields are 0 for an empty one. */
export function summarizeHistogram(histogram: Histogram, rejected = 0): RecorderSnapshot {
  const count = histogram.totalCount;
  if (count === 0) return { count, rejected, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0 };
  return {
    count,
    rejected,
    min: histogram.getValueAtPercentile(0),
    max: histogram.maxValue,
    mean: histogram.mean,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
  };
}
