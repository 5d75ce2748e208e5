/**
 * The x2APIC register MSRs and their correspondence with xAPIC MMIO offsets.
 *
 * Rule (Intel SDM vol 3A §10.12.1.2, table 10-6): the register at MMIO
 * offset `o` is MSR 0x800 + o / 16, with these exceptions:
 * - no MSR for APR (0x90), RRD (0xC0) or DFR (0xE0);
 * - the two ICR words (0x300, 0x310) are one 64-bit MSR, 0x830; 0x831 does
 *   not exist;
 * - SELF IPI (MSR 0x83F) exists only in x2APIC mode, with no MMIO offset.
 * Every other MSR in 0x800–0x8FF is reserved (RDMSR/WRMSR raise #GP).
 *
 * Invariants: lookups are allocation-free table reads; "no counterpart" is
 * the value {@link NO_COUNTERPART}, never an exception.
 */
import { LAPIC, LAPIC_VECTOR_REGISTER_STRIDE, LAPIC_VECTOR_REGISTER_WORDS } from "./lapic-registers";
import { MSR } from "./msr";

/** x2APIC register MSR indices (Intel SDM vol 3A §10.12.1.2, table 10-6). */
export const X2APIC_MSR = {
  /** x2APIC ID (read-only, 32 bits). */
  ID: 0x802,
  /** Version (read-only). */
  VERSION: 0x803,
  /** Task priority. */
  TPR: 0x808,
  /** Processor priority (read-only). */
  PPR: 0x80a,
  /** EOI (write-only; a non-zero write raises #GP). */
  EOI: 0x80b,
  /** Logical destination (read-only in x2APIC mode). */
  LDR: 0x80d,
  /** Spurious interrupt vector. */
  SVR: 0x80f,
  /** ISR bits 31:0; ISR word `i` is at `ISR_BASE + i`. */
  ISR_BASE: 0x810,
  /** TMR bits 31:0; TMR word `i` is at `TMR_BASE + i`. */
  TMR_BASE: 0x818,
  /** IRR bits 31:0; IRR word `i` is at `IRR_BASE + i`. */
  IRR_BASE: 0x820,
  /** Error status (a non-zero write raises #GP). */
  ESR: 0x828,
  /** LVT CMCI. */
  LVT_CMCI: 0x82f,
  /** The 64-bit ICR; destination in bits 63:32 (a full 32-bit x2APIC ID). */
  ICR: 0x830,
  /** LVT timer. */
  LVT_TIMER: 0x832,
  /** LVT thermal sensor. */
  LVT_THERMAL: 0x833,
  /** LVT performance monitoring. */
  LVT_PERF: 0x834,
  /** LVT LINT0. */
  LVT_LINT0: 0x835,
  /** LVT LINT1. */
  LVT_LINT1: 0x836,
  /** LVT error. */
  LVT_ERROR: 0x837,
  /** Timer initial count. */
  TIMER_INITIAL_COUNT: 0x838,
  /** Timer current count (read-only). */
  TIMER_CURRENT_COUNT: 0x839,
  /** Timer divide configuration. */
  TIMER_DIVIDE: 0x83e,
  /** SELF IPI (write-only, x2APIC only): bits 7:0 are the vector. */
  SELF_IPI: 0x83f,
} as const;

/** Returned by the mapping functions when a register has no counterpart in the other mode. */
export const NO_COUNTERPART = -1;

/** Number of MSR slots with an MMIO counterpart: offsets 0x000–0x3F0 map to 0x800–0x83F. */
const MAPPED_SLOTS = 0x40;
const OFFSET_ALIGNMENT_MASK = LAPIC_VECTOR_REGISTER_STRIDE - 1;
const SLOT_SHIFT = 4;

/** Slot `s` (= offset / 16 = MSR - 0x800) is 1 iff the register exists in both modes. */
const MAPPED = buildMappedSlots();

function buildMappedSlots(): Uint8Array {
  const slots = new Uint8Array(MAPPED_SLOTS);
  const offsets: number[] = [
    LAPIC.ID,
    LAPIC.VERSION,
    LAPIC.TPR,
    LAPIC.PPR,
    LAPIC.EOI,
    LAPIC.LDR,
    LAPIC.SVR,
    LAPIC.ESR,
    LAPIC.LVT_CMCI,
    LAPIC.ICR_LOW,
    LAPIC.LVT_TIMER,
    LAPIC.LVT_THERMAL,
    LAPIC.LVT_PERF,
    LAPIC.LVT_LINT0,
    LAPIC.LVT_LINT1,
    LAPIC.LVT_ERROR,
    LAPIC.TIMER_INITIAL_COUNT,
    LAPIC.TIMER_CURRENT_COUNT,
    LAPIC.TIMER_DIVIDE,
  ];
  for (const base of [LAPIC.ISR_BASE, LAPIC.TMR_BASE, LAPIC.IRR_BASE]) {
    for (let word = 0; word < LAPIC_VECTOR_REGISTER_WORDS; word++) {
      offsets.push(base + word * LAPIC_VECTOR_REGISTER_STRIDE);
    }
  }
  for (const offset of offsets) slots[offset >>> SLOT_SHIFT] = 1;
  return slots;
}

/** True if `index` lies in the x2APIC MSR range 0x800–0x8FF (defined or reserved). */
export function isX2apicMsrRange(index: number): boolean {
  return index >= MSR.X2APIC_FIRST && index <= MSR.X2APIC_LAST;
}

/**
 * The x2APIC MSR for the xAPIC register at MMIO `offset`, or
 * {@link NO_COUNTERPART} for a misaligned or unmapped offset (APR, RRD, DFR,
 * ICR_HIGH, reserved offsets). ICR_LOW maps to the 64-bit {@link X2APIC_MSR}.ICR.
 */
export function x2apicMsrForOffset(offset: number): number {
  if ((offset & OFFSET_ALIGNMENT_MASK) !== 0 || offset < 0) return NO_COUNTERPART;
  const slot = offset >>> SLOT_SHIFT;
  return slot < MAPPED_SLOTS && MAPPED[slot] === 1 ? MSR.X2APIC_FIRST + slot : NO_COUNTERPART;
}

/**
 * The xAPIC MMIO offset of the register behind x2APIC MSR `index`, or
 * {@link NO_COUNTERPART} for SELF_IPI, reserved MSRs and indices outside
 * the range. The ICR MSR maps to ICR_LOW (its high half is ICR_HIGH's role,
 * widened to 32 bits).
 */
export function xapicOffsetForMsr(index: number): number {
  const slot = index - MSR.X2APIC_FIRST;
  if (slot < 0 || slot >= MAPPED_SLOTS || MAPPED[slot] !== 1) return NO_COUNTERPART;
  return slot << SLOT_SHIFT;
}
