/**
 * Decoded instructions, cached per physical code page as a struct of typed
 * arrays (no objects per instruction).
 *
 * Scheme: the cache owns `blockCount` blocks of 4096 slots. A physical page
 * that has had code decoded from it owns one block (`pageBlock[page]`); the
 * instruction starting at physical address `p` lives in slot
 * `block * 4096 + (p & 4095)`. A slot with `length` 0 is empty.
 *
 * Invariants:
 * - `pageBlock[page] >= 0` exactly when `ram.codePages[page] !== 0`; a write
 *   to such a page (by the CPU or through PhysicalRam) releases the block.
 * - Instructions that cross a page boundary are never cached (a write to the
 *   second page could not find them); they are decoded into `SCRATCH_SLOT`.
 * - When every block is in use, the whole cache is flushed (simple, rare).
 * - `generation` increases on every invalidation (statistics, tests).
 * - Every invalidation also resets the `fetchRipBase` of each registered
 *   {@link FetchWindow} (the CPUs sharing the cache), so a CPU's "current
 *   code page's block" pointer never outlives its block and the fetch fast
 *   path needs no per-instruction revalidation.
 */
import type { PhysicalRam } from "../physical-ram";
import { BlockTable, DEFAULT_BLOCK_THRESHOLD } from "./block-table";

const SLOTS_PER_BLOCK = 4096;

/** `fetchRipBase` of an invalid fetch window: far outside the canonical range (NaN-free). */
export const NO_FETCH_WINDOW = -1e18;

/** A CPU's cached "current code page" (see fetch.ts); invalid when `fetchRipBase` is NO_FETCH_WINDOW. */
export interface FetchWindow {
  /** RIP of the first byte of the cached code page. */
  fetchRipBase: number;
  /** Set to 1 on every invalidation: a running compiled block must leave (its page may be gone). */
  blockStop: number;
}

/** How a {@link DecodedCache} is built beyond its RAM. */
export interface DecodedCacheOptions {
  /** Number of 4096-slot blocks, i.e. how many code pages can be cached at once (default DEFAULT_CODE_BLOCKS). */
  codeBlocks?: number;
  /**
   * Compile hot instruction runs into JavaScript functions (block-compiler.ts;
   * default true). False runs everything through the interpreter, which gives
   * the same guest-visible results, slower.
   */
  compileBlocks?: boolean;
  /** Interpreted executions of a start before it is compiled (default DEFAULT_BLOCK_THRESHOLD). */
  blockThreshold?: number;
  /** Count compiled blocks' calls to interpreter handlers by operation (`BlockTable.handlerCalls`; default false). */
  profileBlocks?: boolean;
  /**
   * Deliver SYSCALL inside compiled blocks and go on in the block after it
   * (default false: a SYSCALL ends its block and the run loop delivers it,
   * which measured faster in the getpid round trip — see
   * @tsos/syscall's bench; true keeps the block running after the call).
   */
  syscallsInBlocks?: boolean;
}

/** Default number of 4 KiB code pages cached at once. */
export const DEFAULT_CODE_BLOCKS = 128;

/** Struct-of-arrays storage of decoded instructions shared by the CPUs of one machine. */
export class DecodedCache {
  /** OP id. */
  readonly op: Uint8Array;
  /** Instruction length in bytes; 0 = empty slot. */
  readonly length: Uint8Array;
  /** Operand size in bytes (1, 2, 4, 8). */
  readonly size: Uint8Array;
  /** ModRM.reg operand register (see OPERAND for high-byte encoding). */
  readonly reg: Uint8Array;
  /** ModRM.rm register, or OPERAND.MEMORY. */
  readonly rm: Uint8Array;
  /** Memory operand base register, OPERAND.RIP or OPERAND.NONE. */
  readonly base: Uint8Array;
  /** Memory operand index register or OPERAND.NONE. */
  readonly index: Uint8Array;
  /** log2 of the SIB scale. */
  readonly scale: Uint8Array;
  /** PREFIX bits. */
  readonly prefix: Uint8Array;
  /** Operation variant (ALU kind, condition code, shift kind, second operand size...). */
  readonly aux: Uint8Array;
  /** Sign-extended displacement. */
  readonly disp: Int32Array;
  /** Immediate, low 32 bits (sign-extended immediates are stored as their 64-bit value). */
  readonly immLow: Int32Array;
  /** Immediate, high 32 bits. */
  readonly immHigh: Int32Array;
  /** Slot used for instructions that are not cached (crossing pages). */
  readonly scratchSlot: number;
  /** Compiled blocks over these slots, or null when block compilation is off. */
  readonly blocks: BlockTable | null;
  /** Number of 4096-slot blocks, i.e. how many code pages can be cached at once. */
  readonly blockCount: number;
  /** Increases on every invalidation. */
  generation = 0;
  /** Number of page invalidations (statistics). */
  invalidations = 0;
  /** Block owned by each physical page, or -1. */
  private readonly pageBlock: Int32Array;
  private readonly blockPage: Int32Array;
  private readonly freeBlocks: Int32Array;
  private freeCount: number;
  private readonly windows: FetchWindow[] = [];

