/**
 * The catalog type for security test cases. The catalog itself is filled by
 * the packages that own the attacked code (`syscall` for argument
 * validation, `mm` for address-space isolation, ...); this package runs it.
 *
 * A case is an attack (a function that tries the bad thing and returns what
 * happened) and a predicate saying whether what happened is the expected
 * SAFE outcome. Expected failures are values: an attack reports `-EFAULT`,
 * `#GP`, `NO_FRAME` as its outcome. An attack that THROWS is a finding of
 * its own: DESIGN §7 says nothing a guest does may raise a host exception.
 */

/** Attack categories. */
export type SecurityCategory =
  | "privilege-escalation"
  | "buffer-overflow"
  | "resource-exhaustion"
  | "access-control"
  | "input-validation";

/** Every category, in report order. */
export const SECURITY_CATEGORIES: readonly SecurityCategory[] = [
  "privilege-escalation",
  "buffer-overflow",
  "resource-exhaustion",
  "access-control",
  "input-validation",
];

/** Severity of a successful attack. */
export type Severity = "critical" | "high" | "medium" | "low";

/** Weight of each severity in the score (see {@link securityScore}). */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = {
  critical: 10,
  high: 5,
  medium: 2,
  low: 1,
};

/** One attack and its expected safe outcome. */
export interface AttackCase<Outcome = unknown> {
  /** Stable id, e.g. `syscall/read-kernel-pointer`. */
  readonly id: string;
  readonly title: string;
  readonly category: SecurityCategory;
  /** CWE number (https://cwe.mitre.org), e.g. 787 for an out-of-bounds write. */
  readonly cwe: number;
  readonly severity: Severity;
  /** Tries the attack; returns (or resolves to) what happened. */
  readonly attack: () => Outcome | Promise<Outcome>;
  /**
   * True when `outcome` is the expected safe outcome. (Method syntax on
   * purpose: a catalog mixes outcome types, and `AttackCase<number>` must be
   * usable as an `AttackCase<unknown>`.)
   */
  isSafe(outcome: Outcome): boolean;
  /** The safe outcome in words, e.g. "read returns -EFAULT and copies nothing". */
  readonly expected: string;
  /** What to fix when the case fails (a default per category is used when absent). */
  readonly recommendation?: string;
}

/** Identity helper that infers `Outcome` for a case literal. */
export function defineAttack<Outcome>(attackCase: AttackCase<Outcome>): AttackCase<Outcome> {
  return attackCase;
}

/** Default recommendations per category (used when a case gives none). */
export const CATEGORY_RECOMMENDATION: Readonly<Record<SecurityCategory, string>> = {
  "privilege-escalation":
    "Check the caller's privilege (CPL, task credentials) before acting, and never let user-controlled values reach privileged state (MSRs, CR3, page-table U/S bits).",
  "buffer-overflow":
    "Bound every copy by the destination's size; validate lengths against the buffer before indexing; use typed-array subarray bounds rather than raw offsets.",
  "resource-exhaustion":
    "Cap per-task resources (frames, descriptors, queue entries), return ENOMEM/EAGAIN when a cap is reached, and release everything on every error path.",
  "access-control":
    "Check the object's owner and permission bits on every access, not only on open; re-validate after a blocking wait.",
  "input-validation":
    "Validate every guest-supplied value (pointer range and canonicality, flags against the known set, lengths, signedness) and return -EINVAL/-EFAULT as a value.",
};
