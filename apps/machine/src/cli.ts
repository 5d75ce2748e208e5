#!/usr/bin/env node
/** The `tsos-machine` binary: wires {@link main} to the process. */
import { main } from "./cli-main";

const code = main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTerminal: process.stderr.isTTY === true,
  terminal: { input: process.stdin, outputIsTerminal: process.stdout.isTTY === true },
});
if (typeof code === "number") process.exitCode = code;
else void code.then((value) => (process.exitCode = value));
