/**
 * A vitest `setupFiles` entry that installs the tsos matchers:
 * `test: { setupFiles: ["<path to>/packages/testing/src/vitest-setup.ts"] }`.
 * The only module of this package that imports vitest at run time.
 */
import { expect } from "vitest";
import { installTsosMatchers } from "./matchers";

installTsosMatchers(expect);
