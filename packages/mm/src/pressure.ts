/**
 * Memory pressure: watermarks on free frames, shrinker-driven reclaim and an
 * out-of-memory hook, as a FrameAllocator that wraps the buddy allocator.
 *
 * Scheme (Linux's zone watermarks, mm/page_alloc.c and mm/vmscan.c, without
 * a background thread — the kernel is non-preemptible, so "kswapd" runs
 * synchronously on the allocation that crosses the line):
 * - Above `low` free frames (counting the request), an allocation goes
 *   straight to the wrapped allocator: one comparison of overhead.
 * - At or below `low`, or when the wrapped allocator has no block of the
 *   order asked (fragmentation), reclaim runs first: registered shrinkers
 *   (slab caches, page caches…) are asked, largest estimate first, to free
 *   frames until `high` is reached again (plus the request).
 * - The allocation is then allowed if it leaves at least `min` frames free;
 *   the frames below `min` are a reserve for reclaim itself.
 * - Otherwise the OOM hook is called: it names a victim (and, being the
 *   kernel's policy, kills it and releases its memory before returning). The
 *   allocation is retried; with no victim it fails with NO_FRAME.
 *
 * Invariants: 0 ≤ min ≤ low ≤ high; a shrinker is never called re-entrantly
 * by this object (a reclaim in progress does not start another); frees go
 * straight through.
 */
import { type FrameAllocator, type FrameFreeResult, NO_FRAME } from "@tsos/hw-x86";

/** Something that can give memory back on request (a slab cache is one). */
export interface Shrinker {
  /** Name for statistics. */
  readonly name: string;
  /** Estimate of the frames `reclaim` could free now. */
  countReclaimable(): number;
  /** Frees up to about `targetFrames` frames; returns how many it freed. */
  reclaim(targetFrames: number): number;
}

/** Free-frame thresholds, in frames. */
export interface Watermarks {
  /** Below this only reclaim may allocate; an allocation that would cross it invokes OOM. */
  readonly min: number;
  /** Crossing this starts reclaim. */
  readonly low: number;
  /** Reclaim stops once this many frames are free. */
  readonly high: number;
}

/** What the OOM hook is told. */
export interface OomRequest {
  /** Order of the allocation that could not be satisfied. */
  readonly order: number;
  /** Free frames after reclaim. */
  readonly freeFrames: number;
  /** The watermarks in force. */
  readonly watermarks: Watermarks;
}

/** The process (or anything) the OOM hook chose to kill. */
export interface OomVictim {
  /** Name for the report, e.g. a command name. */
  readonly name: string;
  /** Identifier, e.g. a PID. */
  readonly id: number;
}

/** Chooses, kills and frees a victim; returns it, or undefined when there is none. */
export type OomHook = (request: OomRequest) => OomVictim | undefined;

/** A frame allocator that knows its free-frame count (the buddy allocator). */
export interface CountingFrameAllocator extends FrameAllocator {
  /** Frames currently free. */
  readonly freeFrames: number;
}

/** Options of {@link MemoryPressure}. */
export interface MemoryPressureOptions {
  /** Thresholds (default: {@link defaultWatermarks} of the free frames at construction). */
  readonly watermarks?: Watermarks;
  /** Called when reclaim cannot satisfy an allocation. */
  readonly onOom?: OomHook;
  /** Victims tried per failing allocation (default 1). */
  readonly oomAttempts?: number;
}

/** Counters of {@link MemoryPressure}. */
export interface PressureStatistics {
  /** Allocations that took the slow path. */
  readonly slowPaths: number;
  /** Frames freed by shrinkers. */
  readonly framesReclaimed: number;
  /** Calls of the OOM hook. */
  readonly oomInvocations: number;
  /** Victims named by the OOM hook, oldest first. */
  readonly oomVictims: readonly OomVictim[];
  /** Allocations that failed. */
  readonly failedAllocations: number;
}

/**
 * Linux's classic defaults: min = √(16 · managed KiB) KiB, clamped to
 * [128 KiB, 64 MiB] (mm/page_alloc.c, init_per_zone_wmark_min), low = 5/4 min,
 * high = 3/2 min — in frames.
 */
export function defaultWatermarks(managedFrames: number): Watermarks {
  const kib = managedFrames * 4;
  const minKib = Math.min(65536, Math.max(128, Math.floor(Math.sqrt(kib * 16))));
  const min = Math.min(Math.floor(managedFrames / 4), Math.ceil(minKib / 4));
  return { min, low: Math.floor((min * 5) / 4), high: Math.floor((min * 3) / 2) };
}

