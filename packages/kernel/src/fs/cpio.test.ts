/**
 * cpio newc/crc codec: the exact bytes of a written entry (buffer-format.rst
 * layout), every malformed-input error with its offset, hard links, crc
 * checksums, concatenated archives, and fast-check round trips (fixed seeds)
 * plus a fuzz run showing the reader never throws.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CPIO, CPIO_FIELD, type CpioEntry, isCpioError, readCpioNewc, writeCpioNewc } from "./cpio";
import type { CpioError } from "./errors";
import { FILE_TYPE } from "./mode";

const text = (value: string) => Uint8Array.from(value, (character) => character.charCodeAt(0));
const ascii = (bytes: Uint8Array, start: number, end: number) =>
  String.fromCharCode(...bytes.subarray(start, end));

function entry(name: string, overrides: Partial<CpioEntry> = {}): CpioEntry {
  return {
    name,
    ino: 1,
    mode: FILE_TYPE.REGULAR | 0o644,
    uid: 0,
    gid: 0,
    nlink: 1,
    mtime: 0,
    devmajor: 0,
    devminor: 0,
    rdevmajor: 0,
    rdevminor: 0,
    data: new Uint8Array(0),
    ...overrides,
  };
}

function expectError(result: CpioEntry[] | CpioError, offset: number, pattern: RegExp): void {
  expect(isCpioError(result)).toBe(true);
  const error = result as CpioError;
  expect(error.kind).toBe("cpio-error");
  expect(error.offset).toBe(offset);
  expect(error.message).toMatch(pattern);
  expect(error.message).toMatch(new RegExp(`\\(at byte ${offset}\\)\\.$`));
}

function readOk(bytes: Uint8Array): CpioEntry[] {
  const result = readCpioNewc(bytes);
  if (isCpioError(result)) throw new Error(result.message);
  return result;
}

/** Overwrites `text` at `at` in a copy of `bytes`. */
function patched(bytes: Uint8Array, at: number, replacement: string): Uint8Array {
  const copy = bytes.slice();
  copy.set(text(replacement), at);
  return copy;
}

describe("writeCpioNewc layout", () => {
  it("writes a 110-byte hex header, the name padded to 4, the data padded to 4, then the trailer", () => {
    const bytes = writeCpioNewc([
      entry("ab", {
        ino: 0x12ac,
        mode: 0o100644,
        uid: 1000,
        gid: 100,
        nlink: 1,
        mtime: 0x5f5e1000,
        data: text("hello"),
      }),
    ]);
    expect(ascii(bytes, 0, 110)).toBe(
      "070701" +
        "000012AC" + // c_ino
        "000081A4" + // c_mode
        "000003E8" + // c_uid
        "00000064" + // c_gid
        "00000001" + // c_nlink
        "5F5E1000" + // c_mtime
        "00000005" + // c_filesize
        "00000000" + // c_devmajor
        "00000000" + // c_devminor
        "00000000" + // c_rdevmajor
        "00000000" + // c_rdevminor
        "00000003" + // c_namesize: "ab" + NUL
        "00000000", // c_check
    );
    // 110 + 3 = 113 → name padding to 116; data 116..121, padded to 124; trailer at 124.
    expect(Array.from(bytes.subarray(110, 116))).toEqual([0x61, 0x62, 0, 0, 0, 0]);
    expect(ascii(bytes, 116, 121)).toBe("hello");
    expect(Array.from(bytes.subarray(121, 124))).toEqual([0, 0, 0]);
    expect(ascii(bytes, 124, 130)).toBe(CPIO.MAGIC_NEWC);
    expect(ascii(bytes, 124 + 110, 124 + 120)).toBe(CPIO.TRAILER_NAME);
    // Trailer: 110 + 11 = 121 → 124 bytes.
    expect(bytes.length).toBe(124 + 124);
  });

  it("writes an empty archive as the trailer alone", () => {
    const bytes = writeCpioNewc([]);
    expect(bytes.length).toBe(124);
    expect(readOk(bytes)).toEqual([]);
  });

  it("writes the crc variant with the 32-bit sum of the data bytes", () => {
    const data = Uint8Array.from([0xff, 0xff, 0x01]);
    const bytes = writeCpioNewc([entry("x", { data })], { checksum: true });
    expect(ascii(bytes, 0, 6)).toBe(CPIO.MAGIC_CRC);
    expect(ascii(bytes, CPIO_FIELD.CHECK, CPIO_FIELD.CHECK + 8)).toBe("000001FF");
    expect(readOk(bytes)[0]!.data).toEqual(data);
  });

  it("stores a hard-link group's data on its last member only", () => {
    const data = text("shared");
    const links = ["a", "b", "c"].map((name) => entry(name, { ino: 7, nlink: 3, data }));
    const bytes = writeCpioNewc(links);
    const sizes: number[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const size = Number.parseInt(
        ascii(bytes, offset + CPIO_FIELD.FILESIZE, offset + CPIO_FIELD.FILESIZE + 8),
        16,
      );
      const namesize = Number.parseInt(
        ascii(bytes, offset + CPIO_FIELD.NAMESIZE, offset + CPIO_FIELD.NAMESIZE + 8),
        16,
      );
      sizes.push(size);
      offset += Math.ceil((110 + namesize) / 4) * 4 + Math.ceil(size / 4) * 4;
    }
    expect(sizes).toEqual([0, 0, 6, 0]);
    expect(readOk(bytes).map((member) => ascii(member.data, 0, member.data.length))).toEqual([
      "shared",
      "shared",
      "shared",
    ]);
  });

  it("refuses entries it cannot encode, as programming errors", () => {
    expect(() => writeCpioNewc([entry("")])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry("a\0b")])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry("\u0100")])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry(CPIO.TRAILER_NAME)])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry("a", { uid: -1 })])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry("a", { mtime: 2 ** 32 })])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry("a", { ino: 1.5 })])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry("l", { mode: FILE_TYPE.SYMLINK | 0o777 })])).toThrow(RangeError);
    expect(() => writeCpioNewc([entry("d", { mode: FILE_TYPE.DIRECTORY | 0o755, data: text("x") })])).toThrow(
      RangeError,
    );
  });
});

