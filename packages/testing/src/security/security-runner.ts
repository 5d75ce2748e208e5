/**
 * Runs a catalog of attack cases and scores the result.
 *
 * Each case ends in one of three statuses:
 * - `safe`: the attack returned and `isSafe(outcome)` held;
 * - `vulnerable`: the attack returned and `isSafe(outcome)` did not hold;
 * - `error`: the attack threw, rejected, timed out or `isSafe` threw
 *   (a host exception is itself a finding, DESIGN §7).
 *
 * Score (stated in the README): severity-weighted pass fraction × 100,
 *   score = 100 × Σ weight(safe cases) / Σ weight(all cases),
 * with weights critical 10, high 5, medium 2, low 1; 100 for an empty
 * catalog. Every non-safe case yields a recommendation (the case's own, or
 * its category's), ordered by severity.
 */
import {
  type AttackCase,
  CATEGORY_RECOMMENDATION,
  SECURITY_CATEGORIES,
  SEVERITY_WEIGHT,
  type SecurityCategory,
  type Severity,
} from "./attack-case";

/** Outcome of one case. */
export type FindingStatus = "safe" | "vulnerable" | "error";

/** What running one case found. */
export interface SecurityFinding {
  readonly id: string;
  readonly title: string;
  readonly category: SecurityCategory;
  readonly cwe: number;
  readonly severity: Severity;
  readonly status: FindingStatus;
  /** The expected safe outcome, in words. */
  readonly expected: string;
  /** The outcome the attack produced, rendered as text (absent on error). */
  readonly outcome?: string;
  /** The error message for `error`. */
  readonly error?: string;
  readonly durationMs: number;
}

/** A recommendation for a non-safe case. */
export interface SecurityRecommendation {
  readonly id: string;
  readonly severity: Severity;
  readonly cwe: number;
  readonly text: string;
}

/** The result of a catalog run. */
export interface SecurityReport {
  readonly date: string;
  readonly total: number;
  readonly safe: number;
  readonly vulnerable: number;
  readonly errors: number;
  /** Severity-weighted pass fraction × 100 (see the file comment). */
  readonly score: number;
  readonly byCategory: Readonly<Record<SecurityCategory, { readonly safe: number; readonly total: number }>>;
  readonly findings: readonly SecurityFinding[];
  /** One per non-safe case, most severe first. */
  readonly recommendations: readonly SecurityRecommendation[];
}

/** Options of {@link runSecurityCases}. */
export interface SecurityRunOptions {
  /** Per-case time limit in ms for asynchronous attacks (default 10000). */
  readonly timeoutMs?: number;
}

const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "medium", "low"];

/** The score of a set of findings: 100 × Σ weight(safe) / Σ weight(all); 100 when empty. */
export function securityScore(findings: readonly Pick<SecurityFinding, "severity" | "status">[]): number {
  let total = 0;
  let safe = 0;
  for (const finding of findings) {
    const weight = SEVERITY_WEIGHT[finding.severity];
    total += weight;
    if (finding.status === "safe") safe += weight;
  }
  return total === 0 ? 100 : (100 * safe) / total;
}

function render(outcome: unknown): string {
  if (typeof outcome === "bigint") return `${outcome}n`;
  try {
    const text = JSON.stringify(outcome, (_key, value) => (typeof value === "bigint" ? `${value}n` : value));
    return text === undefined ? String(outcome) : text;
  } catch {
    return String(outcome);
  }
}

function withTimeout<T>(value: T | Promise<T>, timeoutMs: number): Promise<T> {
  if (!(value instanceof Promise)) return Promise.resolve(value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([value, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one case. Never throws. */
export async function runAttack<Outcome>(
  attackCase: AttackCase<Outcome>,
  options: SecurityRunOptions = {},
): Promise<SecurityFinding> {
  const { id, title, category, cwe, severity, expected } = attackCase;
  const base = { id, title, category, cwe, severity, expected };
  const started = performance.now();
  try {
    const outcome = await withTimeout(attackCase.attack(), options.timeoutMs ?? 10_000);
    const status: FindingStatus = attackCase.isSafe(outcome) ? "safe" : "vulnerable";
    return { ...base, status, outcome: render(outcome), durationMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, status: "error", error: message, durationMs: performance.now() - started };
  }
}

/** Runs every case in order (one at a time: attacks may share state) and builds the report. Throws `RangeError` on duplicate ids. */
export async function runSecurityCases(
  cases: readonly AttackCase<unknown>[],
  options: SecurityRunOptions = {},
): Promise<SecurityReport> {
  const seen = new Set<string>();
  const findings: SecurityFinding[] = [];
  for (const attackCase of cases) {
    if (seen.has(attackCase.id)) throw new RangeError(`runSecurityCases: duplicate case id ${attackCase.id}`);
    seen.add(attackCase.id);
    findings.push(await runAttack(attackCase, options));
  }
  const byCategory = Object.fromEntries(
    SECURITY_CATEGORIES.map((category) => [category, { safe: 0, total: 0 }]),
  ) as Record<SecurityCategory, { safe: number; total: number }>;
  for (const finding of findings) {
    byCategory[finding.category].total++;
    if (finding.status === "safe") byCategory[finding.category].safe++;
  }
  const byId = new Map(cases.map((attackCase) => [attackCase.id, attackCase]));
  const recommendations = findings
    .filter((finding) => finding.status !== "safe")
    .sort((left, right) => SEVERITY_ORDER.indexOf(left.severity) - SEVERITY_ORDER.indexOf(right.severity))
    .map((finding) => ({
      id: finding.id,
      severity: finding.severity,
      cwe: finding.cwe,
      text: byId.get(finding.id)?.recommendation ?? CATEGORY_RECOMMENDATION[finding.category],
    }));
  return {
    date: new Date().toISOString(),
    total: findings.length,
    safe: findings.filter((finding) => finding.status === "safe").length,
    vulnerable: findings.filter((finding) => finding.status === "vulnerable").length,
    errors: findings.filter((finding) => finding.status === "error").length,
    score: securityScore(findings),
    byCategory,
    findings,
    recommendations,
  };
}
