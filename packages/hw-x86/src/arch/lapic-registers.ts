/**
 * Local APIC (xAPIC) register map: MMIO offsets from the APIC base, and the
 * fields of the ID, version, TPR, SVR, ESR, LDR/DFR and timer divide
 * registers. LVT entries and the ICR have their own files.
 *
 * Invariants:
 * - Every register is 32 bits wide at a 16-byte-aligned offset below
 *   {@link LAPIC_MMIO_SIZE}; accesses must be 32-bit and aligned.
 * - ISR, TMR and IRR are 256-bit registers spread over 8 words at
 *   {@link LAPIC_VECTOR_REGISTER_STRIDE}; word `i` holds vectors 32i..32i+31.
 * - Helpers are allocation-free and return unsigned numbers.
 *
 * Source: Intel SDM vol 3A chapter 10: §10.4.1 (register map, table 10-1),
 * §10.4.6 (ID), §10.4.8 (version), §10.5.3 (ESR), §10.5.4 (timer),
 * §10.6.2.2 (LDR/DFR), §10.8.3.1 (TPR/PPR), §10.9 (SVR).
 */

/** LAPIC register offsets from the APIC base (Intel SDM vol 3A §10.4.1, table 10-1). */
export const LAPIC = {
  /** Local APIC ID (read/write; ID in bits 31:24). */
  ID: 0x20,
  /** Local APIC version (read-only). */
  VERSION: 0x30,
  /** Task priority register. */
  TPR: 0x80,
  /** Arbitration priority register (read-only). */
  APR: 0x90,
  /** Processor priority register (read-only). */
  PPR: 0xa0,
  /** End of interrupt (write-only; write 0). */
  EOI: 0xb0,
  /** Remote read register (read-only). */
  RRD: 0xc0,
  /** Logical destination register. */
  LDR: 0xd0,
  /** Destination format register. */
  DFR: 0xe0,
  /** Spurious interrupt vector register. */
  SVR: 0xf0,
  /** In-service register, first of 8 words (read-only). */
  ISR_BASE: 0x100,
  /** Trigger mode register, first of 8 words (read-only). */
  TMR_BASE: 0x180,
  /** Interrupt request register, first of 8 words (read-only). */
  IRR_BASE: 0x200,
  /** Error status register (write before read to latch). */
  ESR: 0x280,
  /** LVT corrected machine-check interrupt. */
  LVT_CMCI: 0x2f0,
  /** Interrupt command register bits 31:0 (a write sends the IPI). */
  ICR_LOW: 0x300,
  /** Interrupt command register bits 63:32 (destination). */
  ICR_HIGH: 0x310,
  /** LVT timer. */
  LVT_TIMER: 0x320,
  /** LVT thermal sensor. */
  LVT_THERMAL: 0x330,
  /** LVT performance monitoring counters. */
  LVT_PERF: 0x340,
  /** LVT LINT0 pin. */
  LVT_LINT0: 0x350,
  /** LVT LINT1 pin. */
  LVT_LINT1: 0x360,
  /** LVT error. */
  LVT_ERROR: 0x370,
  /** Timer initial count. */
  TIMER_INITIAL_COUNT: 0x380,
  /** Timer current count (read-only). */
  TIMER_CURRENT_COUNT: 0x390,
  /** Timer divide configuration. */
  TIMER_DIVIDE: 0x3e0,
} as const;

/** Default physical base of the xAPIC MMIO page (Intel SDM vol 3A §10.4.1). */
export const LAPIC_DEFAULT_BASE = 0xfee00000;
/** Size of the LAPIC MMIO window: one 4 KiB page (SDM vol 3A §10.4.1). */
export const LAPIC_MMIO_SIZE = 0x1000;
/** Distance between registers, and between the 8 words of ISR/TMR/IRR (SDM vol 3A table 10-1). */
export const LAPIC_VECTOR_REGISTER_STRIDE = 0x10;
/** Number of 32-bit words in ISR, TMR and IRR (256 vectors). */
export const LAPIC_VECTOR_REGISTER_WORDS = 8;

const BITS_PER_WORD_SHIFT = 5;
const BIT_IN_WORD_MASK = 31;

