/**
 * JSON and Markdown forms of a security report. The Markdown lists the
 * score and its formula, a per-category summary, every finding, and the
 * recommendations with links to their CWE entries.
 */
import { SECURITY_CATEGORIES } from "./attack-case";
import type { SecurityReport } from "./security-runner";

/** The report as pretty JSON. */
export function securityReportJson(report: SecurityReport): string {
  return JSON.stringify(report, null, 2);
}

function cell(text: string | undefined): string {
  return (text ?? "").replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The report as Markdown. */
export function formatSecurityReport(report: SecurityReport): string {
  const lines = [
    `## Security score: ${report.score.toFixed(1)} / 100`,
    "",
    `${report.safe} safe, ${report.vulnerable} vulnerable, ${report.errors} errors of ${report.total} cases. ` +
      "Score = 100 × Σ weight(safe) / Σ weight(all), weights critical 10, high 5, medium 2, low 1.",
    "",
    "| category | safe / total |",
    "|---|---:|",
    ...SECURITY_CATEGORIES.filter((category) => report.byCategory[category].total > 0).map(
      (category) =>
        `| ${category} | ${report.byCategory[category].safe} / ${report.byCategory[category].total} |`,
    ),
    "",
    "| id | title | severity | CWE | status | expected | outcome |",
    "|---|---|---|---|---|---|---|",
    ...report.findings.map(
      (finding) =>
        `| ${cell(finding.id)} | ${cell(finding.title)} | ${finding.severity} | CWE-${finding.cwe} | ${
          finding.status === "safe" ? "safe" : `**${finding.status}**`
        } | ${cell(finding.expected)} | ${cell(finding.outcome ?? finding.error)} |`,
    ),
  ];
  if (report.recommendations.length > 0) {
    lines.push("", "### Recommendations", "");
    for (const recommendation of report.recommendations) {
      lines.push(
        `- **${recommendation.id}** (${recommendation.severity}, [CWE-${recommendation.cwe}](https://cwe.mitre.org/data/definitions/${recommendation.cwe}.html)): ${recommendation.text}`,
      );
    }
  }
  return lines.join("\n");
}
