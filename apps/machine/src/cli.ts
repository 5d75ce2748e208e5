#!/usr/bin/env node
/** The `tsos-machine` binary: wires {@link main} to the process. */
import { main } from "./cli-main";

process.exitCode = main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTerminal: process.stderr.isTTY === true,
});
