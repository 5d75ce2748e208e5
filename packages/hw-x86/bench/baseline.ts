/**
 * The baseline of the benchmark's speed claims: another commit's emulator
 * (by default the previous commit, `HEAD~1`), built beside the working tree
 * and run in the same benchmark, so every "faster" is a ratio measured on
 * the same machine in the same minutes (DESIGN §5).
 *
 * How it is built: `git archive` of the baseline commit's `packages/hw-x86`
 * into a temporary folder (the repository is not touched: no worktree, no
 * checkout), then one esbuild bundle of that tree's `bench/emulated-child.ts`,
 * exactly as the current tree's child is bundled (bundled-mips.ts). npm
 * packages resolve from the current install (NODE_PATH). The child's
 * command line (`<binary> <warmups> <repeats> [args]`, one JSON line out) is
 * the contract between the two trees; a baseline without it fails with a
 * reason, never a figure.
 *
 * Environment: TSOS_BENCH_BASELINE = a git revision (default `HEAD~1`), or
 * `none` to skip the comparison.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleChild } from "./bundled-mips";

/** A bundled baseline child, or why there is none. */
export type Baseline =
  | { readonly ok: true; readonly revision: string; readonly commit: string; readonly bundle: string }
  | { readonly ok: false; readonly revision: string; readonly reason: string };

/** The revision to compare against (TSOS_BENCH_BASELINE), or undefined when the comparison is off. */
export function baselineRevision(): string | undefined {
  const revision = process.env.TSOS_BENCH_BASELINE ?? "HEAD~1";
  return revision === "none" ? undefined : revision;
}

function git(
  cwd: string,
  args: readonly string[],
): { ok: true; out: string } | { ok: false; reason: string } {
  const run = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  if (run.error) return { ok: false, reason: `git: ${run.error.message}` };
  if (run.status !== 0) return { ok: false, reason: `git ${args[0]}: ${run.stderr.trim().split("\n")[0]}` };
  return { ok: true, out: run.stdout.trim() };
}

/** Extracts and bundles the baseline `revision` of the package at `packageDir`. */
export function prepareBaseline(packageDir: string, revision: string): Baseline {
  const top = git(packageDir, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) return { ok: false, revision, reason: top.reason };
  const commit = git(top.out, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
  if (!commit.ok) return { ok: false, revision, reason: `no commit ${revision} in this clone` };
  const folder = mkdtempSync(join(tmpdir(), "tsos-hw-x86-baseline-"));
  const relative = packageDir.slice(top.out.length + 1);
  const archive = spawnSync(
    "sh",
    ["-c", `git archive --format=tar "$1" "$2" | tar -x -C "$3"`, "sh", commit.out, relative, folder],
    { cwd: top.out, encoding: "utf8" },
  );
  if (archive.status !== 0)
    return { ok: false, revision, reason: `git archive failed: ${archive.stderr.trim()}` };
  const baselineDir = join(folder, relative);
  if (!existsSync(join(baselineDir, "bench", "emulated-child.ts"))) {
    return { ok: false, revision, reason: `${revision} has no bench/emulated-child.ts` };
  }
  const nodeModules = join(top.out, "node_modules");
  const bundled = bundleChild(baselineDir, {
    esbuildFrom: packageDir,
    nodePath: [join(packageDir, "node_modules"), nodeModules],
  });
  if ("reason" in bundled) return { ok: false, revision, reason: bundled.reason };
  return { ok: true, revision, commit: commit.out.slice(0, 12), bundle: bundled.path };
}
