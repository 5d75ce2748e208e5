/**
 * The vitest-bound face of this package, for a `@tsos/testing/vitest`
 * subpath or a `setupFiles` entry: importing it installs the custom
 * matchers and gives the suite helpers without the `createTestHelpers`
 * line. The only module besides `vitest-setup.ts` that imports vitest at run
 * time; `src/index.ts` never imports it.
 */
import { describe, expect, test } from "vitest";
import { installTsosMatchers } from "./matchers";
import { createTestHelpers } from "./test-helpers";

installTsosMatchers(expect);

const helpers = createTestHelpers({ describe, test });

/** `TestHelpers.describeTier` bound to vitest. */
export const describeTier = helpers.describeTier;
/** `TestHelpers.prerequisite` bound to vitest. */
export const prerequisite = helpers.prerequisite;
/** `TestHelpers.dependsOn` bound to vitest. */
export const dependsOn = helpers.dependsOn;
