/**
 * `boot --shell`: an interactive session on the emulated machine. The host
 * terminal goes into raw mode; every byte typed becomes PS/2 key presses
 * (so typing goes through IRQ 1, the kernel's keyboard driver, the line
 * discipline and a blocked read, as on a PC), and the console's bytes come
 * back to the terminal (newline as CR LF, since a raw terminal does no
 * output processing).
 *
 * The machine runs in chunks with the host's event loop in between, and an
 * idle machine waits for the next keystroke without using host time. Ctrl-]
 * detaches (powers the machine off); end of the host's input is end of
 * file on the console. Keys arrive at the virtual time the machine has
 * reached when the host reads them, so a session is not replayable yet
 * (record/replay is a later issue).
 */
import { MachineRun, type RunOptions, type RunResult } from "./run";

/** Ctrl-]: the host's escape, as telnet's. */
const DETACH = 0x1d;

/** The host side of a session. */
export interface ShellTerminal {
  /** Where the terminal's bytes come from (process.stdin). */
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** The console's bytes (already CR LF for a terminal). */
  write(bytes: Uint8Array): void;
  /** Errors and notes for the user (the guest's stderr too). */
  writeError(bytes: Uint8Array | string): void;
  /** Whether the output is a terminal (newlines become CR LF). */
  readonly outputIsTerminal: boolean;
}

/** Runs `options` (interactive) until init exits, the user detaches, or the kernel fails. */
export async function runShell(options: RunOptions, terminal: ShellTerminal): Promise<RunResult> {
  const translate = terminal.outputIsTerminal || terminal.input.isTTY === true;
  const run = new MachineRun(
    { ...options, interactive: true },
    {
      stdout: (bytes) => terminal.write(translate ? crlf(bytes) : bytes),
      stderr: (bytes) => terminal.writeError(translate ? crlf(bytes) : bytes),
    },
  );
  const raw = terminal.input.isTTY === true && typeof terminal.input.setRawMode === "function";
  if (raw) terminal.input.setRawMode!(true);
  let wake: (() => void) | null = null;
  let detached = false;
  const typed: Uint8Array[] = [];
  const onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
    const detachAt = bytes.indexOf(DETACH);
    if (detachAt >= 0) {
      if (detachAt > 0) typed.push(new Uint8Array(bytes.subarray(0, detachAt)));
      detached = true;
    } else typed.push(new Uint8Array(bytes));
    wake?.();
  };
  let ended = false;
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  terminal.input.on("data", onData);
  terminal.input.on("end", onEnd);
  terminal.input.resume();
  try {
    for (;;) {
      while (typed.length > 0) run.type(typed.shift()!);
      if (detached) {
        terminal.writeError(
          translate ? "\r\ntsos-machine: detached (Ctrl-])\r\n" : "\ntsos-machine: detached\n",
        );
        return run.stop("detached (Ctrl-])");
      }
      if (ended) run.hangUp();
      const state = run.step();
      if (state === "finished") return run.result!;
      if (state === "waiting" && typed.length === 0 && !detached) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      } else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    terminal.input.off("data", onData);
    terminal.input.off("end", onEnd);
    terminal.input.pause();
    if (raw) terminal.input.setRawMode!(false);
  }
}

/** LF → CR LF (a lone CR stays). */
function crlf(bytes: Uint8Array): Uint8Array {
  let newlines = 0;
  for (const byte of bytes) if (byte === 0x0a) newlines++;
  if (newlines === 0) return bytes;
  const out = new Uint8Array(bytes.length + newlines);
  let at = 0;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (byte === 0x0a && (index === 0 || bytes[index - 1] !== 0x0d)) out[at++] = 0x0d;
    out[at++] = byte;
  }
  return out.subarray(0, at);
}
