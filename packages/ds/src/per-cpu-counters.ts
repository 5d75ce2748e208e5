/**
 * {@link PerCpuCounters}: a block of 32-bit counters per CPU (or per
 * thread) in a SharedArrayBuffer, in two layouts so the cost of false sharing
 * can be measured:
 * - `padded`: each CPU's block starts on its own 64-byte cache line and is
 *   padded to whole lines, so two CPUs never write the same line;
 * - `packed`: blocks are adjacent, so neighbouring CPUs' counters share lines
 *   and every increment bounces the line between their caches.
 *
 * Layout (Int32 words): header line [cpuCount, counterCount, stride,
 * padded ? 1 : 0]; then `cpuCount` blocks of `stride` words from byte 64
 * (a cache-line boundary).
 *
 * Invariants: counter (cpu, c) lives at word `cpu * stride + c` of the data;
 * increments are `Atomics.add`, so any thread may add to any counter and
 * nothing is lost; values wrap modulo 2^32 and read as unsigned. A total is
 * a sum of per-CPU snapshots, not one atomic snapshot.
 */
import { DsLayoutError } from "./errors";
import {
  CACHE_LINE_BYTES,
  CACHE_LINE_WORDS,
  createStructureBuffer,
  readStructureHeader,
  requireInteger,
  STRUCTURE_KIND,
} from "./layout-header";

/** `padded`: one cache line (or more) per CPU; `packed`: adjacent blocks. */
export type CounterLayout = "padded" | "packed";

/** Options of {@link PerCpuCounters.create}. */
export interface PerCpuCountersOptions {
  /** CPUs (or threads), 1..4096. */
  readonly cpuCount: number;
  /** Counters per CPU, 1..4096 (default 1). */
  readonly counterCount?: number;
  /** Default `padded`. */
  readonly layout?: CounterLayout;
}

const MAX_CPUS = 4096;
const MAX_COUNTERS = 4096;
const UINT32_RANGE = 2 ** 32;

function strideFor(counterCount: number, layout: CounterLayout): number {
  return layout === "padded" ? Math.ceil(counterCount / CACHE_LINE_WORDS) * CACHE_LINE_WORDS : counterCount;
}

function byteLengthFor(cpuCount: number, stride: number): number {
  return CACHE_LINE_BYTES + cpuCount * stride * Int32Array.BYTES_PER_ELEMENT;
}

/** Per-CPU 32-bit counters; see the file header. */
export class PerCpuCounters {
  /** The buffer to hand to other threads. */
  readonly buffer: SharedArrayBuffer;
  /** Number of CPU blocks. */
  readonly cpuCount: number;
  /** Counters per CPU. */
  readonly counterCount: number;
  /** The layout chosen at creation. */
  readonly layout: CounterLayout;
  /** Words between the blocks of consecutive CPUs. */
  readonly stride: number;
  private readonly counters: Int32Array;

  private constructor(
    buffer: SharedArrayBuffer,
    cpuCount: number,
    counterCount: number,
    layout: CounterLayout,
  ) {
    this.buffer = buffer;
    this.cpuCount = cpuCount;
    this.counterCount = counterCount;
    this.layout = layout;
    this.stride = strideFor(counterCount, layout);
    this.counters = new Int32Array(buffer, CACHE_LINE_BYTES, cpuCount * this.stride);
  }

  /** Allocates zeroed counters. Throws {@link DsLayoutError} on bad options. */
  static create(options: PerCpuCountersOptions): PerCpuCounters {
    const counterCount = options.counterCount ?? 1;
    const layout = options.layout ?? "padded";
    requireInteger("PerCpuCounters cpuCount", options.cpuCount, 1, MAX_CPUS);
    requireInteger("PerCpuCounters counterCount", counterCount, 1, MAX_COUNTERS);
    const stride = strideFor(counterCount, layout);
    const buffer = createStructureBuffer(
      STRUCTURE_KIND.PER_CPU_COUNTERS,
      byteLengthFor(options.cpuCount, stride),
      [options.cpuCount, counterCount, stride, layout === "padded" ? 1 : 0],
    );
    return new PerCpuCounters(buffer, options.cpuCount, counterCount, layout);
  }

  /** Attaches to counters created in another thread. Throws {@link DsLayoutError} if `buffer` holds none. */
  static attach(buffer: unknown): PerCpuCounters {
    const [cpuCount = 0, counterCount = 0, stride = 0, padded = 0] = readStructureHeader(
      buffer,
      STRUCTURE_KIND.PER_CPU_COUNTERS,
    );
    requireInteger("PerCpuCounters cpuCount", cpuCount, 1, MAX_CPUS);
    requireInteger("PerCpuCounters counterCount", counterCount, 1, MAX_COUNTERS);
    const layout: CounterLayout = padded === 1 ? "padded" : "packed";
    const shared = buffer as SharedArrayBuffer;
    if (stride !== strideFor(counterCount, layout) || shared.byteLength !== byteLengthFor(cpuCount, stride)) {
      throw new DsLayoutError("attach per-cpu-counters: stride or byte length does not match its parameters");
    }
    return new PerCpuCounters(shared, cpuCount, counterCount, layout);
  }

  /** Adds `delta` (an Int32) to counter `counter` of `cpu`. Indices are the caller's to get right. */
  add(cpu: number, counter: number, delta: number): void {
    Atomics.add(this.counters, cpu * this.stride + counter, delta);
  }

  /** Adds one to counter `counter` of `cpu`. */
  increment(cpu: number, counter: number): void {
    Atomics.add(this.counters, cpu * this.stride + counter, 1);
  }

  /** Counter `counter` of `cpu`, as an unsigned 32-bit value. */
  read(cpu: number, counter: number): number {
    return Atomics.load(this.counters, cpu * this.stride + counter) >>> 0;
  }

  /** Sum over all CPUs of counter `counter` (each term unsigned 32-bit; the sum is exact below 2^53). */
  total(counter: number): number {
    let sum = 0;
    for (let cpu = 0; cpu < this.cpuCount; cpu++) sum += this.read(cpu, counter);
    return sum;
  }

  /** Sets every counter of every CPU to 0 (not atomic as a whole). */
  reset(): void {
    for (let index = 0; index < this.counters.length; index++) Atomics.store(this.counters, index, 0);
  }

  /** Sum over all CPUs, reduced modulo 2^32: the value a single wrapping counter would hold. */
  totalWrapped(counter: number): number {
    return this.total(counter) % UINT32_RANGE;
  }
}
