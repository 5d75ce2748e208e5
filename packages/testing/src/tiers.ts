/**
 * Test tiers, selected by the `TSOS_TIER` environment variable.
 *
 * | `TSOS_TIER`   | runs                                                        | sizes |
 * |---------------|-------------------------------------------------------------|-------|
 * | unset         | unit, integration, stress and security (short forms); no perf | short |
 * | `stress`      | stress tier only (`pnpm test:stress`)                        | long  |
 * | `security`    | security tier only (`pnpm test:security`)                    | long  |
 * | `perf`        | perf tier only                                              | long  |
 * | `all`         | every tier                                                  | long  |
 *
 * A tiered suite's title is prefixed `[tier]` so the long-form scripts can
 * also filter by name (`vitest run -t "\[stress\]"`). Nothing here imports
 * vitest; the suite helpers that need it are in `test-helpers.ts`.
 */

/** The tiers a test can belong to. */
export type TestTier = "unit" | "integration" | "stress" | "security" | "perf";

/** What `TSOS_TIER` selects. */
export type TierMode = "default" | "stress" | "security" | "perf" | "all";

const MODES: readonly TierMode[] = ["stress", "security", "perf", "all"];

/** The mode `TSOS_TIER` selects (`default` when unset or unrecognised). */
export function tierMode(env: Readonly<Record<string, string | undefined>> = process.env): TierMode {
  const value = env.TSOS_TIER?.trim().toLowerCase();
  return MODES.find((mode) => mode === value) ?? "default";
}

/** Whether tests of `tier` run in the current mode. */
export function tierRuns(tier: TestTier, mode: TierMode = tierMode()): boolean {
  if (mode === "all") return true;
  if (mode === "default") return tier !== "perf";
  return tier === mode;
}

/** Whether `tier` runs in its long form (its own mode, or `all`). */
export function isLongForm(tier: TestTier, mode: TierMode = tierMode()): boolean {
  return mode === "all" || mode === tier;
}

/** Picks the short or long size for `tier`: `tierSize("stress", { short: 1e4, long: 1e6 })`. */
export function tierSize<T>(
  tier: TestTier,
  sizes: { readonly short: T; readonly long: T },
  mode: TierMode = tierMode(),
): T {
  return isLongForm(tier, mode) ? sizes.long : sizes.short;
}

/** `tierSize("stress", sizes)`: iterations, operation counts, run lengths of stress tests. */
export function stressSize<T>(sizes: { readonly short: T; readonly long: T }): T {
  return tierSize("stress", sizes);
}

/** `tierSize("security", sizes)`: fuzz counts and case budgets of security tests. */
export function securitySize<T>(sizes: { readonly short: T; readonly long: T }): T {
  return tierSize("security", sizes);
}

/** The suite title for `tier`: `[stress] buddy allocator`. */
export function tierTitle(tier: TestTier, name: string): string {
  return `[${tier}] ${name}`;
}
