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
 * Invariants: `pageCount <= TLB_FLUSH_CEILING`; when `fullFlush` is set the
 * recorded pages are irrelevant; `includesGlobal` is set when any page
 * recorded since the last flush was global; `flush` leaves the batch empty.
 */

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
  /** Invalidates `count` pages whose linear addresses are `pages[0 .. count)` on every CPU concerned. */
  flushPages(pages: Float64Array, count: number): void;
  /**
   * Invalidates every non-global translation of the address space on every
   * CPU concerned (a CR3 reload), and global ones too when `includeGlobal`
   * (a CR4.PGE toggle).
   */
  flushAll(includeGlobal: boolean): void;
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

  /** True when nothing is owed. */
  get isEmpty(): boolean {
    return !this.fullFlush && this.pageCount === 0;
  }

  /** Discharges the obligations through `shootdown` (one call) and empties the batch. */
  flush(shootdown: TlbShootdown): void {
    if (this.fullFlush) shootdown.flushAll(this.includesGlobal);
    else if (this.pageCount > 0) shootdown.flushPages(this.pages, this.pageCount);
    this.pageCount = 0;
    this.fullFlush = false;
    this.includesGlobal = false;
  }
}
