/**
 * Shared vitest settings for every workspace member.
 *
 * Workspace packages resolve to their TypeScript sources through the
 * `@tsos/source` export condition, so tests never need a build first.
 * Test tiers (DESIGN: `pnpm test` runs unit + integration + short stress and
 * security; `pnpm test:stress` / `pnpm test:security` run the long forms) are
 * selected with the `TSOS_TIER` environment variable, read through
 * `@tsos/testing`'s `tier()` helpers.
 */
import { defineProject, type UserWorkspaceConfig } from "vitest/config";

export const sourceConditions = ["@tsos/source", "module", "node", "development|production"];

/** A vitest project for one workspace member, named after its folder. */
export function tsosProject(name: string, overrides: UserWorkspaceConfig["test"] = {}): UserWorkspaceConfig {
  return defineProject({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions } },
    test: {
      name,
      environment: "node",
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: 60_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
