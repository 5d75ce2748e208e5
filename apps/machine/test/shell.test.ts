/**
 * `tsos-machine boot --shell` driven through a real terminal: tmux runs the
 * CLI in a pseudo-terminal, `send-keys` types as a person would, and
 * `capture-pane` reads the screen. What is typed travels host tty → raw
 * mode → PS/2 key events → IRQ 1 → the kernel's keyboard driver → the line
 * discipline (echo, editing, ^C) → the shell's read; the screen shows the
 * echo and the programs' output. Skipped, saying why, without tmux.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { locateBusybox } from "../src/busybox";
import { defaultInitramfs } from "../src/initramfs";
import { MachineRun } from "../src/run";

const hasTmux = spawnSync("tmux", ["-V"], { stdio: "ignore" }).status === 0;
const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const REPOSITORY = fileURLToPath(new URL("../../../", import.meta.url));
const session = `tsos-shell-${process.pid}`;

function tmux(...args: string[]): string {
  const result = spawnSync("tmux", args, { encoding: "utf8", timeout: 10_000 });
  if (result.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function screen(): string {
  return tmux("capture-pane", "-t", session, "-p");
}

/** Waits until the screen matches (the machine runs in real time here). */
async function waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the CLI in a tmux session; its exit status lands in the returned file. */
function start(...cliArgs: string[]): string {
  const status = join(mkdtempSync(join(tmpdir(), "tsos-shell-")), "status");
  const command = ["node", "--conditions=@tsos/source", "--import", "tsx", CLI, ...cliArgs]
    .map((word) => `'${word}'`)
    .join(" ");
  tmux(
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    "100",
    "-y",
    "40",
    "-c",
    REPOSITORY,
    `${command}; echo $? > '${status}'; sleep 60`,
  );
  return status;
}

afterEach(() => {
  spawnSync("tmux", ["kill-session", "-t", session], { stdio: "ignore" });
});

describe("an interactive run without a terminal (MachineRun)", () => {
  it("keys typed on the PS/2 keyboard reach the shell through the line discipline, with echo", () => {
    const image = defaultInitramfs();
    if (!image.ok) throw new Error(image.error);
    let screen = "";
    const run = new MachineRun(
      {
        program: "/bin/tsh",
        argv: ["/bin/tsh"],
        envp: [],
        initramfs: image.bytes,
        quiet: true,
        interactive: true,
      },
      {
        stdout: (bytes) => (screen += Buffer.from(bytes).toString("latin1")),
        stderr: (bytes) => (screen += Buffer.from(bytes).toString("latin1")),
      },
    );
    const script = ["hello | wc\r", "wc\r", "two words\r", "\x04", "exit 2\r"];
    let steps = 0;
    while (run.step() !== "finished") {
      if (++steps > 10_000) throw new Error(`no end; the screen:\n${screen}`);
      // The machine is idle, waiting for the next key: type the next line.
      const next = script.shift();
      if (next !== undefined) run.type(Buffer.from(next, "latin1"));
    }
    expect(run.result!.exitCode).toBe(2);
    // wc read its own stdin from the terminal: a line typed, then ^D (end of file).
    expect(screen).toContain("tsos$ hello | wc\n      1       2      13\n");
    expect(screen).toContain("tsos$ wc\ntwo words\n      1       2      10\n");
    expect(run.kernel.keyboard!.bytesReceived).toBeGreaterThan(50);
  });
});

describe.skipIf(!hasTmux)(`boot --shell in a terminal (tmux)${hasTmux ? "" : ": tmux not installed"}`, () => {
  it("types a command, runs a pipeline, edits a line, ignores ^Z, interrupts with ^C, and exits with the status", async () => {
    const status = start("boot", "--shell", "--quiet");
    await waitFor(/^tsos\$ ?$/m); // capture-pane trims trailing blanks
    tmux("send-keys", "-t", session, "hello | wc", "Enter");
    await waitFor(/ +1 +2 +13\n/);
    // Backspace goes through the line discipline's VERASE: "hellx" ⌫ "o" is "hello".
    tmux("send-keys", "-t", session, "hellx", "BSpace", "o", "Enter");
    await waitFor(/tsos\$ hello\nhello, world\n/);
    tmux("send-keys", "-t", session, "spin 2000000000", "Enter");
    await waitFor(/^tsos\$ spin 2000000000$/m);
    // ^Z raises SIGTSTP, which tsh (no job control) leaves ignored in what it runs: spin goes on, ^C ends it.
    tmux("send-keys", "-t", session, "C-z");
    await waitFor(/^tsos\$ spin 2000000000\n\^Z$/m);
    tmux("send-keys", "-t", session, "C-c");
    await waitFor(/\^Z\^C\[killed by signal 2: Interrupt\]/);
    tmux("send-keys", "-t", session, "exit 3", "Enter");
    await waitFor(/tsos\$ exit 3/);
    const deadline = Date.now() + 20_000;
    let written = "";
    while (Date.now() < deadline) {
      try {
        written = readFileSync(status, "utf8").trim();
      } catch {}
      if (written !== "") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(written).toBe("3");
  }, 90_000);

  const busybox = locateBusybox();
  it.skipIf(busybox.path === null)(
    `--shell=busybox runs BusyBox's ash with its line editing (history with ↑)${busybox.path === null ? `: ${busybox.reason}` : ""}`,
    async () => {
      start("boot", "--shell=busybox", "--quiet");
      await waitFor(/^\/ # ?$/m);
      tmux("send-keys", "-t", session, "echo one; ls / | wc -l", "Enter");
      await waitFor(/one\n/);
      tmux("send-keys", "-t", session, "Up", "Enter");
      const text = await waitFor(/(one\n(.|\n)*){2}/);
      expect(text).toContain("built-in shell (ash)");
    },
    90_000,
  );
});
