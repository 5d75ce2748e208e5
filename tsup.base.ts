/**
 * Shared tsup settings: every published package ships ESM + CJS + d.ts,
 * targets the Node version in `engines`, and keeps its dependencies external.
 */
import type { Options } from "tsup";

export function tsupOptions(entry: Record<string, string>): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    platform: "node",
    splitting: false,
    treeshake: true,
  };
}
