/**
 * Differential tests of the cpio codec against GNU cpio (/usr/bin/cpio,
 * Debian package `cpio`): archives GNU cpio writes from a real directory tree
 * (files, nested directories, a symlink, an empty file, an odd-length file, a
 * hard link, a non-UTF-8 name) read back with every lstat(2) field; archives
 * we write extract with `cpio -idm` and list with `cpio -itv`.
 * Skipped when GNU cpio is not installed.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CpioEntry, isCpioError, readCpioNewc, writeCpioNewc } from "./cpio";
import { FILE_TYPE } from "./mode";

const GNU_CPIO = "/usr/bin/cpio";
const hasGnuCpio = fs.existsSync(GNU_CPIO);
/** Shown in the suite's name when skipped, so the report says why. */
const SKIP_REASON = hasGnuCpio
  ? ""
  : ` (skipped: GNU cpio is not installed at ${GNU_CPIO}; Debian package "cpio")`;
const gnuIt = it.skipIf(!hasGnuCpio);

/** A path under `root` for an archive name (Latin-1 string → the same bytes). */
const hostPath = (root: string, name: string) =>
  Buffer.concat([Buffer.from(`${root}/`), Buffer.from(name, "latin1")]);
const latin1Bytes = (value: string) => new Uint8Array(Buffer.from(value, "latin1"));