/** A FrameAllocator enforcing watermarks, with shrinkers and an OOM hook. */
export class MemoryPressure implements FrameAllocator {
  /** The thresholds in force. */
  readonly watermarks: Watermarks;
  private readonly shrinkers: Shrinker[] = [];
  private readonly onOom: OomHook | undefined;
  private readonly oomAttempts: number;
  private readonly low: number;
  private reclaiming = false;
  private slowPaths = 0;
  private framesReclaimed = 0;
  private oomInvocations = 0;
  private failedAllocations = 0;
  private readonly oomVictims: OomVictim[] = [];

  /** Wraps `source`; throws `RangeError` unless 0 ≤ min ≤ low ≤ high. */
  constructor(
    private readonly source: CountingFrameAllocator,
    options: MemoryPressureOptions = {},
  ) {
    const marks = options.watermarks ?? defaultWatermarks(source.freeFrames);
    if (!(marks.min >= 0 && marks.min <= marks.low && marks.low <= marks.high)) {
      throw new RangeError("watermarks must satisfy 0 <= min <= low <= high");
    }
    this.watermarks = marks;
    this.low = marks.low;
    this.onOom = options.onOom;
    this.oomAttempts = options.oomAttempts ?? 1;
  }

  /** Frames currently free in the wrapped allocator. */
  get freeFrames(): number {
    return this.source.freeFrames;
  }

  /** Registers a shrinker; returns a function that unregisters it. */
  registerShrinker(shrinker: Shrinker): () => void {
    this.shrinkers.push(shrinker);
    return () => {
      const index = this.shrinkers.indexOf(shrinker);
      if (index >= 0) this.shrinkers.splice(index, 1);
    };
  }

  /** Allocates 2^`order` frames, reclaiming or invoking OOM under pressure. Returns an address or `NO_FRAME`. */
  allocate(order: number): number {
    if (this.source.freeFrames - 2 ** order > this.low) {
      const address = this.source.allocate(order);
      if (address >= 0) return address;
    }
    return this.allocateSlow(order);
  }

  /** Returns a block to the wrapped allocator. */
  free(address: number, order: number): FrameFreeResult {
    return this.source.free(address, order);
  }

  /** Runs shrinkers until `targetFree` frames are free or none has more to give. Returns frames freed. */
  reclaim(targetFree: number): number {
    if (this.reclaiming) return 0;
    this.reclaiming = true;
    let freed = 0;
    const byEstimate = [...this.shrinkers].sort((a, b) => b.countReclaimable() - a.countReclaimable());
    for (const shrinker of byEstimate) {
      const missing = targetFree - this.source.freeFrames;
      if (missing <= 0) break;
      freed += shrinker.reclaim(missing);
    }
    this.reclaiming = false;
    this.framesReclaimed += freed;
    return freed;
  }

  /** Counters so far (cold path). */
  statistics(): PressureStatistics {
    return {
      slowPaths: this.slowPaths,
      framesReclaimed: this.framesReclaimed,
      oomInvocations: this.oomInvocations,
      oomVictims: [...this.oomVictims],
      failedAllocations: this.failedAllocations,
    };
  }

  private allocateSlow(order: number): number {
    this.slowPaths++;
    const need = 2 ** order;
    this.reclaim(this.watermarks.high + need);
    let address = this.tryAboveMin(order, need);
    for (let attempt = 0; address === NO_FRAME && attempt < this.oomAttempts && this.onOom; attempt++) {
      this.oomInvocations++;
      const victim = this.onOom({ order, freeFrames: this.source.freeFrames, watermarks: this.watermarks });
      if (victim === undefined) break;
      this.oomVictims.push(victim);
      address = this.tryAboveMin(order, need);
    }
    if (address === NO_FRAME) this.failedAllocations++;
    return address;
  }

  private tryAboveMin(order: number, need: number): number {
    if (this.source.freeFrames - need < this.watermarks.min) return NO_FRAME;
    const address = this.source.allocate(order);
    return address >= 0 ? address : NO_FRAME;
  }
}

/** A process the OOM policy may choose, with its memory footprint. */
export interface OomCandidate extends OomVictim {
  /** Frames the candidate holds (resident pages, page tables…). */
  readonly frames: number;
  /** Linux's oom_score_adj, -1000 (never kill) to 1000; default 0. */
  readonly scoreAdjust?: number;
}

/**
 * Linux's OOM badness (mm/oom_kill.c, oom_badness): frames held plus
 * scoreAdjust · totalFrames / 1000; -1000 exempts. Returns the candidate
 * with the highest badness, or undefined when none is eligible.
 */
export function selectOomVictim(
  candidates: readonly OomCandidate[],
  totalFrames: number,
): OomCandidate | undefined {
  let best: OomCandidate | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const candidate of candidates) {
    const adjust = candidate.scoreAdjust ?? 0;
    if (adjust <= -1000) continue;
    const score = candidate.frames + (adjust * totalFrames) / 1000;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}
