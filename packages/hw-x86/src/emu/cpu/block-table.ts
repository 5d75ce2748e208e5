/**
 * Compiled blocks, indexed like the decoded cache: the block that starts at
 * the instruction in decoded-cache slot `s` is `code[s]`.
 *
 * A block function runs a straight run of guest instructions (see
 * block-compiler.ts) and returns how many it executed. The table belongs to
 * the {@link DecodedCache}: when a code page's decoded instructions are
 * released (a write to the page, a full flush) the blocks of that page are
 * dropped with them, so a block never outlives the bytes it was compiled
 * from.
 *
 * Invariants:
 * - `code[s]` is defined only while slot `s` holds a decoded instruction.
 * - `heat[s]` counts interpreted executions of slot `s` up to `threshold`;
 *   REJECTED marks a start where no worthwhile block could be built. At
 *   `probeThreshold` the start is only looked up in the shared code cache;
 *   at `threshold` it is compiled.
 * - `count[s]` is the most instructions one pass of `code[s]` executes (the
 *   run loop enters a block only when that many fit in its budget).
 */
import type { CpuState } from "./cpu-state";

/**
 * A compiled block. `startSlot` is the decoded-cache slot it was entered
 * at (its code is shared between machines; see block-compiler.ts).
 * `budget` is how many instructions it may execute; it
 * returns how many it did execute (a faulting instruction counts as one, as
 * in the interpreter). On return `state.rip` and `state.retired` are exact;
 * if an exception is pending, RIP is the faulting instruction's and
 * `state.nextRip` the one after it. 0 means it stopped before its first
 * instruction (whose fast path did not apply): the caller interprets that one.
 */
export type BlockFunction = (state: CpuState, budget: number, startSlot: number) => number;

/** `heat` of a start where no block is built. */
export const BLOCK_REJECTED = 65535;

/**
 * Default number of interpreted executions before a start is compiled.
 * High, because a block pays back only after V8 has optimised its function,
 * which takes thousands of calls: with a low threshold short programs ran
 * up to 4× slower with blocks than with the interpreter alone (measured
 * with the hw-x86 bench's fresh-process runs; see the README).
 */
export const DEFAULT_BLOCK_THRESHOLD = 16384;

/**
 * Executions after which a start is looked up in the process-wide code
 * cache (block-compiler.ts): a block compiled before, by this or another
 * machine, is installed then, long before the compile threshold.
 */
export const BLOCK_PROBE_THRESHOLD = 32;

/** Compiled-block storage of one decoded cache (see the file header). */
export class BlockTable {
  /** Block starting at each slot. */
  readonly code: (BlockFunction | undefined)[];
  /** Instruction count of the block at each slot. */
  readonly count: Uint8Array;
  /** Interpreted executions of each slot, saturating at `threshold`, or BLOCK_REJECTED. */
  readonly heat: Uint16Array;
  /** Blocks compiled (statistics). */
  compiled = 0;
  /** Starts rejected (statistics). */
  rejected = 0;
  /** Blocks dropped because their page was released (statistics). */
  dropped = 0;
  /** Starts whose generated source did not compile (a compiler bug; they stay interpreted). */
  failed = 0;
  /** The first such error, for diagnosis. */
  firstFailure: unknown = undefined;
  /**
   * With `profile`: calls from compiled blocks to each operation's
   * interpreter handler, by OP id (forms without inline code, and inline
   * forms whose fast path did not apply). Zero otherwise.
   */
  readonly handlerCalls = new Float64Array(256);

  /** Executions at which a start is looked up in the code cache: min(BLOCK_PROBE_THRESHOLD, threshold). */
  readonly probeThreshold: number;

  constructor(
    slots: number,
    /** Interpreted executions of a start before it is compiled (1..65534). */
    readonly threshold = DEFAULT_BLOCK_THRESHOLD,
    /** Count handler calls in `handlerCalls` (costs a store per call; for finding what to inline). */
    readonly profile = false,
    /** SYSCALL is delivered inside blocks, which go on after it (default false: a SYSCALL ends its block). */
    readonly syscallsInBlocks = false,
  ) {
    if (!Number.isInteger(threshold) || threshold < 1 || threshold >= BLOCK_REJECTED) {
      throw new RangeError(
        `BlockTable: threshold ${threshold} is not an integer in 1..${BLOCK_REJECTED - 1}`,
      );
    }
    this.probeThreshold = Math.min(BLOCK_PROBE_THRESHOLD, threshold);
    this.code = new Array<BlockFunction | undefined>(slots).fill(undefined);
    this.count = new Uint8Array(slots);
    this.heat = new Uint16Array(slots);
  }

  /** Stores `block` (of `count` instructions) for the start `slot`. */
  install(slot: number, block: BlockFunction, count: number): void {
    this.code[slot] = block;
    this.count[slot] = count;
    this.compiled++;
  }

  /** Marks `slot` as a start not worth compiling. */
  reject(slot: number): void {
    this.heat[slot] = BLOCK_REJECTED;
    this.rejected++;
  }

  /** Records that the source generated for `slot` did not compile; the start stays interpreted. */
  fail(slot: number, error: unknown): void {
    this.heat[slot] = BLOCK_REJECTED;
    this.failed++;
    this.firstFailure ??= error;
  }

  /** Drops the blocks and heat of slots [from, to). */
  clear(from: number, to: number): void {
    const code = this.code;
    for (let slot = from; slot < to; slot++) {
      if (code[slot] !== undefined) {
        code[slot] = undefined;
        this.dropped++;
      }
    }
    this.heat.fill(0, from, to);
  }
}
