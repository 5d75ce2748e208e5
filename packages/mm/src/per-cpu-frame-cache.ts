/**
 * Per-CPU lists of single free frames in front of the buddy allocator, as
 * Linux's per-cpu pagesets (the "pcp" lists of mm/page_alloc.c).
 *
 * Scheme: most allocations are single frames, and a round trip through the
 * buddy lists on mostly-free memory splits a 4 MiB block ten times and
 * merges it back ten times. So each CPU keeps a stack of order-0 frames:
 * `allocate(0)` pops one (refilling `batch` frames from the buddy allocator
 * when empty) and `free(_, 0)` pushes one (returning the `batch` oldest to
 * the buddy allocator when the stack holds `high`). Larger orders go
 * straight to the buddy allocator. `drain` returns everything, after which
 * the buddy lists are exactly as if the cache did not exist; the cache is a
 * Shrinker, so memory pressure drains it before failing.
 *
 * Fields: `stack[cpu * high + i]` the cached frame numbers; `count[cpu]`
 * their number; `cached[frame]` 1 while a frame sits in some stack, which
 * is what turns a double free into NOT_ALLOCATED (to the buddy allocator a
 * cached frame still looks allocated).
 *
 * Invariants: a cached frame is an order-0 block the buddy allocator counts
 * as allocated, in exactly one stack; `freeFrames` = buddy free + cached.
 */
import { FRAME_FREE, type FrameFreeResult, NO_FRAME } from "@tsos/hw-x86";
import type { BuddyAllocator } from "./buddy-allocator";
import { FRAME_SIZE } from "./frame-constants";
import type { CountingFrameAllocator, Shrinker } from "./pressure";

/** Options of {@link PerCpuFrameCache}. */
export interface PerCpuFrameCacheOptions {
  /** CPUs with a list (default 1). */
  readonly cpuCount?: number;
  /** Frames a list holds before it returns `batch` of them (default 64). */
  readonly high?: number;
  /** Frames moved per refill or drain step (default 16). */
  readonly batch?: number;
}

/** Order-0 frame caches per CPU over a buddy allocator; a FrameAllocator and a Shrinker. */
export class PerCpuFrameCache implements CountingFrameAllocator, Shrinker {
  /** Shrinker name. */
  readonly name = "per-cpu-frames";
  /** CPUs with a list. */
  readonly cpuCount: number = 0;
  private readonly high: number = 0;
  private readonly batch: number = 0;
  private readonly stack: Int32Array = new Int32Array(0);
  private readonly count: Int32Array = new Int32Array(0);
  private readonly cached: Uint8Array = new Uint8Array(0);
  private cachedTotal = 0;

  /** Wraps `buddy`; nothing is cached until the first allocation. */
  constructor(
    private readonly buddy: BuddyAllocator,
    options: PerCpuFrameCacheOptions = {},
  ) {
    this.cpuCount = options.cpuCount ?? 1;
    this.high = Math.max(1, options.high ?? 64);
    this.batch = Math.min(this.high, Math.max(1, options.batch ?? 16));
    this.stack = new Int32Array(this.cpuCount * this.high);
    this.count = new Int32Array(this.cpuCount);
    this.cached = new Uint8Array(buddy.frameCount);
  }

  /** Free frames, cached ones included. */
  get freeFrames(): number {
    return this.buddy.freeFrames + this.cachedTotal;
  }

  /** Allocates 2^`order` frames, order 0 from `cpu`'s list. Returns an address or NO_FRAME. */
  allocate(order: number, cpu = 0): number {
    if (order !== 0) return this.buddy.allocate(order);
    if (!(cpu >= 0 && cpu < this.cpuCount)) throw new RangeError(`cpu ${cpu} out of range`);
    let count = this.count[cpu]!;
    if (count === 0) count = this.refill(cpu);
    if (count === 0) return NO_FRAME;
    count--;
    this.count[cpu] = count;
    const frame = this.stack[cpu * this.high + count]!;
    this.cached[frame] = 0;
    this.cachedTotal--;
    return frame * FRAME_SIZE;
  }

  /** Frees a block; order 0 goes to `cpu`'s list. Bad frees are reported as by the buddy allocator. */
  free(address: number, order: number, cpu = 0): FrameFreeResult {
    if (order !== 0) return this.buddy.free(address, order);
    if (!(cpu >= 0 && cpu < this.cpuCount)) throw new RangeError(`cpu ${cpu} out of range`);
    const allocatedOrder = this.buddy.allocatedOrder(address);
    if (allocatedOrder < 0) return this.buddy.free(address, 0); // reports INVALID_ADDRESS or NOT_ALLOCATED
    if (allocatedOrder !== 0) return FRAME_FREE.WRONG_ORDER;
    const frame = address / FRAME_SIZE;
    if (this.cached[frame] === 1) return FRAME_FREE.NOT_ALLOCATED;
    let count = this.count[cpu]!;
    if (count === this.high) count = this.drainSome(cpu, this.batch);
    this.stack[cpu * this.high + count] = frame;
    this.count[cpu] = count + 1;
    this.cached[frame] = 1;
    this.cachedTotal++;
    return FRAME_FREE.OK;
  }

  /** Returns every cached frame of every CPU to the buddy allocator. Returns frames returned. */
  drain(): number {
    let returned = 0;
    for (let cpu = 0; cpu < this.cpuCount; cpu++) {
      const count = this.count[cpu]!;
      this.drainSome(cpu, count);
      returned += count;
    }
    return returned;
  }

  /** Shrinker estimate: the cached frames. */
  countReclaimable(): number {
    return this.cachedTotal;
  }

  /** Shrinker: drains every list. */
  reclaim(_targetFrames: number): number {
    return this.drain();
  }

  private refill(cpu: number): number {
    const base = cpu * this.high;
    let count = 0;
    while (count < this.batch) {
      const address = this.buddy.allocate(0);
      if (address < 0) break;
      const frame = address / FRAME_SIZE;
      this.stack[base + count++] = frame;
      this.cached[frame] = 1;
      this.cachedTotal++;
    }
    this.count[cpu] = count;
    return count;
  }

  /** Returns the `wanted` oldest frames of `cpu`'s list to the buddy allocator; returns the new count. */
  private drainSome(cpu: number, wanted: number): number {
    const base = cpu * this.high;
    const count = this.count[cpu]!;
    const moved = Math.min(wanted, count);
    for (let i = 0; i < moved; i++) {
      const frame = this.stack[base + i]!;
      this.cached[frame] = 0;
      if (this.buddy.free(frame * FRAME_SIZE, 0) !== FRAME_FREE.OK) {
        throw new Error(`per-cpu frame cache: buddy refused cached frame ${frame}`);
      }
    }
    this.stack.copyWithin(base, base + moved, base + count);
    this.count[cpu] = count - moved;
    this.cachedTotal -= moved;
    return count - moved;
  }
}
