/**
 * TLB-flush obligations, collected and discharged in batches.
 *
 * Scheme (Linux's mmu_gather, mm/mmu_gather.c, and the
 * tlb_single_page_flush_ceiling of arch/x86/mm/tlb.c): every page-table
 * change that removes or narrows a translation leaves an obligation to
 * invalidate that page in every TLB that may cache it (SDM vol 3A §4.10.4).
 * Instead of one IPI per page, changes record pages here and the caller
 * discharges them once: up to {@link TLB_FLUSH_CEILING} single pages
 * (INVLPG each), beyond that one full flush (a CR3 reload). Making a
 * not-present entry present creates no obligation, since the processor does
 * not cache not-present translations (SDM vol 3A §4.10.4.3).
 *
 * mm does not know CPUs or IPIs: the kernel injects a {@link TlbShootdown}
 * that invalidates locally and sends IPIs to the other CPUs running the
 * address space.
 *
 * A full flush by CR3 reload keeps global translations (CR4.PGE, SDM vol 3A
 * §4.10.4.1), so the batch remembers whether any recorded page was global
 * and then asks for a flush that includes them (Linux's __flush_tlb_all).
 *
 * Freed page tables (Linux's tlb_remove_table / tlb->freed_tables): a
 * paging-structure cache may still hold an entry pointing at a table that
 * was just unlinked (SDM vol 3A §4.10.3), and a walk through it would read
 * whatever the reused frame holds next. So a table frame is not freed when
 * it is unlinked but handed to the batch ({@link TlbFlushBatch.deferTableFree})
 * and given back to its FrameAllocator only in `flush`, after the shootdown
 * returned. The invalidation that covers it is the one the same batch owes
 * anyway: a table is only unlinked when an unmap in its range recorded a
 * page, and INVLPG of any address drops every paging-structure-cache entry
 * of the current PCID, as does a CR3 reload (SDM vol 3A §4.10.4.1). The
 * shootdown is told (`freedTables`) so that it can also reach CPUs that
 * only lazily keep the address space loaded (Linux's freed_tables rule).
 * Frames of unmapped pages are deferred the same way
 * ({@link TlbFlushBatch.deferFrameFree}): a CPU with a stale TLB entry could
 * otherwise write into a frame that already belongs to someone else.
 *
 * Invariants: `pageCount <= TLB_FLUSH_CEILING`; when `fullFlush` is set the
 * recorded pages are irrelevant; `includesGlobal` is set when any page
 * recorded since the last flush was global; a batch holding deferred
 * frames is never empty of obligations; `flush` leaves the batch empty and
 * frees every deferred frame after the shootdown.
 */
import type { FrameAllocator } from "@tsos/hw-x86";

/** Pages flushed one by one before a batch switches to a full flush (Linux's default ceiling, 33). */
export const TLB_FLUSH_CEILING = 33;

/** Outcome codes of a page-table change: what the caller owes the TLBs. */
export const TLB_FLUSH = {
  /** Nothing to invalidate (a new translation). */
  NONE: 0,
  /** The page's translation changed or went away: it must be invalidated (recorded in the batch). */
  PAGE: 1,
} as const;

/** The kernel's TLB invalidation: local INVLPG / CR3 reload plus shootdown IPIs to other CPUs. */
export interface TlbShootdown {
  /**
   * Invalidates `count` pages whose linear addresses are `pages[0 .. count)`
   * on every CPU concerned. `freedTables` is true when page tables were
   * unlinked: their frames are reused once this returns, so every CPU that
   * may walk this address space (lazy-TLB ones included) must be reached.
   */
  flushPages(pages: Float64Array, count: number, freedTables: boolean): void;
  /**
   * Invalidates every non-global translation of the address space on every
   * CPU concerned (a CR3 reload), and global ones too when `includeGlobal`
   * (a CR4.PGE toggle). `freedTables` as in {@link TlbShootdown.flushPages}.
   */
  flushAll(includeGlobal: boolean, freedTables: boolean): void;
}

