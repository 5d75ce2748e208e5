import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../test/cli-run";
import { EXIT, main } from "./cli-main";

const run = runCli;

/** A minimal ELF64 header + one program header; `patch` edits it before writing. */
function elfFile(patch: (bytes: Buffer) => void = () => {}): string {
  const bytes = Buffer.alloc(64 + 56);
  bytes.writeUInt32LE(0x464c457f, 0);
  bytes[4] = 2; // ELFCLASS64
  bytes[5] = 1; // little-endian
  bytes[6] = 1; // EV_CURRENT
  bytes.writeUInt16LE(2, 16); // ET_EXEC
  bytes.writeUInt16LE(62, 18); // EM_X86_64
  bytes.writeBigUInt64LE(0x401000n, 24); // e_entry
  bytes.writeBigUInt64LE(64n, 32); // e_phoff
  bytes.writeUInt16LE(56, 54); // e_phentsize
  bytes.writeUInt16LE(1, 56); // e_phnum
  bytes.writeUInt32LE(1, 64); // PT_LOAD
  patch(bytes);
  const path = join(mkdtempSync(join(tmpdir(), "tsos-cli-")), "guest");
  writeFileSync(path, bytes);
  return path;
}

describe("tsos-machine CLI", () => {
  it("prints help with no arguments and exits 0", () => {
    const { code, out, err } = run();
    expect(code).toBe(EXIT.OK);
    expect(out).toContain("Usage: tsos-machine");
    expect(err).toBe("");
  });

  it("prints its version", () => {
    expect(run("--version")).toMatchObject({ code: EXIT.OK, out: "tsos-machine 0.1.0\n" });
  });

  it("rejects an unknown option with one line and exit 2", () => {
    const { code, out, err } = run("--frobnicate");
    expect(code).toBe(EXIT.USAGE);
    expect(out).toBe("");
    expect(err.trimEnd().split("\n")).toHaveLength(1);
    expect(err).toMatch(/^tsos-machine: .*frobnicate/);
  });

  it("rejects an unknown command", () => {
    const { code, err } = run("explode");
    expect(code).toBe(EXIT.USAGE);
    expect(err).toBe("tsos-machine: unknown command 'explode' (see --help)\n");
  });

  it("describes a static x86-64 executable", () => {
    const path = elfFile();
    const { code, out } = run("check", path);
    expect(code).toBe(EXIT.OK);
    expect(out).toBe(`${path}: ELF64 x86-64 executable, entry 0x401000, 1 PT_LOAD segment(s), 120 bytes\n`);
  });

  it.each([
    ["a missing file", () => join(mkdtempSync(join(tmpdir(), "tsos-cli-")), "missing"), "no such file"],
    ["a path through a file", () => join(elfFile(), "guest"), "no such file"],
    ["a directory", () => tmpdir(), "not a regular file"],
    ["a non-ELF file", () => elfFile((b) => b.writeUInt32LE(0x12345678, 0)), "not an ELF file"],
    ["a dynamic executable", () => elfFile((b) => b.writeUInt32LE(3, 64)), "dynamically linked"],
  ])("refuses %s with one clear line", (_name, makePath, message) => {
    const path = makePath();
    const { code, out, err } = run("check", path);
    expect(code).toBe(EXIT.USAGE);
    expect(out).toBe("");
    expect(err.trimEnd().split("\n")).toHaveLength(1);
    expect(err).toContain(message);
  });
});

