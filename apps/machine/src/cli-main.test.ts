import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, main } from "./cli-main";

function run(...argv: string[]) {
  let out = "";
  let err = "";
  const code = main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

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
