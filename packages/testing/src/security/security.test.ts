import { describe, expect, it } from "vitest";
import { type AttackCase, defineAttack } from "./attack-case";
import { formatSecurityReport, securityReportJson } from "./security-report";
import { runAttack, runSecurityCases, securityScore } from "./security-runner";

/** A synthetic "kernel" with a bounded copy: safe when it checks the length, vulnerable when not. */
function makeCopy(checked: boolean) {
  const buffer = new Uint8Array(16);
  return (length: number): number => {
    if (checked && (length < 0 || length > buffer.length)) return -22; // -EINVAL
    return length;
  };
}

const overflow = (checked: boolean) =>
  defineAttack({
    id: `copy/overlong-${checked ? "checked" : "unchecked"}`,
    title: "copy longer than the buffer",
    category: "buffer-overflow",
    cwe: 787,
    severity: "critical",
    attack: () => makeCopy(checked)(4096),
    isSafe: (result) => result === -22,
    expected: "returns -EINVAL, copies nothing",
  });

const lowCase: AttackCase<boolean> = {
  id: "flags/unknown-bit",
  title: "unknown flag bit accepted",
  category: "input-validation",
  cwe: 20,
  severity: "low",
  attack: () => true,
  isSafe: (accepted) => !accepted,
  expected: "unknown flags rejected",
  recommendation: "Reject flags outside the documented mask.",
};

describe("runSecurityCases", () => {
  it("scores a severity-weighted pass fraction and recommends fixes for failures", async () => {
    const report = await runSecurityCases([overflow(true), overflow(false), lowCase]);
    expect(report.findings.map((finding) => finding.status)).toEqual(["safe", "vulnerable", "vulnerable"]);
    // weights: critical 10 safe, critical 10 vulnerable, low 1 vulnerable → 10 / 21.
    expect(report.score).toBeCloseTo((100 * 10) / 21, 10);
    expect(report.byCategory["buffer-overflow"]).toEqual({ safe: 1, total: 2 });
    expect(report.recommendations.map((recommendation) => recommendation.id)).toEqual([
      "copy/overlong-unchecked",
      "flags/unknown-bit",
    ]);
    expect(report.recommendations[1]!.text).toBe("Reject flags outside the documented mask.");
    expect(report.recommendations[0]!.text).toMatch(/Bound every copy/);
    const markdown = formatSecurityReport(report);
    expect(markdown).toContain("Security score: 47.6 / 100");
    expect(markdown).toContain("[CWE-787](https://cwe.mitre.org/data/definitions/787.html)");
    expect(JSON.parse(securityReportJson(report)).findings).toHaveLength(3);
  });

  it("treats a thrown exception, a rejection and a timeout as errors", async () => {
    const base = {
      category: "access-control",
      cwe: 284,
      severity: "high",
      isSafe: () => true,
      expected: "no crash",
    } as const;
    const thrown = await runAttack({
      ...base,
      id: "t",
      title: "throws",
      attack: () => {
        throw new TypeError("host crash");
      },
    });
    expect(thrown).toMatchObject({ status: "error", error: "TypeError: host crash" });
    const hung = await runAttack(
      { ...base, id: "h", title: "hangs", attack: () => new Promise(() => {}) },
      { timeoutMs: 20 },
    );
    expect(hung.error).toMatch(/timed out/);
    expect(securityScore([thrown, hung])).toBe(0);
  });

  it("renders bigint outcomes, scores an empty catalog 100 and rejects duplicate ids", async () => {
    const finding = await runAttack({ ...lowCase, id: "big", attack: () => false, isSafe: () => true });
    expect(finding.outcome).toBe("false");
    const big = await runAttack(
      defineAttack({ ...lowCase, id: "b", attack: () => 5n, isSafe: (value) => value === 5n }),
    );
    expect([big.status, big.outcome]).toEqual(["safe", "5n"]);
    expect((await runSecurityCases([])).score).toBe(100);
    await expect(runSecurityCases([lowCase, lowCase])).rejects.toThrow(/duplicate/);
  });
});
