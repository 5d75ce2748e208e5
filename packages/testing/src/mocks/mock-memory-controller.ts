/**
 * `MockMemoryController`: physical memory (an ArrayBuffer) that is also a
 * `FrameAllocator`, and that keeps the books a test needs to catch memory
 * mistakes in code using frames: leaks, double frees, wrong-order frees, and
 * code that cannot cope with allocation failure.
 *
 * Allocation: first fit over a per-frame bitmap, blocks naturally aligned to
 * 2^order frames (the `FrameAllocator` contract). Frames below
 * `reservedFrames` are never handed out. New blocks are filled with a poison
 * byte (0xA5 by default) because the contract says contents are unspecified:
 * code that assumes zeroed frames fails visibly.
 *
 * Books: every live block (address → order, allocation sequence number and,
 * with `captureStacks`, the allocating stack); every bad free (with the
 * `FRAME_FREE` result it got). `assertNoLeaks()` throws listing both.
 *
 * Failure injection: `failEvery(n)` fails every n-th allocation call,
 * `failWhen(predicate)` fails calls the predicate selects; failed calls
 * return `NO_FRAME` and are counted, exactly like real exhaustion.
 */
import { FRAME_FREE, type FrameAllocator, type FrameFreeResult, NO_FRAME } from "@tsos/hw-x86";
import { MockPhysicalMemory } from "./mock-physical-memory";

/** Bytes per frame (4 KiB pages, SDM vol 3 §4.5). */
export const FRAME_SIZE = 4096;
/** Default poison byte for new blocks. */
export const FRAME_POISON = 0xa5;

/** A block handed out and not yet freed. */
export interface LiveBlock {
  readonly address: number;
  readonly order: number;
  /** 1-based number of the allocate() call that produced it. */
  readonly sequence: number;
  /** Allocating stack, when `captureStacks` is on. */
  readonly stack?: string;
}

/** A free that did not return `FRAME_FREE.OK`. */
export interface BadFree {
  readonly address: number;
  readonly order: number;
  readonly result: FrameFreeResult;
  /** True when the block had been allocated and freed before (a double free). */
  readonly doubleFree: boolean;
}

/** Decides whether allocate() call number `call` (1-based) for `order` fails. */
export type FailurePredicate = (order: number, call: number) => boolean;

/** Options of {@link MockMemoryController}. */
export interface MockMemoryControllerOptions {
  /** Memory size in bytes, a multiple of {@link FRAME_SIZE} (default 16 MiB). */
  readonly size?: number;
  /** Frames at the bottom never allocated (default 0). */
  readonly reservedFrames?: number;
  /** Byte written over new blocks, or `null` for none (default {@link FRAME_POISON}). */
  readonly poison?: number | null;
  /** Record the allocating stack of each block (default false: costs time). */
  readonly captureStacks?: boolean;
}

/** Physical memory plus a book-keeping frame allocator. */
export class MockMemoryController extends MockPhysicalMemory implements FrameAllocator {
  readonly frameCount: number;
  /** allocate() calls so far. */
  allocationCalls = 0;
  /** allocate() calls that returned NO_FRAME (injected or real). */
  failedAllocations = 0;
  /** frees that returned OK. */
  frees = 0;
  /** Every bad free, in order. */
  readonly badFrees: BadFree[] = [];
  private readonly used: Uint8Array;
  private readonly live = new Map<number, LiveBlock>();
  /** Addresses of blocks freed and not re-allocated since (to tell a double free from a stray one). */
  private readonly released = new Set<number>();
  private readonly reservedFrames: number;
  private readonly poison: number | null;
  private readonly captureStacks: boolean;
  private failure: FailurePredicate | undefined;

  constructor(options: MockMemoryControllerOptions = {}) {
    const size = options.size ?? 16 * 1024 * 1024;
    if (size % FRAME_SIZE !== 0)
      throw new RangeError(`MockMemoryController: size ${size} is not whole frames`);
    super(size);
    this.frameCount = size / FRAME_SIZE;
    this.used = new Uint8Array(this.frameCount);
    this.reservedFrames = options.reservedFrames ?? 0;
    this.poison = options.poison === undefined ? FRAME_POISON : options.poison;
    this.captureStacks = options.captureStacks ?? false;
  }

