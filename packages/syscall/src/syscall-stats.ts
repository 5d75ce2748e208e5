/**
 * Per-syscall statistics in flat typed arrays (no allocation per call):
 * call count, error count per errno, and two latency histograms with fixed
 * log2 buckets — host nanoseconds (how long our TypeScript took) and
 * virtual cycles (guest-visible time from entry to completion: 0 for a call
 * that completes at once, since the kernel is not guest code; the wait for
 * a parked call). DESIGN §5 keeps the two clocks apart; so does this.
 *
 * Bucket `b` of a histogram counts values in [2^(b−1), 2^b); bucket 0
 * counts values below 1. Percentiles are therefore reported as the upper
 * bound of the bucket they fall in ("≤ 2^b").
 */
import { ERRNO_MAX, errnoName } from "./abi/errno";

/** Buckets per histogram (values up to 2^62 fit; larger go to the last). */
export const HISTOGRAM_BUCKETS = 64;
const TWO_POW_32 = 4294967296;

/** The log2 bucket of `value` (see the file header). */
export function histogramBucket(value: number): number {
  if (!(value >= 1)) return 0;
  if (value < TWO_POW_32) return 32 - Math.clz32(value);
  const bucket = 64 - Math.clz32(Math.floor(value / TWO_POW_32));
  return bucket < HISTOGRAM_BUCKETS ? bucket : HISTOGRAM_BUCKETS - 1;
}

/** Upper bound of bucket `bucket` (values in it are below this). */
export function bucketUpperBound(bucket: number): number {
  return bucket === 0 ? 1 : 2 ** bucket;
}

/** One syscall's row of a report. */
export interface SyscallReportRow {
  /** Syscall number. */
  readonly number: number;
  /** Name (from the names function given to the report). */
  readonly name: string;
  /** Calls. */
  readonly calls: number;
  /** Calls that returned -errno. */
  readonly errors: number;
  /** Errors by errno name, most frequent first. */
  readonly errnos: readonly { readonly errno: string; readonly count: number }[];
  /** Host-time samples taken (every call, or one in the sampling period). */
  readonly hostSamples: number;
  /** Mean host ns over the samples (NaN without samples). */
  readonly hostMeanNs: number;
  /** Host ns at or below which half of the samples fall (bucket bound). */
  readonly hostP50Ns: number;
  /** Host ns at or below which 99 % of the samples fall (bucket bound). */
  readonly hostP99Ns: number;
  /** Virtual-cycle samples (calls completed with a clock attached). */
  readonly virtualSamples: number;
  /** Mean virtual cycles from entry to completion. */
  readonly virtualMeanCycles: number;
  /** Median virtual cycles (bucket bound). */
  readonly virtualP50Cycles: number;
  /** 99th-percentile virtual cycles (bucket bound). */
  readonly virtualP99Cycles: number;
}

/** Counters and histograms of every syscall number of one table. */
export class SyscallStats {
  /** Calls per number. */
  readonly calls: Float64Array;
  /** Error returns per number. */
  readonly errors: Float64Array;
  /** Errors per (number, errno): index `number * (ERRNO_MAX + 1) + errno`; errno 0 counts values above ERRNO_MAX. */
  readonly errorsByErrno: Uint32Array;
  /** Host-ns histogram per number: index `number * HISTOGRAM_BUCKETS + bucket`. */
  readonly hostHistogram: Uint32Array;
  /** Sum of sampled host ns per number. */
  readonly hostSum: Float64Array;
  /** Virtual-cycle histogram per number. */
  readonly virtualHistogram: Uint32Array;
  /** Sum of virtual cycles per number. */
  readonly virtualSum: Float64Array;
  /** Calls whose number was outside the table (counted, answered -ENOSYS). */
  outOfRange = 0;

  constructor(
    /** Number of syscall numbers covered. */
    readonly size: number,
  ) {
    this.calls = new Float64Array(size);
    this.errors = new Float64Array(size);
    this.errorsByErrno = new Uint32Array(size * (ERRNO_MAX + 1));
    this.hostHistogram = new Uint32Array(size * HISTOGRAM_BUCKETS);
    this.hostSum = new Float64Array(size);
    this.virtualHistogram = new Uint32Array(size * HISTOGRAM_BUCKETS);
    this.virtualSum = new Float64Array(size);
  }

  /** Records a result of `number` (a call already counted in `calls`). */
  recordResult(number: number, result: number): void {
    if (result >= 0 || result < -4095) return;
    this.errors[number]!++;
    const errno = -result <= ERRNO_MAX ? -result : 0;
    this.errorsByErrno[number * (ERRNO_MAX + 1) + errno]!++;
  }

  /** Records one host-time sample of `number`. */
  recordHost(number: number, nanoseconds: number): void {
    this.hostHistogram[number * HISTOGRAM_BUCKETS + histogramBucket(nanoseconds)]!++;
    this.hostSum[number]! += nanoseconds;
  }