/** Pages whose translations must be invalidated, discharged together. */
export class TlbFlushBatch {
  /** Recorded page addresses, valid in `[0, pageCount)`. */
  readonly pages = new Float64Array(TLB_FLUSH_CEILING);
  /** Number of recorded pages. */
  pageCount = 0;
  /** Set once more pages than the ceiling were recorded: a full flush is owed. */
  fullFlush = false;
  /** Set when a recorded page was global (its leaf had PTE.G): a full flush must include global entries. */
  includesGlobal = false;
  /** Frames (order 0) to free after the next shootdown, valid in `[0, frameCount)`. */
  private frames = new Float64Array(8);
  /** The allocator each deferred frame goes back to (parallel to `frames`). */
  private readonly allocators: (FrameAllocator | undefined)[] = [];
  private frameCount = 0;
  /** How many of the deferred frames are page tables. */
  private tableFrameCount = 0;

  /** Records one page (or turns the batch into a full flush past the ceiling); `global` if its leaf had PTE.G. */
  addPage(linearAddress: number, global = false): void {
    if (global) this.includesGlobal = true;
    if (this.fullFlush) return;
    if (this.pageCount === TLB_FLUSH_CEILING) {
      this.fullFlush = true;
      return;
    }
    this.pages[this.pageCount++] = linearAddress;
  }

  /**
   * Takes an unlinked page-table frame (order 0) to give back to `frames`
   * after the next shootdown. `linearAddress` is an address the table
   * translated: it is recorded as a page when the batch owes nothing yet, so
   * the flush always includes an invalidation (SDM vol 3A §4.10.4.1).
   */
  deferTableFree(tableFrame: number, frames: FrameAllocator, linearAddress: number): void {
    this.deferFrameFree(tableFrame, frames, linearAddress);
    this.tableFrameCount++;
  }

  /**
   * Takes a frame (order 0) that an unmapped page used, to give back to
   * `frames` after the next shootdown, so that no CPU still holding the old
   * translation can reach it once it is reused (Linux's mmu_gather page
   * batching). `linearAddress` as in {@link TlbFlushBatch.deferTableFree}.
   */
  deferFrameFree(frame: number, frames: FrameAllocator, linearAddress: number): void {
    if (this.isEmpty) this.addPage(linearAddress);
    if (this.frameCount === this.frames.length) {
      const grown = new Float64Array(this.frames.length * 2);
      grown.set(this.frames);
      this.frames = grown;
    }
    this.frames[this.frameCount] = frame;
    this.allocators[this.frameCount] = frames;
    this.frameCount++;
  }

  /** Page-table frames waiting for the next flush. */
  get pendingTableFrames(): number {
    return this.tableFrameCount;
  }

  /** Frames of every kind (tables and pages) waiting for the next flush. */
  get pendingFrames(): number {
    return this.frameCount;
  }

  /** True when nothing is owed. */
  get isEmpty(): boolean {
    return !this.fullFlush && this.pageCount === 0;
  }

  /**
   * Discharges the obligations through `shootdown` (one call), then frees the
   * deferred frames, and empties the batch.
   */
  flush(shootdown: TlbShootdown): void {
    const freedTables = this.tableFrameCount > 0;
    if (this.fullFlush) shootdown.flushAll(this.includesGlobal, freedTables);
    else if (this.pageCount > 0) shootdown.flushPages(this.pages, this.pageCount, freedTables);
    this.pageCount = 0;
    this.fullFlush = false;
    this.includesGlobal = false;
    const count = this.frameCount;
    this.frameCount = 0;
    this.tableFrameCount = 0;
    for (let index = 0; index < count; index++) {
      const frames = this.allocators[index]!;
      this.allocators[index] = undefined;
      const result = frames.free(this.frames[index]!, 0);
      if (result !== 0) throw new Error(`TLB batch: frame allocator refused a deferred frame (${result})`);
    }
  }
}
