/**
 * Page-fault counters by outcome, the way Linux's vmstat splits them
 * (pgfault, and the COW and demand-zero paths of do_anonymous_page /
 * do_wp_page), plus the faults that end in a signal or the OOM policy.
 * One instance may be shared by every address space of a kernel
 * (`AddressSpaceOptions.faultCounters`); plain numbers, nothing allocates.
 */

/** Faults by kind; {@link total} is their sum. */
export class FaultCounters {
  /** A first touch of an anonymous page: a zeroed frame was mapped. */
  demandZero = 0;
  /** A write to a page shared copy-on-write: the page was copied. */
  copyOnWrite = 0;
  /** A write to a copy-on-write page nobody else shares any more: made writable in place, no copy. */
  copyOnWriteReused = 0;
  /** A fault on a page already mapped with the rights asked for (a stale TLB entry): nothing to do. */
  spurious = 0;
  /** Faults below a MAP_GROWSDOWN area that grew it (counted in addition to the fault's own kind). */
  stackGrowth = 0;
  /** The mapping forbids the access (SEGV_ACCERR). */
  protection = 0;
  /** Nothing is mapped at the address (SEGV_MAPERR). */
  unmapped = 0;
  /** No frame could be had (the OOM policy's turn). */
  outOfMemory = 0;

  /** Every fault counted (stack growth is not a separate fault). */
  get total(): number {
    return (
      this.demandZero +
      this.copyOnWrite +
      this.copyOnWriteReused +
      this.spurious +
      this.protection +
      this.unmapped +
      this.outOfMemory
    );
  }

  /** The counters as a plain object (reports, JSON). */
  snapshot(): FaultCountersSnapshot {
    return {
      total: this.total,
      demandZero: this.demandZero,
      copyOnWrite: this.copyOnWrite,
      copyOnWriteReused: this.copyOnWriteReused,
      spurious: this.spurious,
      stackGrowth: this.stackGrowth,
      protection: this.protection,
      unmapped: this.unmapped,
      outOfMemory: this.outOfMemory,
    };
  }
}

/** {@link FaultCounters.snapshot}'s shape. */
export interface FaultCountersSnapshot {
  readonly total: number;
  readonly demandZero: number;
  readonly copyOnWrite: number;
  readonly copyOnWriteReused: number;
  readonly spurious: number;
  readonly stackGrowth: number;
  readonly protection: number;
  readonly unmapped: number;
  readonly outOfMemory: number;
}
