/**
 * populateFromCpio: names resolved from the root in every spelling, missing
 * parents created, later entries replacing earlier ones, hard links sharing
 * one inode, attributes and directory times, failures reported per entry;
 * and a GNU cpio archive of a real tree unpacked into a tree that matches it
 * (skipped when /usr/bin/cpio is absent).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ERRNO } from "@tsos/syscall";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CpioEntry, isCpioError, readCpioNewc, writeCpioNewc } from "./cpio";
import type { Inode } from "./inode";
import { FILE_TYPE } from "./mode";
import { Ramfs } from "./ramfs";

const GNU_CPIO = "/usr/bin/cpio";
const hasGnuCpio = fs.existsSync(GNU_CPIO);
const SKIP_REASON = hasGnuCpio
  ? ""
  : ` (skipped: GNU cpio is not installed at ${GNU_CPIO}; Debian package "cpio")`;
const SECOND = 1e9;

const bytes = (value: string) => Uint8Array.from(value, (character) => character.charCodeAt(0));

function entry(name: string, mode: number, overrides: Partial<CpioEntry> = {}): CpioEntry {
  return {
    name,
    ino: 0,
    mode,
    uid: 0,
    gid: 0,
    nlink: 1,
    mtime: 100,
    devmajor: 0,
    devminor: 0,
    rdevmajor: 0,
    rdevminor: 0,
    data: new Uint8Array(0),
    ...overrides,
  };
}
const directory = (name: string, overrides: Partial<CpioEntry> = {}) =>
  entry(name, FILE_TYPE.DIRECTORY | 0o755, { nlink: 2, ...overrides });
const file = (name: string, contents: string, overrides: Partial<CpioEntry> = {}) =>
  entry(name, FILE_TYPE.REGULAR | 0o644, { data: bytes(contents), ...overrides });
const symlink = (name: string, target: string) =>
  entry(name, FILE_TYPE.SYMLINK | 0o777, { data: bytes(target) });

let now: number;
let ramfs: Ramfs;

function found(pathname: string, follow = true): Inode {
  const result = ramfs.lookup(ramfs.root, pathname, follow);
  if (typeof result === "number") throw new Error(`${pathname}: errno ${result}`);
  return result;
}

function contents(inode: Inode): string {
  const buffer = new Uint8Array(inode.size);
  ramfs.read(inode, 0, buffer);
  return String.fromCharCode(...buffer);
}

beforeEach(() => {
  now = 5 * SECOND;
  ramfs = new Ramfs(() => now);
});

describe("populateFromCpio", () => {
  it("resolves bin/x, ./bin/x and /bin/x alike and applies '.' to the root", () => {
    const failures = ramfs.populateFromCpio([
      directory(".", { mode: FILE_TYPE.DIRECTORY | 0o700, uid: 3, gid: 4, mtime: 7 }),
      directory("./bin"),
      file("bin/a", "a"),
      file("./bin/b", "b"),
      file("/bin/c", "c"),
      file("/bin//../bin/./d", "d"),
    ]);
    expect(failures).toEqual([]);
    expect(ramfs.root.mode).toBe(FILE_TYPE.DIRECTORY | 0o700);
    expect([ramfs.root.uid, ramfs.root.gid, ramfs.root.mtime]).toEqual([3, 4, 7 * SECOND]);
    expect(["a", "b", "c", "d"].map((name) => contents(found(`/bin/${name}`)))).toEqual(["a", "b", "c", "d"]);
  });

  it("creates missing parent directories as 0755 root:root", () => {
    expect(ramfs.populateFromCpio([file("usr/lib/x/libc.so", "elf")])).toEqual([]);
    const lib = found("/usr/lib");
    expect([lib.mode, lib.uid, lib.gid]).toEqual([FILE_TYPE.DIRECTORY | 0o755, 0, 0]);
    expect(contents(found("/usr/lib/x/libc.so"))).toBe("elf");
  });

  it("creates every file type with its attributes, symlinks and devices included", () => {
    const failures = ramfs.populateFromCpio([
      directory("dev", { mtime: 50 }),
      entry("dev/console", FILE_TYPE.CHAR_DEVICE | 0o600, { rdevmajor: 5, rdevminor: 1 }),
      entry("dev/sda", FILE_TYPE.BLOCK_DEVICE | 0o660, { rdevmajor: 8, gid: 6 }),
      entry("dev/initctl", FILE_TYPE.FIFO | 0o600),
      entry("dev/log", FILE_TYPE.SOCKET | 0o666),
      file("init", "#!/bin/sh\n", { mode: FILE_TYPE.REGULAR | 0o4755, uid: 1, gid: 2, mtime: 60 }),
      symlink("sbin", "bin"),
    ]);
    expect(failures).toEqual([]);
    const console = found("/dev/console");
    expect([console.mode, console.rdevMajor, console.rdevMinor]).toEqual([
      FILE_TYPE.CHAR_DEVICE | 0o600,
      5,
      1,
    ]);
    expect([found("/dev/sda").mode, found("/dev/sda").gid]).toEqual([FILE_TYPE.BLOCK_DEVICE | 0o660, 6]);
    expect(found("/dev/initctl").mode).toBe(FILE_TYPE.FIFO | 0o600);
    expect(found("/dev/log").mode).toBe(FILE_TYPE.SOCKET | 0o666);
    const init = found("/init");
    expect([init.mode, init.uid, init.gid, init.mtime, init.atime, init.ctime]).toEqual([
      FILE_TYPE.REGULAR | 0o4755,
      1,
      2,
      60 * SECOND,
      60 * SECOND,
      5 * SECOND,
    ]);
    expect(ramfs.readlink(found("/sbin", false))).toBe("bin");
    // Directory times are set last: adding dev/* did not leave "now" on /dev.
    expect(found("/dev").mtime).toBe(50 * SECOND);
  });

  it("makes hard-link members names of one inode, whichever member carries the data", () => {
    const failures = ramfs.populateFromCpio([
      file("bin/busybox", "", { ino: 9, nlink: 3 }),
      file("bin/sh", "", { ino: 9, nlink: 3 }),
      file("bin/ls", "BusyBox v1", { ino: 9, nlink: 3 }),
      file("bin/other", "", { ino: 9, nlink: 1 }), // nlink 1: not part of the group
    ]);
    expect(failures).toEqual([]);
    const busybox = found("/bin/busybox");
    expect(found("/bin/sh")).toBe(busybox);
    expect(found("/bin/ls")).toBe(busybox);
    expect(found("/bin/other")).not.toBe(busybox);
    expect([busybox.nlink, contents(busybox)]).toEqual([3, "BusyBox v1"]);
  });

  it("links GNU-style groups read back from an archive without copying the data per member", () => {
    const archive = writeCpioNewc([
      file("a", "same", { ino: 4, nlink: 2 }),
      file("b", "same", { ino: 4, nlink: 2 }),
    ]);
    const entries = readCpioNewc(archive);
    if (isCpioError(entries)) throw new Error(entries.message);
    expect(ramfs.populateFromCpio(entries)).toEqual([]);
    expect(found("/a")).toBe(found("/b"));
    expect(contents(found("/a"))).toBe("same");
  });

  it("lets later entries replace earlier ones of another kind, keeping directories", () => {
    const failures = ramfs.populateFromCpio([
      file("etc/motd", "old"),
      directory("etc", { mode: FILE_TYPE.DIRECTORY | 0o700 }),
      file("etc/motd", "new"),
      file("lib", "a file first"),
      directory("lib"),
      directory("var"),
      symlink("var", "/tmp"), // an empty directory is replaced
      directory("usr"),
      file("usr/x", "x"),
      file("usr", "cannot replace a non-empty directory"),
    ]);
    expect(failures).toEqual([{ name: "usr", errno: -ERRNO.ENOTEMPTY }]);
    expect(contents(found("/etc/motd"))).toBe("new");
    expect(found("/etc").mode).toBe(FILE_TYPE.DIRECTORY | 0o700);
    expect(found("/lib").isDirectory).toBe(true);
    expect(found("/var", false).isSymlink).toBe(true);
    expect(found("/usr").isDirectory).toBe(true);
  });

  it("reports unknown types and read-only trees per entry, and carries on", () => {
    const failures = ramfs.populateFromCpio([entry("weird", 0o644), file("ok", "fine")]);
    expect(failures).toEqual([{ name: "weird", errno: -ERRNO.EINVAL }]);
    ramfs.rootMount.readOnly = true;
    expect(ramfs.populateFromCpio([file("late", "x"), directory("ok2")])).toEqual([
      { name: "late", errno: -ERRNO.EROFS },
      { name: "ok2", errno: -ERRNO.EROFS },
    ]);
    expect(contents(found("/ok"))).toBe("fine");
  });
});

describe(`populateFromCpio from a GNU cpio archive${SKIP_REASON}`, () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tsos-populate-"));
  });
  afterEach(() => {
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it.skipIf(!hasGnuCpio)("unpacks `find . | cpio -o -H newc` into the same tree", () => {
    const root = `${scratch}/tree`;
    fs.mkdirSync(`${root}/bin`, { recursive: true });
    fs.mkdirSync(`${root}/etc/init.d`, { recursive: true });
    fs.mkdirSync(`${root}/tmp`, { mode: 0o1777 });
    fs.chmodSync(`${root}/tmp`, 0o1777);
    fs.writeFileSync(`${root}/bin/busybox`, "fake busybox binary\n", { mode: 0o755 });
    fs.linkSync(`${root}/bin/busybox`, `${root}/bin/ls`);
    fs.symlinkSync("busybox", `${root}/bin/sh`);
    fs.writeFileSync(`${root}/etc/empty`, "");
    fs.writeFileSync(`${root}/etc/odd`, "odd");
    fs.writeFileSync(`${root}/etc/init.d/rcS`, "#!/bin/sh\n", { mode: 0o700 });
    const archive = execFileSync("sh", ["-c", `find . | LC_ALL=C sort | ${GNU_CPIO} -o -H newc --quiet`], {
      cwd: root,
    });
    const entries = readCpioNewc(new Uint8Array(archive.buffer, archive.byteOffset, archive.length));
    if (isCpioError(entries)) throw new Error(entries.message);
    expect(ramfs.populateFromCpio(entries)).toEqual([]);

    const describeNative = (relative: string) => {
      const status = fs.lstatSync(`${root}/${relative}`);
      const isLink = status.isSymbolicLink();
      const isFile = status.isFile();
      return {
        mode: status.mode,
        uid: status.uid,
        gid: status.gid,
        size: isFile || isLink ? status.size : 0,
        mtime: Math.floor(status.mtimeMs / 1000) * SECOND,
        text: isFile
          ? fs.readFileSync(`${root}/${relative}`, "latin1")
          : isLink
            ? fs.readlinkSync(`${root}/${relative}`)
            : "",
      };
    };
    const describeOurs = (relative: string) => {
      const inode = found(`/${relative}`, false);
      return {
        mode: inode.mode,
        uid: inode.uid,
        gid: inode.gid,
        size: inode.size,
        mtime: inode.mtime,
        text: inode.isRegular ? contents(inode) : inode.target,
      };
    };
    for (const relative of [
      "bin",
      "bin/busybox",
      "bin/ls",
      "bin/sh",
      "etc",
      "etc/empty",
      "etc/odd",
      "etc/init.d",
      "etc/init.d/rcS",
      "tmp",
    ]) {
      expect(describeOurs(relative), relative).toEqual(describeNative(relative));
    }
    expect(found("/bin/ls")).toBe(found("/bin/busybox"));
    expect(found("/bin/ls").nlink).toBe(2);
    expect(ramfs.root.mode).toBe(fs.lstatSync(root).mode);
  });
});