describe("readCpioNewc", () => {
  it("keeps names byte for byte, without normalising leading ./ or /", () => {
    const names = [".", "./bin", "/bin/sh", "bin//x", "caf\u00e9"];
    const bytes = writeCpioNewc(names.map((name, index) => entry(name, { ino: index + 1 })));
    expect(readOk(bytes).map((member) => member.name)).toEqual(names);
    expect(Array.from(bytes.subarray(bytes.indexOf(0x63, 500), bytes.indexOf(0x63, 500) + 5))).toEqual([
      0x63, 0x61, 0x66, 0xe9, 0,
    ]);
  });

  it("decodes every field, lower- or upper-case hex, and keeps device numbers and symlink targets", () => {
    const device = entry("dev/null", { mode: FILE_TYPE.CHAR_DEVICE | 0o666, rdevmajor: 1, rdevminor: 3 });
    const link = entry("sh", {
      mode: FILE_TYPE.SYMLINK | 0o777,
      data: text("busybox"),
      devmajor: 8,
      devminor: 2,
    });
    const bytes = writeCpioNewc([device, link]);
    const lower = patched(bytes, CPIO_FIELD.MODE, "000021b6");
    const [readDevice, readLink] = readOk(lower);
    expect(readDevice).toEqual(device);
    expect(readLink).toEqual(link);
  });

  it("gives data only to regular files and symlinks (Linux skips the rest)", () => {
    const bytes = writeCpioNewc([entry("d", { mode: FILE_TYPE.DIRECTORY | 0o755 })]);
    // Claim 4 bytes of data on the directory and supply them.
    const withData = new Uint8Array(bytes.length + 4);
    withData.set(bytes.subarray(0, 112));
    withData.set(text("0000"), 112);
    withData.set(bytes.subarray(112), 116);
    withData.set(text("00000004"), CPIO_FIELD.FILESIZE);
    const [directory] = readOk(withData);
    expect(directory!.data.length).toBe(0);
  });

  it("returns data as views of the input, not copies", () => {
    const bytes = writeCpioNewc([entry("f", { data: text("abcd") })]);
    const [file] = readOk(bytes);
    expect(file!.data.buffer).toBe(bytes.buffer);
  });

  it("shares the last data-carrying member's data across a hard-link group, per archive", () => {
    const first = writeCpioNewc([
      entry("a", { ino: 5, nlink: 2 }),
      entry("b", { ino: 5, nlink: 2, data: text("one") }),
    ]);
    const second = writeCpioNewc([entry("c", { ino: 5, nlink: 2 })]);
    const both = new Uint8Array(first.length + 8 + second.length);
    both.set(first);
    both.set(second, first.length + 8); // NUL padding between archives
    const members = readOk(both);
    expect(members.map((member) => [member.name, ascii(member.data, 0, member.data.length)])).toEqual([
      ["a", "one"],
      ["b", "one"],
      ["c", ""], // the trailer reset the table: same (maj, min, ino) in a new archive is another file
    ]);
  });

  it("reads archives separated and surrounded by NUL padding (the initramfs grammar)", () => {
    const one = writeCpioNewc([entry("one")]);
    const two = writeCpioNewc([entry("two")]);
    const buffer = new Uint8Array(4 + one.length + 512 + two.length + 100);
    buffer.set(one, 4);
    buffer.set(two, 4 + one.length + 512);
    expect(readOk(buffer).map((member) => member.name)).toEqual(["one", "two"]);
  });

  it("verifies crc checksums", () => {
    const bytes = writeCpioNewc([entry("x", { data: text("data") })], { checksum: true });
    const corrupted = bytes.slice();
    corrupted[112] = corrupted[112]! ^ 1;
    expectError(readCpioNewc(corrupted), CPIO_FIELD.CHECK, /"x" does not match its crc checksum/);
  });

  it("ignores c_check in newc archives", () => {
    const bytes = patched(writeCpioNewc([entry("x", { data: text("data") })]), CPIO_FIELD.CHECK, "DEADBEEF");
    expect(readOk(bytes)).toHaveLength(1);
  });
});

