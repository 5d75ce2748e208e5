/**
 * Suite helpers bound to a test framework's `describe` / `test`: tiered
 * suites and test dependencies.
 *
 * vitest stays an optional peer: the helpers are created from the functions
 * the test file already imports —
 *
 * ```ts
 * import { describe, test } from "vitest";
 * import { createTestHelpers } from "@tsos/testing";
 * const { describeTier, prerequisite, dependsOn } = createTestHelpers({ describe, test });
 * ```
 *
 * Dependencies: `const boot = prerequisite("boots"); boot.test(...)` records
 * whether each of its tests passed; `dependsOn(boot).test(...)` skips itself
 * with a reason ("prerequisite "boots" failed" / "has not run") unless every
 * test of every prerequisite passed. Tests in one file run in declaration
 * order, so declare prerequisites first; a prerequisite filtered out or
 * skipped counts as "has not run".
 */
import type { SuiteAPI, TestAPI, TestContext } from "vitest";
import { type TestTier, tierRuns, tierTitle } from "./tiers";

/** The two functions the helpers need. */
export interface SuiteFunctions {
  readonly describe: SuiteAPI;
  readonly test: TestAPI;
}

/** A test body. */
export type TestBody = (context: TestContext) => unknown;

/** Registers a test. */
export interface TestRegistrar {
  test(name: string, body: TestBody, timeout?: number): void;
}

/** A named prerequisite and the state of its tests. */
export interface Prerequisite extends TestRegistrar {
  readonly name: string;
  /** Tests registered, passed and failed so far. */
  readonly state: { registered: number; passed: number; failed: number };
}

/** Why a dependent should be skipped, or `undefined` when every prerequisite passed. */
export function unmetPrerequisite(prerequisites: readonly Prerequisite[]): string | undefined {
  for (const { name, state } of prerequisites) {
    if (state.failed > 0) return `prerequisite "${name}" failed`;
    if (state.registered === 0 || state.passed < state.registered)
      return `prerequisite "${name}" has not run`;
  }
  return undefined;
}

/** The helpers created by {@link createTestHelpers}. */
export interface TestHelpers {
  /** A suite of `tier`, titled `[tier] name`, skipped when the tier does not run (see `tiers.ts`). */
  describeTier(tier: TestTier, name: string, body: () => void): void;
  /** A new prerequisite named `name`. */
  prerequisite(name: string): Prerequisite;
  /** Registers tests that run only when every one of `prerequisites` passed. */
  dependsOn(...prerequisites: Prerequisite[]): TestRegistrar;
}

/** Creates the helpers over `describe` and `test`. */
export function createTestHelpers({ describe, test }: SuiteFunctions): TestHelpers {
  return {
    describeTier(tier, name, body) {
      const title = tierTitle(tier, name);
      if (tierRuns(tier)) describe(title, body);
      else describe.skip(title, body);
    },
    prerequisite(name) {
      const state = { registered: 0, passed: 0, failed: 0 };
      return {
        name,
        state,
        test(title, body, timeout) {
          state.registered++;
          test(
            title,
            async (context) => {
              context.onTestFinished(({ task }) => {
                if (task.result?.state === "pass") state.passed++;
                else if (task.result?.state === "fail") state.failed++;
              });
              await body(context);
            },
            timeout,
          );
        },
      };
    },
    dependsOn(...prerequisites) {
      return {
        test(title, body, timeout) {
          test(
            title,
            async (context) => {
              const reason = unmetPrerequisite(prerequisites);
              if (reason) context.skip(reason);
              await body(context);
            },
            timeout,
          );
        },
      };
    },
  };
}