describe("tsos-machine boot and run", () => {
  it("boot: the default initramfs's /init runs its tour and the report follows; exit 0", () => {
    const { code, out } = run("boot", "--quiet");
    expect(code).toBe(EXIT.OK);
    const lines = out.split("\n");
    expect(lines[0]).toBe("init: pid 1, the default tsos initramfs");
    expect(out).toContain("hello, world\n");
    expect(out).toMatch(/init: crash \(writes to NULL\) +killed by signal 11 \(SIGSEGV\)/);
    expect(out).toMatch(/init: sleeper \(nanosleep 250 ms\) +exited 0/);
    expect(out).toContain("init: done\n");
    expect(out).toMatch(/init: memory \| wc \(reader\) +exited 0/);
    expect(out).toMatch(/init: \/bin\/parallel \(2 threads\) +exited 0/);
    expect(out).toContain("\n== tsos report: 2 CPU(s), 256 MiB, seed 1 ==\noutcome: exited, status 0\n");
    expect(out).toContain("frames not returned since boot: 0\n");
    expect(out).toMatch(/│ +1 │ +0 │ \/init +│ exited 0 /);
    expect(out).toMatch(/\/init +│ killed by SIGSEGV /);
    expect(run("boot", "--quiet", "--no-report").out).not.toContain("== tsos report");
  });

  it("run: a program's exit status is the CLI's; a killed program is 128 + signal", () => {
    const guest = (name: string) =>
      new URL(`../../../packages/kernel/guest/bin/${name}`, import.meta.url).pathname;
    expect(run("run", "--quiet", guest("exit-codes"), "7").code).toBe(7);
    const dir = mkdtempSync(join(tmpdir(), "tsos-initramfs-"));
    writeFileSync(join(dir, "note"), "in the initramfs\n");
    const listed = run("run", "--quiet", "--initramfs", dir, guest("hello"));
    expect(listed).toMatchObject({ code: 0, out: "hello, world\n" });
  });

  it("run: host-side problems are one line with the shell's codes", () => {
    expect(run("run", "/no/such/program")).toMatchObject({
      code: EXIT.NOT_FOUND,
      err: "tsos-machine: /no/such/program: no such file\n",
    });
    expect(run("run", "--cpus", "99", "x")).toMatchObject({ code: EXIT.USAGE });
    // The program is checked first: a missing one is 127 whatever else is wrong.
    expect(run("run", "--initramfs", "/no/such/dir", "x").code).toBe(EXIT.NOT_FOUND);
    const badImage = join(mkdtempSync(join(tmpdir(), "tsos-cli-")), "image");
    writeFileSync(badImage, "not a cpio archive");
    const guest = new URL("../../../packages/kernel/guest/bin/hello", import.meta.url).pathname;
    expect(run("run", "--initramfs", badImage, guest)).toMatchObject({ code: EXIT.USAGE });
    const notElf = join(mkdtempSync(join(tmpdir(), "tsos-cli-")), "text");
    writeFileSync(notElf, "#!/bin/sh\necho hi\n");
    const refused = run("run", notElf);
    expect(refused.code).toBe(EXIT.CANNOT_EXECUTE);
    expect(refused.err.trimEnd().split("\n")).toHaveLength(1);
  });

  it("--max-instructions and --timeout stop a run with exit 70 and say why; bad values are one line", () => {
    const spin = new URL("../../../packages/kernel/guest/bin/spin", import.meta.url).pathname;
    const limited = run("run", "--quiet", "--max-instructions", "2000000", spin, "100000000");
    expect(limited.code).toBe(EXIT.SOFTWARE);
    expect(limited.err).toBe("tsos-machine: stopped after 2000000 guest instructions\n");
    const timed = run("run", "--quiet", "--timeout", "30ms", spin, "100000000");
    expect(timed.code).toBe(EXIT.SOFTWARE);
    expect(timed.err).toBe("tsos-machine: stopped at the time limit: 30.000 ms of virtual time\n");
    for (const [option, value] of [
      ["--timeout", "soon"],
      ["--max-instructions", "-1"],
      ["--cpus", "0"],
      ["--mem", "3"],
      ["--seed", "x"],
    ] as const) {
      const bad = run("run", option, value, spin);
      expect(bad.code).toBe(EXIT.USAGE);
      expect(bad.err.trimEnd().split("\n")).toHaveLength(1);
      expect(bad.err).toContain(option);
    }
    expect(run("help", "boot").out).toContain("--report-json <file>");
  });

  it("--shell needs a terminal and a known shell; each refusal is one line and exit 2", async () => {
    expect(run("boot", "--shell")).toMatchObject({
      code: EXIT.USAGE,
      err: "tsos-machine: --shell needs the host's terminal\n",
    });
    let err = "";
    const terminal = { input: new PassThrough(), outputIsTerminal: false };
    const code = await main(["boot", "--shell=csh"], {
      out: () => {},
      err: (text) => (err += text),
      terminal,
    });
    expect(code).toBe(EXIT.USAGE);
    expect(err).toBe("tsos-machine: --shell csh: expected tsh or busybox\n");
  });
});
