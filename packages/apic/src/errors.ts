/**
 * Expected failures of `@tsos/apic`, as values.
 *
 * Invariants:
 * - Cold paths (availability checks, bring-up, calibration, routing, AP
 *   start-up) return an {@link ApicResult}: `{ ok: true, value }` or
 *   `{ ok: false, error }` with a stable {@link ApicErrorCode} and a message
 *   a person can act on.
 * - Hot paths (EOI, IPIs, mask/unmask, dispatch) allocate nothing and report
 *   failure as `false` plus a counter; they never build an error object.
 * - A thrown exception from this package means a bug in its caller (a CPU
 *   count of 0, a statistics buffer that is too small), never hardware state.
 */

/** Stable error codes of {@link ApicError}. */
export const APIC_ERROR = {
  /** CPUID.01H:EDX.APIC[bit 9] is clear: there is no local APIC to drive. */
  NO_APIC: "no-apic",
  /** CPUID.01H:ECX.TSC_Deadline[bit 24] is clear: TSC-deadline timer mode is unavailable. */
  NO_TSC_DEADLINE: "no-tsc-deadline",
  /** CPUID.01H:ECX.x2APIC[bit 21] is clear. */
  NO_X2APIC: "no-x2apic",
  /** The LAPIC page reads all-ones (globally disabled, in x2APIC mode, or not mapped). */
  LAPIC_NOT_RESPONDING: "lapic-not-responding",
  /** The IOAPIC window reads all-ones or announces no redirection entries. */
  IOAPIC_NOT_RESPONDING: "ioapic-not-responding",
  /** The ICR kept its delivery-status bit set for the whole poll bound. */
  ICR_BUSY: "icr-busy",
  /** PIT channel 2 never reached terminal count within the poll bound. */
  CALIBRATION_TIMEOUT: "calibration-timeout",
  /** The LAPIC timer ran out (or did not count) during the PIT interval. */
  CALIBRATION_OUT_OF_RANGE: "calibration-out-of-range",
  /** A vector outside the range the operation accepts. */
  INVALID_VECTOR: "invalid-vector",
  /** A timer divisor other than 1, 2, 4, ..., 128, or a count that does not fit 32 bits. */
  INVALID_TIMER_SETTING: "invalid-timer-setting",
  /** An IRQ / GSI no IOAPIC of this machine serves. */
  UNKNOWN_IRQ: "unknown-irq",
  /** A CPU id or APIC ID outside the machine. */
  UNKNOWN_CPU: "unknown-cpu",
  /** A SIPI start address that is not a 4 KiB page below 1 MiB, or a reserved page (0xA0–0xBF). */
  INVALID_START_ADDRESS: "invalid-start-address",
  /** `wrmsr` was refused (#GP on hardware). */
  MSR_REFUSED: "msr-refused",
} as const;

/** One of the {@link APIC_ERROR} codes. */
export type ApicErrorCode = (typeof APIC_ERROR)[keyof typeof APIC_ERROR];

/** An expected failure: a stable code and a human-readable message. */
export interface ApicError {
  /** Machine-readable cause. */
  readonly code: ApicErrorCode;
  /** What went wrong and, where it helps, what to do about it. */
  readonly message: string;
}

/** The outcome of a cold-path operation that can fail in an expected way. */
export type ApicResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ApicError };

/** A successful {@link ApicResult}. */
export function apicOk<T>(value: T): ApicResult<T> {
  return { ok: true, value };
}

/** A failed {@link ApicResult} with `code` and `message`. */
export function apicFail<T>(code: ApicErrorCode, message: string): ApicResult<T> {
  return { ok: false, error: { code, message } };
}

/** Formats a number as `0x…` for error messages. */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}