describe("readCpioNewc errors", () => {
  const valid = writeCpioNewc([entry("file", { data: text("12345") })]);
  // "file": 110 + 5 = 115 → data at 116..121, padded to 124; trailer at 124.

  it("rejects an empty or all-NUL buffer", () => {
    expectError(readCpioNewc(new Uint8Array(0)), 0, /holds no cpio archive/);
    expectError(readCpioNewc(new Uint8Array(64)), 64, /holds no cpio archive/);
  });

  it("rejects a truncated header", () => {
    expectError(
      readCpioNewc(valid.subarray(0, 50)),
      0,
      /truncated: a 110-byte header starts 50 bytes before the end/,
    );
    expectError(readCpioNewc(valid.subarray(0, 124 + 20)), 124, /truncated/);
  });

  it("rejects a bad magic", () => {
    expectError(
      readCpioNewc(patched(valid, 0, "070707")),
      0,
      /magic is not "070701" \(newc\) or "070702" \(crc\)/,
    );
    expectError(readCpioNewc(patched(valid, 124, "07070X")), 124, /magic/);
  });

  it("rejects a field that is not 8 hex digits, naming it", () => {
    expectError(
      readCpioNewc(patched(valid, CPIO_FIELD.MODE + 3, "g")),
      CPIO_FIELD.MODE,
      /c_mode is not 8 hex/,
    );
    expectError(readCpioNewc(patched(valid, CPIO_FIELD.CHECK, " 0000000")), CPIO_FIELD.CHECK, /c_check/);
    expectError(
      readCpioNewc(patched(valid, CPIO_FIELD.FILESIZE, "-0000001")),
      CPIO_FIELD.FILESIZE,
      /c_filesize/,
    );
  });

  it("rejects a name without its NUL, with an early NUL, or of size 0", () => {
    expectError(readCpioNewc(patched(valid, 110 + 4, "X")), 114, /not terminated by a NUL/);
    expectError(readCpioNewc(patched(valid, 110 + 1, "\0")), 111, /contains a NUL byte before its end/);
    expectError(
      readCpioNewc(patched(valid, CPIO_FIELD.NAMESIZE, "00000000")),
      CPIO_FIELD.NAMESIZE,
      /c_namesize is 0/,
    );
    expectError(
      readCpioNewc(patched(valid, CPIO_FIELD.NAMESIZE, "00001000")),
      110,
      /name \(4096 bytes\) runs past/,
    );
  });

  it("rejects data running past the end", () => {
    expectError(
      readCpioNewc(valid.subarray(0, 119)),
      116,
      /data of "file" \(5 bytes\) runs past the end of the 119-byte/,
    );
    expectError(readCpioNewc(patched(valid, CPIO_FIELD.FILESIZE, "FFFFFFFF")), 116, /runs past the end/);
  });

  it("rejects an archive without a trailer, even one cut at an entry boundary", () => {
    expectError(readCpioNewc(valid.subarray(0, 124)), 124, /ends without a TRAILER!!! entry/);
  });

  it("rejects a trailer with data and a symlink without a target", () => {
    expectError(
      readCpioNewc(patched(valid, 124 + CPIO_FIELD.FILESIZE, "00000004")),
      124,
      /TRAILER!!! entry has a non-zero/,
    );
    const link = writeCpioNewc([entry("l", { mode: FILE_TYPE.SYMLINK | 0o777, data: text("t") })]);
    const empty = patched(link, CPIO_FIELD.FILESIZE, "00000000");
    expectError(readCpioNewc(empty), CPIO_FIELD.FILESIZE, /symlink "l" has no target/);
  });

  it("rejects compressed members and misaligned bytes after the padding", () => {
    const gzip = new Uint8Array(valid.length + 4);
    gzip.set(valid);
    gzip.set([0x1f, 0x8b, 8, 0], valid.length);
    expectError(readCpioNewc(gzip), valid.length, /gzip-compressed member/);
    const misaligned = new Uint8Array(valid.length + 8);
    misaligned.set(valid);
    misaligned[valid.length + 1] = 0x30;
    expectError(readCpioNewc(misaligned), valid.length + 1, /not a multiple of 4/);
  });
});

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const nameCharacter = fc.integer({ min: 1, max: 0xff }).map((code) => String.fromCharCode(code));
const entryName = fc
  .array(nameCharacter, { minLength: 1, maxLength: 40 })
  .map((characters) => characters.join(""))
  .filter((name) => name !== CPIO.TRAILER_NAME);