  /**
   * Creates a cache for `ram`, registering itself as its code-write listener.
   * `options` may be a number: the code-page count (the older signature).
   */
  constructor(
    private readonly ram: PhysicalRam,
    options: number | DecodedCacheOptions = {},
  ) {
    const settings = typeof options === "number" ? { codeBlocks: options } : options;
    const blockCount = settings.codeBlocks ?? DEFAULT_CODE_BLOCKS;
    this.blockCount = blockCount;
    const slots = blockCount * SLOTS_PER_BLOCK + 1;
    this.op = new Uint8Array(slots);
    this.length = new Uint8Array(slots);
    this.size = new Uint8Array(slots);
    this.reg = new Uint8Array(slots);
    this.rm = new Uint8Array(slots);
    this.base = new Uint8Array(slots);
    this.index = new Uint8Array(slots);
    this.scale = new Uint8Array(slots);
    this.prefix = new Uint8Array(slots);
    this.aux = new Uint8Array(slots);
    this.disp = new Int32Array(slots);
    this.immLow = new Int32Array(slots);
    this.immHigh = new Int32Array(slots);
    this.scratchSlot = slots - 1;
    this.blocks =
      settings.compileBlocks === false
        ? null
        : new BlockTable(
            slots,
            settings.blockThreshold ?? DEFAULT_BLOCK_THRESHOLD,
            settings.profileBlocks,
            settings.syscallsInBlocks,
          );
    this.pageBlock = new Int32Array(ram.size / SLOTS_PER_BLOCK).fill(-1);
    this.blockPage = new Int32Array(blockCount).fill(-1);
    this.freeBlocks = new Int32Array(blockCount);
    for (let block = 0; block < blockCount; block++) this.freeBlocks[block] = blockCount - 1 - block;
    this.freeCount = blockCount;
    ram.setCodeWriteListener((page) => this.releasePage(page));
  }

  /** First slot of the block for physical `page`, allocating one (and flagging the page) if needed. */
  blockBase(page: number): number {
    const block = this.pageBlock[page]!;
    if (block >= 0) return block * SLOTS_PER_BLOCK;
    if (this.freeCount === 0) this.flush();
    const fresh = this.freeBlocks[--this.freeCount]!;
    this.pageBlock[page] = fresh;
    this.blockPage[fresh] = page;
    this.ram.codePages[page] = 1;
    return fresh * SLOTS_PER_BLOCK;
  }

  /** Registers a CPU's fetch window, reset on every invalidation. */
  addFetchWindow(window: FetchWindow): void {
    this.windows.push(window);
  }

  /** Drops every cached instruction. */
  flush(): void {
    for (let block = 0; block < this.blockCount; block++) {
      const page = this.blockPage[block]!;
      if (page >= 0) this.releasePage(page);
    }
  }

  /** Drops the decoded instructions of physical `page` (called on writes). */
  releasePage(page: number): void {
    const block = this.pageBlock[page]!;
    this.ram.codePages[page] = 0;
    if (block < 0) return;
    this.length.fill(0, block * SLOTS_PER_BLOCK, (block + 1) * SLOTS_PER_BLOCK);
    this.blocks?.clear(block * SLOTS_PER_BLOCK, (block + 1) * SLOTS_PER_BLOCK);
    this.pageBlock[page] = -1;
    this.blockPage[block] = -1;
    this.freeBlocks[this.freeCount++] = block;
    this.generation++;
    this.invalidations++;
    for (const window of this.windows) {
      window.fetchRipBase = NO_FETCH_WINDOW;
      window.blockStop = 1;
    }
  }
}