/** Offset of the ISR/TMR/IRR word holding `vector`, given the register's base offset. */
export function vectorRegisterOffset(base: number, vector: number): number {
  return base + (vector >>> BITS_PER_WORD_SHIFT) * LAPIC_VECTOR_REGISTER_STRIDE;
}

/** The bit for `vector` within its ISR/TMR/IRR word (unsigned). */
export function vectorRegisterBit(vector: number): number {
  return (1 << (vector & BIT_IN_WORD_MASK)) >>> 0;
}

/** Shift of the APIC ID in the xAPIC ID register, bits 31:24 (SDM vol 3A §10.4.6, fig. 10-6). */
export const LAPIC_ID_SHIFT = 24;
/** Width mask of an xAPIC ID (8 bits; SDM vol 3A §10.4.6). */
export const LAPIC_ID_MASK = 0xff;

/** The 8-bit xAPIC ID held in an ID register value. */
export function lapicIdFromRegister(value: number): number {
  return value >>> LAPIC_ID_SHIFT;
}

/** The ID register value for an 8-bit xAPIC ID. */
export function lapicIdRegister(apicId: number): number {
  return ((apicId & LAPIC_ID_MASK) << LAPIC_ID_SHIFT) >>> 0;
}

/** Version register fields (Intel SDM vol 3A §10.4.8, fig. 10-7). */
export const LAPIC_VERSION = {
  /** Version, bits 7:0: 0x10–0x15 for an integrated APIC. */
  VERSION_MASK: 0xff,
  /** Max LVT entry, bits 23:16: number of LVT entries minus 1. */
  MAX_LVT_MASK: 0xff0000,
  /** Shift of the max-LVT-entry field. */
  MAX_LVT_SHIFT: 16,
  /** Bit 24: EOI-broadcast suppression supported. */
  EOI_BROADCAST_SUPPRESSION: 0x1000000,
} as const;

/** Encodes a version register: `version` (bits 7:0), `maxLvtEntry` (bits 23:16), optional bit 24. */
export function encodeLapicVersion(
  version: number,
  maxLvtEntry: number,
  eoiBroadcastSuppression = false,
): number {
  const suppression = eoiBroadcastSuppression ? LAPIC_VERSION.EOI_BROADCAST_SUPPRESSION : 0;
  return (
    ((version & LAPIC_VERSION.VERSION_MASK) |
      ((maxLvtEntry << LAPIC_VERSION.MAX_LVT_SHIFT) & LAPIC_VERSION.MAX_LVT_MASK) |
      suppression) >>>
    0
  );
}

/** The version field (bits 7:0) of a version register value. */
export function lapicVersion(value: number): number {
  return value & LAPIC_VERSION.VERSION_MASK;
}

/** The max-LVT-entry field (bits 23:16) of a version register value: LVT count minus 1. */
export function lapicMaxLvtEntry(value: number): number {
  return (value & LAPIC_VERSION.MAX_LVT_MASK) >>> LAPIC_VERSION.MAX_LVT_SHIFT;
}

/** Spurious-interrupt vector register fields (Intel SDM vol 3A §10.9, fig. 10-23). */
export const SVR = {
  /** Spurious vector, bits 7:0. */
  VECTOR_MASK: 0xff,
  /** APIC software enable, bit 8: 0 = APIC software-disabled (all LVTs masked). */
  APIC_ENABLE: 0x100,
  /** Focus processor checking, bit 9: 1 = disabled. */
  FOCUS_CHECK_DISABLE: 0x200,
  /** Suppress EOI broadcasts, bit 12 (if the version register allows it). */
  EOI_BROADCAST_SUPPRESSION: 0x1000,
  /** Value after reset: vector 0xFF, APIC software-disabled. */
  RESET_VALUE: 0xff,
} as const;

/** Task-priority fields (Intel SDM vol 3A §10.8.3.1, fig. 10-18). */
export const TPR = {
  /** Priority class, bits 7:4: vectors of this class or lower are held pending. */
  CLASS_MASK: 0xf0,
  /** Priority sub-class, bits 3:0. */
  SUBCLASS_MASK: 0xf,
} as const;