const permissions = fc.integer({ min: 0, max: 0o7777 });
const bytes = fc.uint8Array({ maxLength: 70 });

/** Entries of every type; nlink 1 (hard links have their own test), so data is preserved as given. */
const arbitraryEntry = fc
  .record({
    name: entryName,
    ino: uint32,
    permissions,
    uid: uint32,
    gid: uint32,
    mtime: uint32,
    devmajor: uint32,
    devminor: uint32,
    rdevmajor: uint32,
    rdevminor: uint32,
    type: fc.constantFrom(
      FILE_TYPE.REGULAR,
      FILE_TYPE.DIRECTORY,
      FILE_TYPE.SYMLINK,
      FILE_TYPE.CHAR_DEVICE,
      FILE_TYPE.BLOCK_DEVICE,
      FILE_TYPE.FIFO,
      FILE_TYPE.SOCKET,
    ),
    data: bytes,
    directoryLinks: fc.integer({ min: 1, max: 0xffffffff }),
  })
  .map(({ type, permissions, data, directoryLinks, ...fields }): CpioEntry => {
    const carriesData = type === FILE_TYPE.REGULAR || type === FILE_TYPE.SYMLINK;
    const target = type === FILE_TYPE.SYMLINK && data.length === 0 ? Uint8Array.of(0x2e) : data;
    return {
      ...fields,
      mode: type | permissions,
      nlink: type === FILE_TYPE.DIRECTORY ? directoryLinks : 1,
      data: carriesData ? target : new Uint8Array(0),
    };
  });

describe("cpio round trips (fast-check, fixed seeds)", () => {
  it("read(write(entries)) gives the entries back, newc and crc", () => {
    fc.assert(
      fc.property(fc.array(arbitraryEntry, { maxLength: 12 }), fc.boolean(), (entries, checksum) => {
        const archive = writeCpioNewc(entries, { checksum });
        expect(archive.length % CPIO.ALIGNMENT).toBe(0);
        expect(readOk(archive)).toEqual(entries);
      }),
      { seed: 0x5eed_c910, numRuns: 300 },
    );
  });

  it("hard-link groups round-trip when every member holds the file's data", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), bytes, uint32, (members, data, ino) => {
        const group = Array.from({ length: members }, (_, index) =>
          entry(`link${index}`, { ino, nlink: members, data }),
        );
        expect(readOk(writeCpioNewc(group))).toEqual(group);
      }),
      { seed: 0x11_4c, numRuns: 100 },
    );
  });

  it("the reader never throws on truncated or corrupted archives", () => {
    const damage = fc.record({
      cut: fc.nat(),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryEntry, { minLength: 1, maxLength: 4 }),
        damage,
        (entries, { cut, flips }) => {
          const archive = writeCpioNewc(entries);
          for (const flip of flips) archive[flip.at % archive.length] = flip.value;
          const result = readCpioNewc(archive.subarray(0, cut % (archive.length + 1)));
          if (isCpioError(result)) {
            expect(result.message).toMatch(/\(at byte \d+\)\.$/);
            expect(result.offset).toBeGreaterThanOrEqual(0);
            expect(result.offset).toBeLessThanOrEqual(archive.length);
          } else {
            expect(Array.isArray(result)).toBe(true);
          }
        },
      ),
      { seed: 0xf022, numRuns: 500 },
    );
  });
});
