/**
 * The round-trip benchmark's rounds: child processes running esbuild
 * bundles of roundtrip-child.ts — the package as built (trace hook in,
 * tracer off) and a build with the trace hook compiled out
 * (`--define:TSOS_SYSCALL_TRACE_HOOK=false`) — and, for the native anchor,
 * the same guest binary run natively with `count` and with 0 calls (the
 * difference over `count` is the per-call cost without process start-up).
 *
 * Invariants: in every round each variant runs once, the order rotating by
 * round; a child that fails or prints no JSON makes the whole benchmark
 * report the failure instead of a figure; bundles go to the OS temporary
 * folder.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { guestPath } from "./roundtrip-guest";

/** One variant of the round trip. */
export interface RoundTripVariant {
  /** Result name suffix. */
  readonly name: string;
  /** Which bundle. */
  readonly build: "shipped" | "no-trace-hook";
  /** roundtrip-child's variant argument. */
  readonly mode: "blocks" | "in-block" | "interpreter";
  /** getpid calls per run. */
  readonly calls: number;
}

function findBin(start: string, tool: string): string | undefined {
  for (let folder = start; ; folder = dirname(folder)) {
    const candidate = join(folder, "node_modules", ".bin", tool);
    if (existsSync(candidate)) return candidate;
    if (dirname(folder) === folder) return undefined;
  }
}

/** Bundles the child twice; returns the two paths or why it could not. */
export function bundleChildren(
  packageDir: string,
): { shipped: string; "no-trace-hook": string } | { reason: string } {
  const esbuild = findBin(packageDir, "esbuild");
  if (esbuild === undefined) return { reason: "no node_modules/.bin/esbuild found" };
  const folder = mkdtempSync(join(tmpdir(), "tsos-syscall-bench-"));
  const paths = { shipped: join(folder, "shipped.mjs"), "no-trace-hook": join(folder, "no-trace-hook.mjs") };
  for (const [build, outfile] of Object.entries(paths)) {
    const defines = build === "no-trace-hook" ? ["--define:TSOS_SYSCALL_TRACE_HOOK=false"] : [];
    const result = spawnSync(
      esbuild,
      [
        join(packageDir, "bench", "roundtrip-child.ts"),
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node20",
        "--conditions=@tsos/source",
        "--log-level=error",
        ...defines,
        `--outfile=${outfile}`,
      ],
      { encoding: "utf8" },
    );
    if (result.status !== 0)
      return { reason: `esbuild failed: ${result.error?.message ?? result.stderr.trim()}` };
  }
  return paths;
}

/** Runs one child; returns the median ns/call of its timed runs or why there is none. */
export function runChild(
  bundle: string,
  variant: RoundTripVariant,
  warmups: number,
  repeats: number,
): number | string {
  const child = spawnSync(
    process.execPath,
    [bundle, variant.mode, String(variant.calls), String(warmups), String(repeats)],
    {
      encoding: "utf8",
      maxBuffer: 1 << 20,
      env: { ...process.env, TSOS_SYSCALL_GUEST_DIR: dirname(guestPath("getpid-loop")) },
    },
  );
  const line = child.stdout?.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(line) as { ok: boolean; reason?: string; perCall?: number[] };
    if (!parsed.ok || parsed.perCall === undefined) return parsed.reason ?? "child reported failure";
    const sorted = [...parsed.perCall].sort((left, right) => left - right);
    return sorted[Math.floor(sorted.length / 2)]!;
  } catch {
    return `child printed no result (status ${child.status}): ${child.stderr.trim().slice(0, 300)}`;
  }
}

/** Why native runs are impossible here, or undefined. */
export function nativeUnsupported(): string | undefined {
  if (platform() !== "linux" || arch() !== "x64") return `host is ${platform()}/${arch()}, not linux/x64`;
  return undefined;
}

function nativeSeconds(calls: number): number | string {
  const started = process.hrtime.bigint();
  const child = spawnSync(guestPath("getpid-loop"), [String(calls)], { encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0 || child.stdout !== `getpid-loop ${calls} ok\n`) {
    return `native getpid-loop ${calls}: status ${child.status}, ${child.error?.message ?? JSON.stringify(child.stdout)}`;
  }
  return seconds;
}

/** Native ns per getpid: (time(count) − time(0)) / count, both runs in this round. */
export function nativePerCall(calls: number): number | string {
  const full = nativeSeconds(calls);
  if (typeof full === "string") return full;
  const empty = nativeSeconds(0);
  if (typeof empty === "string") return empty;
  return ((full - empty) * 1e9) / calls;
}