/** Error status register bits (Intel SDM vol 3A §10.5.3, fig. 10-9). */
export const ESR = {
  /** Send checksum error (bit 0; P6/Pentium only). */
  SEND_CHECKSUM: 0x1,
  /** Receive checksum error (bit 1; P6/Pentium only). */
  RECEIVE_CHECKSUM: 0x2,
  /** Send accept error (bit 2; P6/Pentium only). */
  SEND_ACCEPT: 0x4,
  /** Receive accept error (bit 3; P6/Pentium only). */
  RECEIVE_ACCEPT: 0x8,
  /** Redirectable IPI (bit 4): lowest-priority IPI not supported. */
  REDIRECTABLE_IPI: 0x10,
  /** Send illegal vector (bit 5): an IPI with a vector below 16 was sent. */
  SEND_ILLEGAL_VECTOR: 0x20,
  /** Received illegal vector (bit 6): an interrupt with a vector below 16 arrived. */
  RECEIVE_ILLEGAL_VECTOR: 0x40,
  /** Illegal register address (bit 7). */
  ILLEGAL_REGISTER_ADDRESS: 0x80,
} as const;

/** Logical destination and destination format fields (Intel SDM vol 3A §10.6.2.2, fig. 10-13, 10-14). */
export const LOGICAL_DESTINATION = {
  /** Shift of the logical APIC ID in LDR (bits 31:24). */
  LDR_ID_SHIFT: 24,
  /** DFR model field, bits 31:28. */
  DFR_MODEL_MASK: 0xf0000000,
  /** DFR model value: flat model (0xF in bits 31:28). */
  DFR_MODEL_FLAT: 0xf0000000,
  /** DFR model value: cluster model (0 in bits 31:28). */
  DFR_MODEL_CLUSTER: 0,
  /** DFR after reset: flat model, reserved bits 27:0 all ones. */
  DFR_RESET_VALUE: 0xffffffff,
} as const;

/**
 * Timer divide-configuration register bits 0, 1 and 3 (bit 2 is 0) encoding
 * divisors 2, 4, ..., 128 and 1 (Intel SDM vol 3A §10.5.4, fig. 10-10).
 */
export const TIMER_DIVIDE = {
  /** The register bits that carry the encoding. */
  MASK: 0xb,
  /** Divide by 1. */
  BY_1: 0xb,
  /** Divide by 2 (reset value). */
  BY_2: 0x0,
  /** Divide by 4. */
  BY_4: 0x1,
  /** Divide by 8. */
  BY_8: 0x2,
  /** Divide by 16. */
  BY_16: 0x3,
  /** Divide by 32. */
  BY_32: 0x8,
  /** Divide by 64. */
  BY_64: 0x9,
  /** Divide by 128. */
  BY_128: 0xa,
} as const;

const DIVIDE_LOW_BITS = 0x3;
const DIVIDE_HIGH_BIT = 0x8;
const DIVIDE_HIGH_BIT_TO_CODE_SHIFT = 1;
const DIVIDE_CODE_BY_1 = 7;

/** The divisor (1, 2, 4, ..., 128) a divide-configuration register value selects; other bits are ignored. */
export function timerDivisor(divideConfig: number): number {
  const code =
    (divideConfig & DIVIDE_LOW_BITS) | ((divideConfig & DIVIDE_HIGH_BIT) >>> DIVIDE_HIGH_BIT_TO_CODE_SHIFT);
  return code === DIVIDE_CODE_BY_1 ? 1 : 2 << code;
}

/** The divide-configuration register value for `divisor` (1, 2, 4, ..., 128), or -1 for any other number. */
export function encodeTimerDivide(divisor: number): number {
  if (divisor === 1) return TIMER_DIVIDE.BY_1;
  for (let code = 0; code < DIVIDE_CODE_BY_1; code++) {
    if (2 << code === divisor) {
      return (code & DIVIDE_LOW_BITS) | ((code << DIVIDE_HIGH_BIT_TO_CODE_SHIFT) & DIVIDE_HIGH_BIT);
    }
  }
  return -1;
}