/** glibc's major()/minor() of a 64-bit dev_t (sys/sysmacros.h). */
function deviceNumbers(device: bigint): { major: number; minor: number } {
  const major = ((device >> 8n) & 0xfffn) | ((device >> 32n) & ~0xfffn);
  const minor = (device & 0xffn) | ((device >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/** Builds the sample tree; answers its names as GNU cpio spells them ("." then relative paths). */
function buildTree(root: string): string[] {
  fs.mkdirSync(`${root}/bin`);
  fs.mkdirSync(`${root}/etc/init.d`, { recursive: true });
  fs.writeFileSync(`${root}/bin/busybox`, Buffer.from("\x7fELF fake binary\n"));
  fs.writeFileSync(`${root}/etc/empty`, "");
  fs.writeFileSync(`${root}/etc/odd`, "odd"); // 3 bytes: exercises data padding
  fs.writeFileSync(`${root}/etc/init.d/rcS`, "#!/bin/sh\necho hello\n", { mode: 0o755 });
  fs.symlinkSync("busybox", `${root}/bin/sh`);
  fs.linkSync(`${root}/bin/busybox`, `${root}/bin/ls`);
  fs.writeFileSync(hostPath(root, "etc/caf\u00e9"), "latin-1 name");
  return [
    ".",
    "bin",
    "bin/busybox",
    "bin/ls",
    "bin/sh",
    "etc",
    "etc/caf\u00e9",
    "etc/empty",
    "etc/init.d",
    "etc/init.d/rcS",
    "etc/odd",
  ];
}

function gnuArchive(root: string, format: "newc" | "crc"): Uint8Array {
  const output = execFileSync("sh", ["-c", `find . | LC_ALL=C sort | ${GNU_CPIO} -o -H ${format} --quiet`], {
    cwd: root,
  });
  return new Uint8Array(output.buffer, output.byteOffset, output.length);
}

function readOk(bytes: Uint8Array): CpioEntry[] {
  const result = readCpioNewc(bytes);
  if (isCpioError(result)) throw new Error(result.message);
  return result;
}

/** What an entry GNU cpio made from `name` must hold, from lstat(2) and the file itself. */
function expectedEntry(root: string, name: string): CpioEntry {
  const file = hostPath(root, name);
  const status = fs.lstatSync(file, { bigint: true });
  const mode = Number(status.mode);
  const type = mode & FILE_TYPE.MASK;
  let data = new Uint8Array(0);
  if (type === FILE_TYPE.REGULAR) data = new Uint8Array(fs.readFileSync(file));
  if (type === FILE_TYPE.SYMLINK) data = new Uint8Array(fs.readlinkSync(file, { encoding: "buffer" }));
  const device = deviceNumbers(status.dev);
  return {
    name,
    ino: Number(status.ino & 0xffffffffn),
    mode,
    uid: Number(status.uid),
    gid: Number(status.gid),
    nlink: Number(status.nlink),
    mtime: Number(status.mtimeMs / 1000n),
    devmajor: device.major,
    devminor: device.minor,
    rdevmajor: 0,
    rdevminor: 0,
    data,
  };
}

describe(`GNU cpio interoperability${SKIP_REASON}`, () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tsos-cpio-"));
  });
  afterEach(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  gnuIt("reads what `cpio -o -H newc` writes, field for field", () => {
    const root = `${scratch}/tree`;
    fs.mkdirSync(root);
    const names = buildTree(root);
    const entries = readOk(gnuArchive(root, "newc"));
    expect(entries.map((entry) => entry.name)).toEqual(names);
    for (const entry of entries) expect(entry).toEqual(expectedEntry(root, entry.name));
    // GNU cpio stores the hard-linked contents once (on the last link); both names get them.
    const busybox = entries.find((entry) => entry.name === "bin/busybox")!;
    const ls = entries.find((entry) => entry.name === "bin/ls")!;
    expect(busybox.nlink).toBe(2);
    expect(busybox.ino).toBe(ls.ino);
    expect(busybox.data).toBe(ls.data);
  });

  gnuIt("reads and verifies what `cpio -o -H crc` writes", () => {
    const root = `${scratch}/tree`;
    fs.mkdirSync(root);
    buildTree(root);
    const archive = gnuArchive(root, "crc");
    expect(String.fromCharCode(...archive.subarray(0, 6))).toBe("070702");
    const entries = readOk(archive);
    for (const entry of entries) expect(entry).toEqual(expectedEntry(root, entry.name));
    const rcs = entries.findIndex((entry) => entry.name === "etc/init.d/rcS");
    const corrupted = archive.slice();
    const dataOffset = findData(archive, "#!/bin/sh");
    corrupted[dataOffset] = corrupted[dataOffset]! ^ 0x20;
    const result = readCpioNewc(corrupted);
    expect(rcs).toBeGreaterThan(0);
    expect(isCpioError(result) && result.message).toMatch(
      /"etc\/init.d\/rcS" does not match its crc checksum/,
    );
  });

  gnuIt("writes archives `cpio -idm` extracts to the same tree", () => {
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const mtime = 1_700_000_000;
    const base = { uid, gid, mtime, devmajor: 0, devminor: 0, rdevmajor: 0, rdevminor: 0 };
    const directory = (name: string, ino: number): CpioEntry => ({
      ...base,
      name,
      ino,
      mode: FILE_TYPE.DIRECTORY | 0o755,
      nlink: 2,
      data: new Uint8Array(0),
    });
    const file = (name: string, ino: number, contents: string, mode = 0o644, nlink = 1): CpioEntry => ({
      ...base,
      name,
      ino,
      mode: FILE_TYPE.REGULAR | mode,
      nlink,
      data: latin1Bytes(contents),
    });
    const entries: CpioEntry[] = [
      directory("bin", 1),
      file("bin/busybox", 2, "fake busybox\n", 0o755, 2),
      file("bin/ls", 2, "fake busybox\n", 0o755, 2),
      {
        ...base,
        name: "bin/sh",
        ino: 3,
        mode: FILE_TYPE.SYMLINK | 0o777,
        nlink: 1,
        data: latin1Bytes("busybox"),
      },
      directory("etc", 4),
      directory("etc/init.d", 5),
      file("etc/empty", 6, ""),
      file("etc/odd", 7, "odd"),
      file("etc/init.d/rcS", 8, "#!/bin/sh\n", 0o700),
      file("etc/caf\u00e9", 9, "latin-1 name"),
    ];
    const archivePath = `${scratch}/ours.cpio`;
    fs.writeFileSync(archivePath, writeCpioNewc(entries));
    const out = `${scratch}/out`;
    fs.mkdirSync(out);
    execFileSync(GNU_CPIO, ["-idm", "--quiet", "-F", archivePath], { cwd: out });
    for (const entry of entries) {
      // Inode and device numbers are the host's; `cpio -m` restores the times of regular files only.
      const extracted = expectedEntry(out, entry.name);
      const isRegular = (entry.mode & FILE_TYPE.MASK) === FILE_TYPE.REGULAR;
      const ignored = { ino: 0, nlink: 0, devmajor: 0, devminor: 0, ...(isRegular ? {} : { mtime: 0 }) };
      expect({ ...extracted, ...ignored }).toEqual({ ...entry, ...ignored });
    }
    const busybox = fs.statSync(`${out}/bin/busybox`);
    expect(fs.statSync(`${out}/bin/ls`).ino).toBe(busybox.ino);
    expect(busybox.nlink).toBe(2);
  });

  gnuIt("writes device nodes and modes `cpio -itv` lists as ls -l would", () => {
    const base = {
      ino: 1,
      uid: 0,
      gid: 0,
      nlink: 1,
      mtime: 0,
      devmajor: 0,
      devminor: 0,
      rdevmajor: 0,
      rdevminor: 0,
    };
    const entries: CpioEntry[] = [
      { ...base, name: "dev", mode: FILE_TYPE.DIRECTORY | 0o755, nlink: 2, data: new Uint8Array(0) },
      {
        ...base,
        ino: 2,
        name: "dev/console",
        mode: FILE_TYPE.CHAR_DEVICE | 0o600,
        rdevmajor: 5,
        rdevminor: 1,
        data: new Uint8Array(0),
      },
      { ...base, ino: 3, name: "dev/fifo", mode: FILE_TYPE.FIFO | 0o644, data: new Uint8Array(0) },
      { ...base, ino: 4, name: "init", mode: FILE_TYPE.REGULAR | 0o4755, data: latin1Bytes("#!/bin/sh\n") },
    ];
    const listing = execFileSync(GNU_CPIO, ["-itv", "--quiet", "--numeric-uid-gid"], {
      input: writeCpioNewc(entries),
      env: { ...process.env, TZ: "UTC", LC_ALL: "C" },
    }).toString();
    const lines = listing.trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^drwxr-xr-x\s+2 0\s+0\s+0 .* dev$/);
    expect(lines[1]).toMatch(/^crw-------\s+1 0\s+0\s+5,\s+1 .* dev\/console$/);
    expect(lines[2]).toMatch(/^prw-r--r--\s+1 0\s+0\s+0 .* dev\/fifo$/);
    expect(lines[3]).toMatch(/^-rwsr-xr-x\s+1 0\s+0\s+10 .* init$/);
  });
});

/** Offset of the first occurrence of `needle` in `haystack`. */
function findData(haystack: Uint8Array, needle: string): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).indexOf(needle);
}
