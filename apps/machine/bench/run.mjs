// `pnpm bench` for @tsos/machine: bundles bench/index.ts with esbuild (the
// @tsos/source condition: the packages' TypeScript, no build needed) and runs
// the bundle from this folder, so the figures are for one optimised module
// graph, as the shipped CLI runs.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
let esbuild;
for (let folder = packageDir; ; folder = dirname(folder)) {
  const candidate = join(folder, "node_modules", ".bin", "esbuild");
  if (existsSync(candidate)) {
    esbuild = candidate;
    break;
  }
  if (dirname(folder) === folder) break;
}
if (esbuild === undefined) {
  console.error("bench: no node_modules/.bin/esbuild (run pnpm install)");
  process.exit(1);
}
const out = join(packageDir, "bench", ".bundle", "index.mjs");
mkdirSync(dirname(out), { recursive: true });
const built = spawnSync(
  esbuild,
  [
    join(packageDir, "bench", "index.ts"),
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--target=node20",
    "--conditions=@tsos/source",
    "--log-level=error",
    `--outfile=${out}`,
  ],
  { stdio: "inherit" },
);
if (built.status !== 0) process.exit(built.status ?? 1);
const run = spawnSync(process.execPath, [out], { stdio: "inherit", cwd: packageDir, env: process.env });
process.exit(run.status ?? 1);