  /** Fails every `n`-th allocate() call from now on (counting all calls since creation). */
  failEvery(n: number): this {
    return this.failWhen((_order, call) => call % n === 0);
  }

  /** Fails the allocate() calls `predicate` selects; `undefined` clears injection. */
  failWhen(predicate: FailurePredicate | undefined): this {
    this.failure = predicate;
    return this;
  }

  allocate(order: number): number {
    this.allocationCalls++;
    if (!Number.isInteger(order) || order < 0 || this.failure?.(order, this.allocationCalls)) {
      this.failedAllocations++;
      return NO_FRAME;
    }
    const frames = 2 ** order;
    const first = this.findFree(frames);
    if (first < 0) {
      this.failedAllocations++;
      return NO_FRAME;
    }
    this.used.fill(1, first, first + frames);
    const address = first * FRAME_SIZE;
    const block: LiveBlock = { address, order, sequence: this.allocationCalls };
    this.live.set(
      address,
      this.captureStacks ? { ...block, stack: new Error("allocated here").stack ?? "" } : block,
    );
    this.released.delete(address);
    if (this.poison !== null) this.bytes(address, frames * FRAME_SIZE).fill(this.poison);
    return address;
  }

  free(address: number, order: number): FrameFreeResult {
    const result = this.release(address, order);
    if (result === FRAME_FREE.OK) {
      this.frees++;
      this.released.add(address);
    } else {
      this.badFrees.push({ address, order, result, doubleFree: this.released.has(address) });
    }
    return result;
  }

  /** Blocks allocated and not freed, by allocation order. */
  leaks(): LiveBlock[] {
    return [...this.live.values()].sort((left, right) => left.sequence - right.sequence);
  }

  /** Frames currently free (not reserved, not allocated). */
  get freeFrames(): number {
    let count = 0;
    for (let frame = this.reservedFrames; frame < this.frameCount; frame++)
      count += this.used[frame] === 0 ? 1 : 0;
    return count;
  }

  /** True when the frame containing `address` is part of a live block. */
  isAllocated(address: number): boolean {
    return this.used[Math.floor(address / FRAME_SIZE)] === 1;
  }

  /** Throws listing every leaked block and every bad free (double free, wrong order, invalid address). */
  assertNoLeaks(): void {
    const problems = [
      ...this.leaks().map(
        (block) =>
          `leak: order ${block.order} block at 0x${block.address.toString(16)} (allocation #${block.sequence})${block.stack ? `\n${block.stack}` : ""}`,
      ),
      ...this.badFrees.map(
        (bad) =>
          `${bad.doubleFree ? "double free" : `bad free (${freeResultName(bad.result)})`}: order ${bad.order} at 0x${bad.address.toString(16)}`,
      ),
    ];
    if (problems.length > 0)
      throw new Error(`MockMemoryController found ${problems.length} problem(s):\n${problems.join("\n")}`);
  }

  private release(address: number, order: number): FrameFreeResult {
    if (!Number.isInteger(order) || order < 0) return FRAME_FREE.INVALID_ADDRESS;
    const blockBytes = 2 ** order * FRAME_SIZE;
    if (
      !Number.isInteger(address) ||
      address < 0 ||
      address + blockBytes > this.size ||
      address % blockBytes !== 0
    ) {
      return FRAME_FREE.INVALID_ADDRESS;
    }
    const block = this.live.get(address);
    if (!block) return FRAME_FREE.NOT_ALLOCATED;
    if (block.order !== order) return FRAME_FREE.WRONG_ORDER;
    this.live.delete(address);
    const first = address / FRAME_SIZE;
    this.used.fill(0, first, first + 2 ** order);
    return FRAME_FREE.OK;
  }

  /** First frame index of a free aligned run of `frames` frames, or -1. */
  private findFree(frames: number): number {
    const start = Math.ceil(this.reservedFrames / frames) * frames;
    for (let first = start; first + frames <= this.frameCount; first += frames) {
      let free = true;
      for (let frame = first; frame < first + frames; frame++) {
        if (this.used[frame] !== 0) {
          free = false;
          break;
        }
      }
      if (free) return first;
    }
    return -1;
  }
}

function freeResultName(result: FrameFreeResult): string {
  const entry = Object.entries(FRAME_FREE).find(([, value]) => value === result);
  return entry ? entry[0] : String(result);
}
