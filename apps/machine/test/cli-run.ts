/** Runs the CLI in-process with no terminal, collecting what it writes (tests only). */
import { main } from "../src/cli-main";

/** `main(argv)` with its output collected; for commands that finish synchronously (not --shell). */
export function runCli(...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const text = (value: string | Uint8Array) =>
    typeof value === "string" ? value : Buffer.from(value).toString("latin1");
  const code = main(argv, { out: (value) => (out += text(value)), err: (value) => (err += text(value)) });
  if (typeof code !== "number") throw new Error(`${argv.join(" ")} did not finish synchronously`);
  return { code, out, err };
}
