#!/usr/bin/env node
// Collects each workspace member's coverage/coverage-summary.json (written by
// `vitest run --coverage` in that member) into one Markdown table on stdout.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const rows = [];
for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(join(root, group))) {
    const file = join(root, group, name, "coverage", "coverage-summary.json");
    if (!existsSync(file)) continue;
    const total = JSON.parse(readFileSync(file, "utf8")).total;
    rows.push([
      `${group}/${name}`,
      total.lines.pct,
      total.statements.pct,
      total.functions.pct,
      total.branches.pct,
    ]);
  }
}
if (rows.length === 0) {
  console.error("coverage-summary: no coverage/coverage-summary.json found; run `pnpm test:coverage`");
  process.exit(1);
}
const fmt = (pct) => (typeof pct === "number" ? `${pct.toFixed(1)} %` : "n/a");
console.log("| package | lines | statements | functions | branches |");
console.log("|---|---:|---:|---:|---:|");
for (const [name, ...pcts] of rows) console.log(`| ${name} | ${pcts.map(fmt).join(" | ")} |`);