  /** Records the virtual cycles `number` took from entry to completion. */
  recordVirtual(number: number, cycles: number): void {
    this.virtualHistogram[number * HISTOGRAM_BUCKETS + histogramBucket(cycles)]!++;
    this.virtualSum[number]! += cycles;
  }

  /** Zeroes everything. */
  reset(): void {
    for (const array of [
      this.calls,
      this.errors,
      this.errorsByErrno,
      this.hostHistogram,
      this.hostSum,
      this.virtualHistogram,
      this.virtualSum,
    ]) {
      array.fill(0);
    }
    this.outOfRange = 0;
  }

  /** Total calls over every number (out-of-range ones included). */
  totalCalls(): number {
    let total = this.outOfRange;
    for (let number = 0; number < this.size; number++) total += this.calls[number]!;
    return total;
  }

  /** One number's row. */
  row(number: number, name: string): SyscallReportRow {
    const errnos: { errno: string; count: number }[] = [];
    const base = number * (ERRNO_MAX + 1);
    for (let errno = 0; errno <= ERRNO_MAX; errno++) {
      const count = this.errorsByErrno[base + errno]!;
      if (count > 0) errnos.push({ errno: errno === 0 ? "other" : (errnoName(errno) ?? `E${errno}`), count });
    }
    errnos.sort((left, right) => right.count - left.count);
    const host = this.histogramSummary(this.hostHistogram, number);
    const virtual = this.histogramSummary(this.virtualHistogram, number);
    return {
      number,
      name,
      calls: this.calls[number]!,
      errors: this.errors[number]!,
      errnos,
      hostSamples: host.samples,
      hostMeanNs: host.samples === 0 ? Number.NaN : this.hostSum[number]! / host.samples,
      hostP50Ns: host.p50,
      hostP99Ns: host.p99,
      virtualSamples: virtual.samples,
      virtualMeanCycles: virtual.samples === 0 ? Number.NaN : this.virtualSum[number]! / virtual.samples,
      virtualP50Cycles: virtual.p50,
      virtualP99Cycles: virtual.p99,
    };
  }

  /** The `limit` most-called numbers, most calls first (ties by number). */
  top(limit: number, nameOf: (number: number) => string): SyscallReportRow[] {
    const numbers: number[] = [];
    for (let number = 0; number < this.size; number++) if (this.calls[number]! > 0) numbers.push(number);
    numbers.sort((left, right) => this.calls[right]! - this.calls[left]! || left - right);
    return numbers.slice(0, Math.max(0, limit)).map((number) => this.row(number, nameOf(number)));
  }

  private histogramSummary(
    histogram: Uint32Array,
    number: number,
  ): { samples: number; p50: number; p99: number } {
    const base = number * HISTOGRAM_BUCKETS;
    let samples = 0;
    for (let bucket = 0; bucket < HISTOGRAM_BUCKETS; bucket++) samples += histogram[base + bucket]!;
    if (samples === 0) return { samples, p50: Number.NaN, p99: Number.NaN };
    const percentile = (fraction: number): number => {
      const rank = Math.ceil(samples * fraction);
      let seen = 0;
      for (let bucket = 0; bucket < HISTOGRAM_BUCKETS; bucket++) {
        seen += histogram[base + bucket]!;
        if (seen >= rank) return bucketUpperBound(bucket);
      }
      return bucketUpperBound(HISTOGRAM_BUCKETS - 1);
    };
    return { samples, p50: percentile(0.5), p99: percentile(0.99) };
  }
}

/** A report as a Markdown table (the top rows of {@link SyscallStats.top}). */
export function formatStatsTable(rows: readonly SyscallReportRow[]): string {
  const header =
    "| syscall | calls | errors | top errno | host mean ns | host p99 ns ≤ | virtual mean cycles | virtual p99 ≤ |\n|---|---:|---:|---|---:|---:|---:|---:|";
  const number = (value: number, digits = 0) => (Number.isNaN(value) ? "–" : value.toFixed(digits));
  const lines = rows.map((row) => {
    const errno = row.errnos[0] === undefined ? "–" : `${row.errnos[0].errno} ×${row.errnos[0].count}`;
    return `| ${row.name} (${row.number}) | ${row.calls} | ${row.errors} | ${errno} | ${number(row.hostMeanNs, 1)} | ${number(row.hostP99Ns)} | ${number(row.virtualMeanCycles, 1)} | ${number(row.virtualP99Cycles)} |`;
  });
  return [header, ...lines].join("\n");
}

/** A report as JSON-ready data (NaN becomes null). */
export function statsJson(rows: readonly SyscallReportRow[]): unknown {
  return JSON.parse(JSON.stringify(rows, (_key, value) => (Number.isNaN(value) ? null : value)));
}
