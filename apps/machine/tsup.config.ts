import { defineConfig } from "tsup";

/** The CLI is an application: ESM only, with a shebang on the bin entry. */
export default defineConfig({
  entry: { index: "src/index.ts", cli: "src/cli.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
});
