/**
 * The same emulated run measured in two fresh child processes: the
 * TypeScript sources loaded through tsx (what `pnpm bench` does in-process)
 * and one esbuild bundle of them (what a built package would run). tsx
 * transforms every module on load and keeps its loader hooks installed, so
 * the bundled figure is the fairer "how fast is the interpreter" number;
 * both are reported so neither flatters.
 *
 * Invariants:
 * - Children alternate (tsx, bundle, tsx, bundle, ...) so drift on the
 *   shared machine hits both alike.
 * - Every timed run is checked by the caller against the expectation; a
 *   child that fails to start, or prints no JSON, is a failure value with
 *   its reason, never a figure.
 * - The bundle is written to the OS temporary folder, never into the tree.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { EmulatedOutcome, EmulationMode } from "./guest-process";

/** Timed runs from the two kinds of child process, or why there are none. */
export type ChildRuns =
  | { readonly ok: true; readonly tsx: EmulatedOutcome[]; readonly bundled: EmulatedOutcome[] }
  | { readonly ok: false; readonly reason: string };

/** What to run in the children. */
export interface ChildRunPlan {
  /** Folder of the package (holds `bench/emulated-child.ts`). */
  readonly packageDir: string;
  /** Absolute path of the guest binary. */
  readonly binaryPath: string;
  /** argv[1..] of the guest. */
  readonly args: readonly string[];
  /** Untimed runs at the start of each child (JIT warm-up). */
  readonly warmups: number;
  /** Timed runs per child. */
  readonly repeats: number;
  /** Children of each kind, alternated. */
  readonly childrenPerKind: number;
}

/** Finds `node_modules/.bin/<tool>` in `start` or an ancestor folder. */
function findBin(start: string, tool: string): string | undefined {
  for (let folder = start; ; folder = dirname(folder)) {
    const candidate = join(folder, "node_modules", ".bin", tool);
    if (existsSync(candidate)) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
}

/** Where esbuild and npm packages come from when the tree being bundled has no install (a baseline). */
export interface BundleFrom {
  /** Folder whose node_modules/.bin (or an ancestor's) holds esbuild. */
  readonly esbuildFrom: string;
  /** Extra module folders for bare imports (NODE_PATH). */
  readonly nodePath: readonly string[];
}

/** Bundles `packageDir`'s child entry with esbuild; returns the bundle's path or why it failed. */
export function bundleChild(packageDir: string, from?: BundleFrom): { path: string } | { reason: string } {
  const esbuild = findBin(from?.esbuildFrom ?? packageDir, "esbuild");
  if (!esbuild) return { reason: "no node_modules/.bin/esbuild found" };
  const outfile = join(mkdtempSync(join(tmpdir(), "tsos-hw-x86-bench-")), "emulated-child.mjs");
  const build = spawnSync(
    esbuild,
    [
      join(packageDir, "bench", "emulated-child.ts"),
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--target=node20",
      "--conditions=@tsos/source",
      "--log-level=error",
      `--outfile=${outfile}`,
    ],
    {
      encoding: "utf8",
      env: from === undefined ? process.env : { ...process.env, NODE_PATH: from.nodePath.join(":") },
    },
  );
  if (build.status !== 0) return { reason: `esbuild failed: ${build.error?.message ?? build.stderr.trim()}` };
  return { path: outfile };
}

/** Runs one child (`mode` in TSOS_BENCH_MODE); returns its timed runs or why there are none. */
export function runChild(
  command: string,
  prefix: readonly string[],
  plan: ChildRunPlan,
  mode: EmulationMode = "blocks",
): EmulatedOutcome[] | string {
  const argv = [...prefix, plan.binaryPath, String(plan.warmups), String(plan.repeats), ...plan.args];
  const child = spawnSync(command, argv, {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: { ...process.env, TSOS_BENCH_MODE: mode },
  });
  if (child.error) return `${command}: ${child.error.message}`;
  if (child.status !== 0) return `${command} exited ${child.status}: ${child.stderr.trim().slice(-300)}`;
  const line = child.stdout.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(line) as { runs?: EmulatedOutcome[] };
    if (!Array.isArray(parsed.runs)) return `${command}: no runs in output`;
    return parsed.runs;
  } catch {
    return `${command}: output is not JSON: ${line.slice(0, 200)}`;
  }
}

/** Measures the plan in alternating tsx and bundled children. */
export function measureChildren(plan: ChildRunPlan): ChildRuns {
  const tsx = findBin(plan.packageDir, "tsx");
  if (!tsx) return { ok: false, reason: "no node_modules/.bin/tsx found" };
  const bundle = bundleChild(plan.packageDir);
  if ("reason" in bundle) return { ok: false, reason: bundle.reason };
  const entry = join(plan.packageDir, "bench", "emulated-child.ts");
  const tsxRuns: EmulatedOutcome[] = [];
  const bundledRuns: EmulatedOutcome[] = [];
  for (let child = 0; child < plan.childrenPerKind; child++) {
    const viaTsx = runChild(tsx, ["--conditions=@tsos/source", entry], plan);
    if (typeof viaTsx === "string") return { ok: false, reason: viaTsx };
    tsxRuns.push(...viaTsx);
    const bundled = runChild(process.execPath, [bundle.path], plan);
    if (typeof bundled === "string") return { ok: false, reason: bundled };
    bundledRuns.push(...bundled);
  }
  return { ok: true, tsx: tsxRuns, bundled: bundledRuns };
}
