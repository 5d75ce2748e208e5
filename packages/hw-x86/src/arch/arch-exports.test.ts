/**
 * Guards the public contract: every runtime export of an `src/arch` file is
 * re-exported by name from the package entry point, with the same value.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as entry from "../index";

const sourceFiles = readdirSync(import.meta.dirname).filter(
  (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
);

describe("@tsos/hw-x86 entry point", () => {
  it.each(sourceFiles)("re-exports every runtime export of arch/%s", async (file) => {
    const module: Record<string, unknown> = await import(`./${file.replace(/\.ts$/, "")}`);
    const missing = Object.keys(module).filter(
      (name) => (entry as Record<string, unknown>)[name] !== module[name],
    );
    expect(missing).toEqual([]);
  });
});
