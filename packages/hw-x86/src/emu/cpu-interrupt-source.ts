/**
 * How an emulated CPU learns of, and accepts, external interrupts: the wire
 * between a CPU core and its local APIC (INTR + the INTA cycle).
 *
 * The CPU checks {@link CpuInterruptSource.hasPending} between instructions
 * when RFLAGS.IF = 1 (and while halted); when it is true, it calls
 * {@link CpuInterruptSource.acknowledge} and delivers the returned vector
 * through the IDT. Implemented by the emulated LAPIC.
 */
export interface CpuInterruptSource {
  /** True if a maskable interrupt is deliverable now (for a LAPIC: the highest IRR vector's class is above the PPR's). */
  hasPending(): boolean;
  /**
   * The INTA cycle: moves the highest-priority deliverable vector from IRR to
   * ISR and returns it; returns the spurious vector if nothing is deliverable
   * any more.
   */
  acknowledge(): number;
}
