import { describe, expect, it } from "vitest";
import { ELF, PROGRAM_TYPE, parseElfExecutable, SEGMENT_FLAG } from "./elf";

/** An ELF64 header followed by one PT_LOAD header and 16 bytes of segment data. */
function image(patch: (view: DataView, bytes: Uint8Array) => void = () => {}): Uint8Array {
  const bytes = new Uint8Array(ELF.HEADER_SIZE + ELF.PROGRAM_HEADER_SIZE + 16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ELF.MAGIC, true);
  bytes[4] = ELF.CLASS_64;
  bytes[5] = ELF.DATA_LITTLE_ENDIAN;
  view.setUint16(16, ELF.TYPE_EXECUTABLE, true);
  view.setUint16(18, ELF.MACHINE_X86_64, true);
  view.setBigUint64(24, 0x401000n, true);
  view.setBigUint64(32, 64n, true);
  view.setUint16(54, ELF.PROGRAM_HEADER_SIZE, true);
  view.setUint16(56, 1, true);
  const header = 64;
  view.setUint32(header, PROGRAM_TYPE.LOAD, true);
  view.setUint32(header + 4, SEGMENT_FLAG.READ | SEGMENT_FLAG.EXECUTE, true);
  view.setBigUint64(header + 8, 120n, true); // offset
  view.setBigUint64(header + 16, 0x401000n, true); // vaddr
  view.setBigUint64(header + 32, 16n, true); // filesz
  view.setBigUint64(header + 40, 0x2000n, true); // memsz
  view.setBigUint64(header + 48, 0x1000n, true); // align
  patch(view, bytes);
  return bytes;
}

describe("parseElfExecutable", () => {
  it("decodes a static executable's header and PT_LOAD segment", () => {
    const result = parseElfExecutable(image());
    expect(result).toEqual({
      ok: true,
      executable: {
        type: ELF.TYPE_EXECUTABLE,
        entry: 0x401000,
        programHeaderOffset: 64,
        programHeaders: [
          {
            type: PROGRAM_TYPE.LOAD,
            flags: SEGMENT_FLAG.READ | SEGMENT_FLAG.EXECUTE,
            fileOffset: 120,
            virtualAddress: 0x401000,
            fileSize: 16,
            memorySize: 0x2000,
            alignment: 0x1000,
          },
        ],
      },
    });
  });

  it("works on a view into a larger buffer", () => {
    const inner = image();
    const outer = new Uint8Array(inner.length + 8);
    outer.set(inner, 8);
    expect(parseElfExecutable(outer.subarray(8)).ok).toBe(true);
  });

  it.each([
    ["empty input", () => new Uint8Array(0), "not an ELF file"],
    ["bad magic", () => image((v) => v.setUint32(0, 0, true)), "not an ELF file"],
    ["big-endian", () => image((_, b) => (b[5] = 2)), "not a 64-bit little-endian"],
    ["wrong machine", () => image((v) => v.setUint16(18, 3, true)), "machine 3, not x86-64"],
    ["core file", () => image((v) => v.setUint16(16, 4, true)), "type 4 is not an executable"],
    ["entry above 2^53", () => image((v) => v.setBigUint64(24, 1n << 60n, true)), "out of range"],
    ["wrong phentsize", () => image((v) => v.setUint16(54, 32, true)), "malformed program headers"],
    ["headers past EOF", () => image((v) => v.setUint16(56, 3, true)), "truncated"],
    ["segment past EOF", () => image((v) => v.setBigUint64(64 + 32, 17n, true)), "past the end of the file"],
    ["filesz > memsz", () => image((v) => v.setBigUint64(64 + 40, 8n, true)), "exceeds its memory size"],
    ["huge vaddr", () => image((v) => v.setBigUint64(64 + 16, 1n << 63n, true)), "out of range"],
    ["PT_INTERP", () => image((v) => v.setUint32(64, PROGRAM_TYPE.INTERP, true)), "dynamically linked"],
    ["no PT_LOAD", () => image((v) => v.setUint32(64, PROGRAM_TYPE.NOTE, true)), "no PT_LOAD"],
  ])("refuses %s", (_name, make, message) => {
    const result = parseElfExecutable(make());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});
