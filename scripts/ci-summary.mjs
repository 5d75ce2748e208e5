#!/usr/bin/env node
// Reads vitest's JSON report and prints the plain closing line CI reads:
// `N passed, N failed`, exactly, as the last line (skipped tests are counted
// on the line before it, so the closing line keeps its fixed form).
// Exits non-zero when the report is missing, when any test failed, or when no
// test ran at all.
import { existsSync, readFileSync } from "node:fs";

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error(`ci-summary: vitest report not found: ${file ?? "(no path given)"}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, "utf8"));
const passed = report.numPassedTests ?? 0;
// A test file that failed to load has no assertions of its own: count it once.
const brokenFiles = (report.testResults ?? []).filter(
  (file) => file.status === "failed" && (file.assertionResults ?? []).length === 0,
).length;
const failed = (report.numFailedTests ?? 0) + brokenFiles;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
