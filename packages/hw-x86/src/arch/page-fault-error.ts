/**
 * The error code the CPU pushes with a page fault (#PF, vector 14), with
 * encode/decode helpers. The emulated MMU builds it with
 * {@link encodePageFaultError} (or by OR-ing {@link PF_ERROR} bits) and the
 * kernel's fault handler reads it.
 *
 * Invariants: the code is a uint32 with only the bits below defined; bits
 * 14:7 and 31:16 are reserved and 0 on every fault this project produces.
 *
 * Source: Intel SDM vol 3A §4.7 (page-fault exceptions, fig. 4-12) and §6.15
 * (interrupt 14).
 */

/** #PF error-code bits (Intel SDM vol 3A §4.7, fig. 4-12). */
export const PF_ERROR = {
  /** P (bit 0): 0 = the page was not present; 1 = a protection violation on a present page. */
  P: 0x1,
  /** W/R (bit 1): the access was a write (0 = read). */
  W: 0x2,
  /** U/S (bit 2): the access was a user-mode access (CPL 3). */
  U: 0x4,
  /** RSVD (bit 3): a paging entry had a reserved bit set. */
  RSVD: 0x8,
  /** I/D (bit 4): the access was an instruction fetch (reported when NX or SMEP is in effect). */
  I: 0x10,
  /** PK (bit 5): a protection-key right (PKRU / PKRS) denied the access. */
  PK: 0x20,
  /** SS (bit 6): the access was a shadow-stack access. */
  SS: 0x40,
  /** HLAT (bit 7): the fault occurred during HLAT paging. */
  HLAT: 0x80,
  /** SGX (bit 15): the fault resulted from an SGX access-control violation. */
  SGX: 0x8000,
} as const;

/** Bits of a #PF error code the SDM defines; all others are reserved (fig. 4-12). */
export const PF_ERROR_DEFINED_MASK =
  PF_ERROR.P |
  PF_ERROR.W |
  PF_ERROR.U |
  PF_ERROR.RSVD |
  PF_ERROR.I |
  PF_ERROR.PK |
  PF_ERROR.SS |
  PF_ERROR.HLAT |
  PF_ERROR.SGX;

/** A #PF error code as named booleans (see {@link decodePageFaultError}). */
export interface PageFaultError {
  /** The page was present: a protection violation rather than a missing page. */
  readonly protectionViolation: boolean;
  /** The faulting access was a write. */
  readonly write: boolean;
  /** The faulting access was made at CPL 3. */
  readonly user: boolean;
  /** A paging entry had a reserved bit set. */
  readonly reservedBit: boolean;
  /** The faulting access was an instruction fetch. */
  readonly instructionFetch: boolean;
  /** A protection key denied the access. */
  readonly protectionKey: boolean;
  /** A shadow-stack access faulted. */
  readonly shadowStack: boolean;
  /** The fault occurred during HLAT paging. */
  readonly hlat: boolean;
  /** An SGX access-control violation. */
  readonly sgx: boolean;
}

/** Decodes a #PF error code (cold path: allocates). Reserved bits are dropped. */
export function decodePageFaultError(code: number): PageFaultError {
  return {
    protectionViolation: (code & PF_ERROR.P) !== 0,
    write: (code & PF_ERROR.W) !== 0,
    user: (code & PF_ERROR.U) !== 0,
    reservedBit: (code & PF_ERROR.RSVD) !== 0,
    instructionFetch: (code & PF_ERROR.I) !== 0,
    protectionKey: (code & PF_ERROR.PK) !== 0,
    shadowStack: (code & PF_ERROR.SS) !== 0,
    hlat: (code & PF_ERROR.HLAT) !== 0,
    sgx: (code & PF_ERROR.SGX) !== 0,
  };
}

/** Encodes a #PF error code from named booleans; missing fields count as false. Inverse of {@link decodePageFaultError}. */
export function encodePageFaultError(fields: Partial<PageFaultError>): number {
  let code = 0;
  if (fields.protectionViolation) code |= PF_ERROR.P;
  if (fields.write) code |= PF_ERROR.W;
  if (fields.user) code |= PF_ERROR.U;
  if (fields.reservedBit) code |= PF_ERROR.RSVD;
  if (fields.instructionFetch) code |= PF_ERROR.I;
  if (fields.protectionKey) code |= PF_ERROR.PK;
  if (fields.shadowStack) code |= PF_ERROR.SS;
  if (fields.hlat) code |= PF_ERROR.HLAT;
  if (fields.sgx) code |= PF_ERROR.SGX;
  return code;
}

/**
 * The error code for the common fault kinds, allocation-free: `present`
 * (protection violation vs missing page), `write`, `user`, `fetch`
 * (instruction fetch), `reserved` (reserved bit set in an entry; the SDM
 * sets P with RSVD since the entry was present).
 */
export function pageFaultErrorCode(
  present: boolean,
  write: boolean,
  user: boolean,
  fetch: boolean,
  reserved: boolean,
): number {
  return (
    (present || reserved ? PF_ERROR.P : 0) |
    (write ? PF_ERROR.W : 0) |
    (user ? PF_ERROR.U : 0) |
    (fetch ? PF_ERROR.I : 0) |
    (reserved ? PF_ERROR.RSVD : 0)
  );
}

/** Debug text for an error code, e.g. `"#PF(P W U)"` or `"#PF(not-present R S)"` (cold path). */
export function formatPageFaultError(code: number): string {
  const parts = [
    (code & PF_ERROR.P) !== 0 ? "P" : "not-present",
    (code & PF_ERROR.W) !== 0 ? "W" : "R",
    (code & PF_ERROR.U) !== 0 ? "U" : "S",
  ];
  if ((code & PF_ERROR.RSVD) !== 0) parts.push("RSVD");
  if ((code & PF_ERROR.I) !== 0) parts.push("I");
  if ((code & PF_ERROR.PK) !== 0) parts.push("PK");
  if ((code & PF_ERROR.SS) !== 0) parts.push("SS");
  if ((code & PF_ERROR.HLAT) !== 0) parts.push("HLAT");
  if ((code & PF_ERROR.SGX) !== 0) parts.push("SGX");
  return `#PF(${parts.join(" ")})`;
}
