/**
 * Ramfs: path resolution (path_resolution(7) cases: dots, repeated and
 * trailing slashes, symlinks and the 40-link limit, NAME_MAX / PATH_MAX),
 * each operation's errno outcomes, link counts and times, mounts with
 * read-only trees and EROFS precedence, file contents (sparse writes,
 * truncation, ENOSPC), readdir positions, and a fast-check run of file
 * writes/truncates against a plain byte-array model (fixed seed).
 */
import { ERRNO } from "@tsos/syscall";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { DIRECTORY_POSITION, FS_LIMIT, type Inode } from "./inode";
import { DIRENT_TYPE, FILE_TYPE } from "./mode";
import { Ramfs } from "./ramfs";

const bytes = (value: string) => Uint8Array.from(value, (character) => character.charCodeAt(0));

let now: number;
let ramfs: Ramfs;
let root: Inode;

function inode(result: Inode | number): Inode {
  if (typeof result === "number") throw new Error(`expected an inode, got errno ${result}`);
  return result;
}

function contents(file: Inode): string {
  const buffer = new Uint8Array(file.size);
  expect(ramfs.read(file, 0, buffer)).toBe(file.size);
  return String.fromCharCode(...buffer);
}

function names(directory: Inode): string[] {
  const listing = ramfs.listDirectory(directory);
  if (typeof listing === "number") throw new Error(`errno ${listing}`);
  return listing.map((entry) => entry.name);
}

beforeEach(() => {
  now = 1_000;
  ramfs = new Ramfs(() => now);
  root = ramfs.root;
  inode(ramfs.mkdir(root, "/usr", 0o755));
  inode(ramfs.mkdir(root, "/usr/bin", 0o755));
  const sh = inode(ramfs.createFile(root, "/usr/bin/sh", 0o755, true));
  ramfs.write(sh, 0, bytes("#!"));
  inode(ramfs.symlink(root, "usr/bin", "/bin"));
  inode(ramfs.symlink(root, "/usr/bin/sh", "/sh"));
  inode(ramfs.symlink(root, "missing", "/dangling"));
});

describe("path resolution", () => {
  it("resolves absolute and relative paths, dots, and repeated slashes", () => {
    const usr = inode(ramfs.lookup(root, "/usr"));
    const sh = inode(ramfs.lookup(root, "/usr/bin/sh"));
    expect(ramfs.lookup(usr, "bin/sh")).toBe(sh);
    expect(ramfs.lookup(usr, "./bin/../bin/./sh")).toBe(sh);
    expect(ramfs.lookup(root, "//usr///bin//sh")).toBe(sh);
    expect(ramfs.lookup(usr, "/usr")).toBe(usr);
    expect(ramfs.lookup(root, "/")).toBe(root);
    expect(ramfs.lookup(root, "/..")).toBe(root);
    expect(ramfs.lookup(root, "../../usr")).toBe(usr);
    expect(ramfs.lookup(usr, ".")).toBe(usr);
    expect(ramfs.lookup(usr, "..")).toBe(root);
  });

  it("answers ENOENT for an empty path or missing component, ENOTDIR through a file", () => {
    expect(ramfs.lookup(root, "")).toBe(-ERRNO.ENOENT);
    expect(ramfs.lookup(root, "/nope")).toBe(-ERRNO.ENOENT);
    expect(ramfs.lookup(root, "/nope/..")).toBe(-ERRNO.ENOENT);
    expect(ramfs.lookup(root, "/usr/bin/sh/x")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.lookup(root, "/usr/bin/sh/.")).toBe(-ERRNO.ENOTDIR);
    const sh = inode(ramfs.lookup(root, "/usr/bin/sh"));
    expect(ramfs.lookup(sh, "x")).toBe(-ERRNO.ENOTDIR);
  });

  it("requires a directory after a trailing slash", () => {
    expect(ramfs.lookup(root, "/usr/")).toBe(ramfs.lookup(root, "/usr"));
    expect(ramfs.lookup(root, "/usr/bin/sh/")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.lookup(root, "/sh/")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.lookup(root, "/sh/", false)).toBe(-ERRNO.ENOTDIR);
  });

  it("follows symlinks in the middle always, and at the end when asked or before a slash", () => {
    const sh = inode(ramfs.lookup(root, "/usr/bin/sh"));
    const bin = inode(ramfs.lookup(root, "/usr/bin"));
    expect(ramfs.lookup(root, "/bin/sh")).toBe(sh);
    expect(ramfs.lookup(root, "/sh")).toBe(sh);
    const link = inode(ramfs.lookup(root, "/sh", false));
    expect(link.isSymlink).toBe(true);
    expect(ramfs.readlink(link)).toBe("/usr/bin/sh");
    expect(ramfs.lookup(root, "/bin/", false)).toBe(bin);
    expect(ramfs.lookup(root, "/bin/..")).toBe(inode(ramfs.lookup(root, "/usr")));
    expect(ramfs.lookup(root, "/dangling")).toBe(-ERRNO.ENOENT);
    expect(inode(ramfs.lookup(root, "/dangling", false)).isSymlink).toBe(true);
  });

  it("follows 40 symlinks and answers ELOOP for the 41st", () => {
    let previous = "/usr/bin/sh";
    for (let index = 1; index <= 41; index++) {
      inode(ramfs.symlink(root, previous, `/chain${index}`));
      previous = `chain${index}`;
    }
    expect(ramfs.lookup(root, "/chain40")).toBe(ramfs.lookup(root, "/usr/bin/sh"));
    expect(ramfs.lookup(root, "/chain41")).toBe(-ERRNO.ELOOP);
    expect(inode(ramfs.lookup(root, "/chain41", false)).isSymlink).toBe(true);
    inode(ramfs.symlink(root, "self", "/self"));
    expect(ramfs.lookup(root, "/self")).toBe(-ERRNO.ELOOP);
    expect(ramfs.lookup(root, "/self/x")).toBe(-ERRNO.ELOOP);
  });

  it("answers ENAMETOOLONG past NAME_MAX per component and PATH_MAX - 1 per path", () => {
    expect(ramfs.lookup(root, "a".repeat(FS_LIMIT.NAME_MAX))).toBe(-ERRNO.ENOENT);
    expect(ramfs.lookup(root, "a".repeat(FS_LIMIT.NAME_MAX + 1))).toBe(-ERRNO.ENAMETOOLONG);
    expect(ramfs.lookup(root, `/nope/${"a".repeat(300)}`)).toBe(-ERRNO.ENOENT);
    const longest = `/${"./".repeat(2045)}/usr`; // 4096 - 1 bytes
    expect(longest.length).toBe(FS_LIMIT.PATH_MAX - 1);
    expect(ramfs.lookup(root, longest)).toBe(ramfs.lookup(root, "/usr"));
    expect(ramfs.lookup(root, `/${longest}`)).toBe(-ERRNO.ENAMETOOLONG);
    expect(ramfs.mkdir(root, "b".repeat(256), 0o755)).toBe(-ERRNO.ENAMETOOLONG);
  });

  it("takes byte strings: any byte but '/' and NUL is part of a name", () => {
    const name = "caf\u00e9\u00ff\u0001 x";
    const file = inode(ramfs.createFile(root, `/${name}`, 0o644, true));
    expect(ramfs.lookup(root, `/${name}`)).toBe(file);
    expect(names(root)).toContain(name);
  });
});

describe("creating and removing names", () => {
  it("createFile has O_CREAT and O_CREAT|O_EXCL semantics", () => {
    const file = inode(ramfs.createFile(root, "/new", 0o640, true, { uid: 7, gid: 8 }));
    expect(file.mode).toBe(FILE_TYPE.REGULAR | 0o640);
    expect([file.uid, file.gid, file.nlink, file.size]).toEqual([7, 8, 1, 0]);
    expect(ramfs.createFile(root, "/new", 0o640, false)).toBe(file);
    expect(ramfs.createFile(root, "/new", 0o640, true)).toBe(-ERRNO.EEXIST);
    expect(ramfs.createFile(root, "/sh", 0o640, false)).toBe(ramfs.lookup(root, "/usr/bin/sh"));
    expect(ramfs.createFile(root, "/sh", 0o640, true)).toBe(-ERRNO.EEXIST);
    expect(ramfs.createFile(root, "/dangling", 0o640, true)).toBe(-ERRNO.EEXIST);
    expect(ramfs.createFile(root, "/usr", 0o640, false)).toBe(-ERRNO.EISDIR);
    expect(ramfs.createFile(root, "/usr", 0o640, true)).toBe(-ERRNO.EEXIST);
    expect(ramfs.createFile(root, "/x/", 0o640, false)).toBe(-ERRNO.EISDIR);
    expect(ramfs.createFile(root, "/usr/", 0o640, true)).toBe(-ERRNO.EISDIR);
    expect(ramfs.createFile(root, "/", 0o640, false)).toBe(-ERRNO.EISDIR);
    expect(ramfs.createFile(root, "/", 0o640, true)).toBe(-ERRNO.EEXIST);
    expect(ramfs.createFile(root, "/usr/.", 0o640, true)).toBe(-ERRNO.EEXIST);
    expect(ramfs.createFile(root, "/nope/x", 0o640, false)).toBe(-ERRNO.ENOENT);
  });

  it("createFile through a dangling symlink creates its target", () => {
    const file = inode(ramfs.createFile(root, "/dangling", 0o600, false));
    expect(ramfs.lookup(root, "/missing")).toBe(file);
  });

  it("mkdir counts links, sets times and refuses existing names", () => {
    now = 5_000;
    const usr = inode(ramfs.lookup(root, "/usr"));
    const before = usr.nlink;
    const lib = inode(ramfs.mkdir(root, "/usr/lib/", 0o1777));
    expect(lib.mode).toBe(FILE_TYPE.DIRECTORY | 0o1777);
    expect(lib.nlink).toBe(2);
    expect(usr.nlink).toBe(before + 1);
    expect([lib.atime, lib.mtime, lib.ctime, usr.mtime, usr.ctime]).toEqual([
      5_000, 5_000, 5_000, 5_000, 5_000,
    ]);
    expect(ramfs.lookup(lib, "..")).toBe(usr);
    for (const path of [
      "/usr/lib",
      "/sh",
      "/dangling",
      "/",
      "/usr/.",
      "/usr/..",
      "/usr/bin/sh/",
      "/dangling/",
    ]) {
      expect(ramfs.mkdir(root, path, 0o755), path).toBe(-ERRNO.EEXIST);
    }
    expect(ramfs.mkdir(root, "/nope/x", 0o755)).toBe(-ERRNO.ENOENT);
  });

  it("symlink and mknod refuse existing names and a trailing slash on a new name", () => {
    expect(ramfs.symlink(root, "t", "/usr")).toBe(-ERRNO.EEXIST);
    expect(ramfs.symlink(root, "t", "/new/")).toBe(-ERRNO.ENOENT);
    expect(ramfs.symlink(root, "", "/empty")).toBe(-ERRNO.ENOENT);
    expect(ramfs.symlink(root, "x".repeat(4096), "/long")).toBe(-ERRNO.ENAMETOOLONG);
    const console = inode(ramfs.mknod(root, "/console", FILE_TYPE.CHAR_DEVICE | 0o600, 5, 1));
    expect([console.mode, console.rdevMajor, console.rdevMinor]).toEqual([
      FILE_TYPE.CHAR_DEVICE | 0o600,
      5,
      1,
    ]);
    expect(inode(ramfs.mknod(root, "/plain", 0o644, 0, 0)).mode).toBe(FILE_TYPE.REGULAR | 0o644);
    expect(ramfs.mknod(root, "/console", FILE_TYPE.FIFO | 0o600, 0, 0)).toBe(-ERRNO.EEXIST);
    expect(ramfs.mknod(root, "/d", FILE_TYPE.DIRECTORY | 0o755, 0, 0)).toBe(-ERRNO.EPERM);
    expect(ramfs.mknod(root, "/l", FILE_TYPE.SYMLINK | 0o777, 0, 0)).toBe(-ERRNO.EINVAL);
    expect(ramfs.mknod(root, "/u", 0o150000, 0, 0)).toBe(-ERRNO.EINVAL);
  });

  it("unlink removes non-directories only, keeping the inode for other links", () => {
    const sh = inode(ramfs.lookup(root, "/usr/bin/sh"));
    expect(ramfs.link(root, "/usr/bin/sh", root, "/usr/bin/ash")).toBe(0);
    expect(sh.nlink).toBe(2);
    now = 9_000;
    expect(ramfs.unlink(root, "/usr/bin/sh")).toBe(0);
    expect([sh.nlink, sh.ctime]).toEqual([1, 9_000]);
    expect(ramfs.lookup(root, "/usr/bin/ash")).toBe(sh);
    expect(ramfs.unlink(root, "/sh")).toBe(0); // the link itself, not its target
    expect(ramfs.unlink(root, "/usr")).toBe(-ERRNO.EISDIR);
    expect(ramfs.unlink(root, "/usr/")).toBe(-ERRNO.EISDIR);
    expect(ramfs.unlink(root, "/bin/")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.unlink(root, "/usr/bin/ash/")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.unlink(root, "/nope")).toBe(-ERRNO.ENOENT);
    expect(ramfs.unlink(root, "/nope/")).toBe(-ERRNO.ENOENT);
    expect(ramfs.unlink(root, "/")).toBe(-ERRNO.EISDIR);
    expect(ramfs.unlink(root, ".")).toBe(-ERRNO.EISDIR);
  });

  it("rmdir refuses dots, the root, non-directories and non-empty directories", () => {
    inode(ramfs.mkdir(root, "/empty", 0o755));
    expect(ramfs.rmdir(root, "/usr")).toBe(-ERRNO.ENOTEMPTY);
    expect(ramfs.rmdir(root, "/usr/bin/sh")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.rmdir(root, "/bin")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.rmdir(root, "/bin/")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.rmdir(root, "/usr/.")).toBe(-ERRNO.EINVAL);
    expect(ramfs.rmdir(root, "/usr/..")).toBe(-ERRNO.ENOTEMPTY);
    expect(ramfs.rmdir(root, "/")).toBe(-ERRNO.EBUSY);
    expect(ramfs.rmdir(root, "/nope")).toBe(-ERRNO.ENOENT);
    const empty = inode(ramfs.lookup(root, "/empty"));
    const links = root.nlink;
    expect(ramfs.rmdir(root, "/empty/")).toBe(0);
    expect([empty.nlink, root.nlink]).toEqual([0, links - 1]);
    // A removed working directory is empty and takes no new names.
    expect(ramfs.lookup(empty, ".")).toBe(empty);
    expect(ramfs.createFile(empty, "x", 0o644, true)).toBe(-ERRNO.ENOENT);
    expect(ramfs.mkdir(empty, "x", 0o755)).toBe(-ERRNO.ENOENT);
    expect(ramfs.readdir(empty, 0, () => true)).toBe(-ERRNO.ENOENT);
  });

  it("link refuses directories, existing names and crossing mounts", () => {
    expect(ramfs.link(root, "/usr", root, "/usr2")).toBe(-ERRNO.EPERM);
    expect(ramfs.link(root, "/usr/bin/sh", root, "/sh")).toBe(-ERRNO.EEXIST);
    expect(ramfs.link(root, "/nope", root, "/x")).toBe(-ERRNO.ENOENT);
    expect(ramfs.link(root, "/dangling", root, "/dangling2")).toBe(0); // the link itself
    inode(ramfs.mkdir(root, "/tmp", 0o755));
    expect(typeof ramfs.mount(root, "/tmp", { rootMode: 0o1777 })).toBe("object");
    expect(ramfs.link(root, "/usr/bin/sh", root, "/tmp/sh")).toBe(-ERRNO.EXDEV);
  });
});

describe("rename", () => {
  it("moves files and directories, keeping link counts and parents right", () => {
    inode(ramfs.mkdir(root, "/etc", 0o755));
    const usr = inode(ramfs.lookup(root, "/usr"));
    const etc = inode(ramfs.lookup(root, "/etc"));
    const bin = inode(ramfs.lookup(root, "/usr/bin"));
    const [usrLinks, etcLinks] = [usr.nlink, etc.nlink];
    now = 7_000;
    expect(ramfs.rename(root, "/usr/bin", root, "/etc/bin")).toBe(0);
    expect(ramfs.lookup(root, "/etc/bin")).toBe(bin);
    expect(ramfs.lookup(bin, "..")).toBe(etc);
    expect([usr.nlink, etc.nlink]).toEqual([usrLinks - 1, etcLinks + 1]);
    expect([usr.mtime, etc.mtime, bin.ctime]).toEqual([7_000, 7_000, 7_000]);
    expect(ramfs.rename(root, "/etc/bin/sh", root, "/etc/bin/sh2")).toBe(0);
    expect(names(bin)).toEqual([".", "..", "sh2"]);
  });

  it("replaces a compatible target and refuses the rest", () => {
    inode(ramfs.createFile(root, "/a", 0o644, true));
    const b = inode(ramfs.createFile(root, "/b", 0o644, true));
    inode(ramfs.mkdir(root, "/d", 0o755));
    inode(ramfs.mkdir(root, "/e", 0o755));
    expect(ramfs.rename(root, "/a", root, "/b")).toBe(0);
    expect(b.nlink).toBe(0);
    expect(ramfs.lookup(root, "/a")).toBe(-ERRNO.ENOENT);
    expect(ramfs.rename(root, "/b", root, "/d")).toBe(-ERRNO.EISDIR);
    expect(ramfs.rename(root, "/d", root, "/b")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.rename(root, "/d", root, "/usr")).toBe(-ERRNO.ENOTEMPTY);
    expect(ramfs.rename(root, "/usr", root, "/usr/bin/x")).toBe(-ERRNO.EINVAL);
    expect(ramfs.rename(root, "/usr", root, "/usr")).toBe(0);
    expect(ramfs.rename(root, "/b", root, "/c/")).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.rename(root, "/usr/.", root, "/x")).toBe(-ERRNO.EBUSY);
    expect(ramfs.rename(root, "/nope", root, "/x")).toBe(-ERRNO.ENOENT);
    const links = root.nlink;
    expect(ramfs.rename(root, "/d", root, "/e/")).toBe(0);
    expect(root.nlink).toBe(links - 1);
  });
});

describe("mounts and read-only trees", () => {
  let tmp: Inode;
  beforeEach(() => {
    inode(ramfs.mkdir(root, "/tmp", 0o755));
    const mount = ramfs.mount(root, "/tmp", { rootMode: 0o1777 });
    if (typeof mount === "number") throw new Error("mount failed");
    tmp = mount.root;
    ramfs.rootMount.readOnly = true;
  });

  it("crosses into the mounted root and back out through ..", () => {
    expect(ramfs.lookup(root, "/tmp")).toBe(tmp);
    expect(tmp.mode).toBe(FILE_TYPE.DIRECTORY | 0o1777);
    expect(tmp.mount.device).not.toBe(root.mount.device);
    expect(ramfs.lookup(tmp, "..")).toBe(root);
    expect(ramfs.lookup(root, "/tmp/../usr")).toBe(ramfs.lookup(root, "/usr"));
    const listing = ramfs.listDirectory(tmp);
    expect(listing).toEqual([
      { name: ".", ino: tmp.ino, type: DIRENT_TYPE.DIRECTORY, position: DIRECTORY_POSITION.DOT },
      { name: "..", ino: tmp.ino, type: DIRENT_TYPE.DIRECTORY, position: DIRECTORY_POSITION.DOT_DOT },
    ]);
  });

  it("allows changes inside the writable mount", () => {
    const file = inode(ramfs.createFile(root, "/tmp/log", 0o644, true));
    expect(ramfs.write(file, 0, bytes("ok"))).toBe(2);
    inode(ramfs.mkdir(tmp, "d", 0o755));
    expect(ramfs.rename(tmp, "log", tmp, "d/log")).toBe(0);
    expect(ramfs.unlink(root, "/tmp/d/log")).toBe(0);
    expect(ramfs.rmdir(root, "/tmp/d")).toBe(0);
  });

  it("refuses changes in the read-only tree with EROFS, after EEXIST and walk errors", () => {
    const sh = inode(ramfs.lookup(root, "/usr/bin/sh"));
    expect(ramfs.createFile(root, "/new", 0o644, false)).toBe(-ERRNO.EROFS);
    expect(ramfs.createFile(root, "/usr/bin/sh", 0o644, false)).toBe(sh); // open for reading is fine
    expect(ramfs.createFile(root, "/usr/bin/sh", 0o644, true)).toBe(-ERRNO.EEXIST);
    expect(ramfs.createFile(root, "/dangling", 0o644, false)).toBe(-ERRNO.EROFS);
    expect(ramfs.mkdir(root, "/usr", 0o755)).toBe(-ERRNO.EEXIST);
    expect(ramfs.mkdir(root, "/new", 0o755)).toBe(-ERRNO.EROFS);
    expect(ramfs.symlink(root, "t", "/sh")).toBe(-ERRNO.EEXIST);
    expect(ramfs.symlink(root, "t", "/new/")).toBe(-ERRNO.ENOENT);
    expect(ramfs.symlink(root, "t", "/new")).toBe(-ERRNO.EROFS);
    expect(ramfs.link(root, "/usr/bin/sh", root, "/sh")).toBe(-ERRNO.EEXIST);
    expect(ramfs.link(root, "/nope", root, "/new")).toBe(-ERRNO.ENOENT);
    expect(ramfs.unlink(root, "/nope")).toBe(-ERRNO.EROFS);
    expect(ramfs.unlink(root, "/nope/x")).toBe(-ERRNO.ENOENT);
    expect(ramfs.unlink(root, ".")).toBe(-ERRNO.EISDIR);
    expect(ramfs.rmdir(root, "/nope")).toBe(-ERRNO.EROFS);
    expect(ramfs.rmdir(root, "/usr/.")).toBe(-ERRNO.EINVAL);
    expect(ramfs.rename(root, "/nope", root, "/new")).toBe(-ERRNO.EROFS);
    expect(ramfs.write(sh, 0, bytes("x"))).toBe(-ERRNO.EROFS);
    expect(ramfs.truncate(sh, 0)).toBe(-ERRNO.EROFS);
    expect(ramfs.changeMode(sh, 0o777)).toBe(-ERRNO.EROFS);
    expect(ramfs.changeOwner(sh, 1, 1)).toBe(-ERRNO.EROFS);
    expect(ramfs.setTimes(sh, 1, 1)).toBe(-ERRNO.EROFS);
    expect(contents(sh)).toBe("#!");
  });

  it("keeps mountpoints busy and changes from crossing mounts", () => {
    ramfs.rootMount.readOnly = false;
    expect(ramfs.rmdir(root, "/tmp")).toBe(-ERRNO.EBUSY);
    expect(ramfs.rename(root, "/tmp", root, "/tmp2")).toBe(-ERRNO.EBUSY);
    inode(ramfs.mkdir(root, "/empty", 0o755));
    expect(ramfs.rename(root, "/empty", root, "/tmp")).toBe(-ERRNO.EBUSY); // same mount, busy target
    expect(ramfs.rename(root, "/empty", root, "/tmp/empty")).toBe(-ERRNO.EXDEV);
    inode(ramfs.createFile(root, "/tmp/f", 0o644, true));
    expect(ramfs.rename(root, "/tmp/f", root, "/f")).toBe(-ERRNO.EXDEV);
    expect(ramfs.unlink(root, "/tmp")).toBe(-ERRNO.EISDIR);
    expect(ramfs.mount(root, "/usr/bin/sh", {})).toBe(-ERRNO.ENOTDIR);
    expect(ramfs.mount(root, "/nope", {})).toBe(-ERRNO.ENOENT);
  });

  it("limits a mount's contents with ENOSPC and frees space on the last unlink", () => {
    ramfs.rootMount.readOnly = false;
    inode(ramfs.mkdir(root, "/small", 0o755));
    const small = ramfs.mount(root, "/small", { capacityBytes: 10 });
    if (typeof small === "number") throw new Error("mount failed");
    const file = inode(ramfs.createFile(root, "/small/f", 0o644, true));
    expect(ramfs.write(file, 0, bytes("12345678"))).toBe(8);
    expect(ramfs.write(file, 8, bytes("abc"))).toBe(-ERRNO.ENOSPC);
    expect(ramfs.truncate(file, 11)).toBe(-ERRNO.ENOSPC);
    expect(ramfs.write(file, 0, bytes("abc"))).toBe(3); // overwriting needs no space
    expect(small.usedBytes).toBe(8);
    expect(ramfs.unlink(root, "/small/f")).toBe(0);
    expect(small.usedBytes).toBe(0);
    expect(ramfs.write(file, 0, bytes("still writable when open"))).toBe(24);
    expect(small.usedBytes).toBe(0);
  });
});

describe("file contents", () => {
  let file: Inode;
  beforeEach(() => {
    file = inode(ramfs.createFile(root, "/f", 0o644, true));
  });

  it("reads and writes at offsets, zero-filling a sparse gap", () => {
    now = 2_000;
    expect(ramfs.write(file, 5, bytes("xy"))).toBe(2);
    expect([file.size, file.mtime, file.ctime]).toEqual([7, 2_000, 2_000]);
    expect(contents(file)).toBe("\0\0\0\0\0xy");
    const buffer = new Uint8Array(4);
    expect(ramfs.read(file, 5, buffer)).toBe(2);
    expect(ramfs.read(file, 7, buffer)).toBe(0);
    expect(ramfs.read(file, 100, buffer)).toBe(0);
    expect(ramfs.write(file, 1, new Uint8Array(0))).toBe(0);
  });

  it("truncates down and up, exposing zeros where data was cut", () => {
    ramfs.write(file, 0, bytes("abcdef"));
    now = 3_000;
    expect(ramfs.truncate(file, 2)).toBe(0);
    expect([file.size, file.mtime]).toEqual([2, 3_000]);
    now = 4_000;
    expect(ramfs.truncate(file, 2)).toBe(0);
    expect(file.mtime).toBe(3_000); // size unchanged: times unchanged
    expect(ramfs.truncate(file, 5)).toBe(0);
    expect(contents(file)).toBe("ab\0\0\0");
  });

  it("refuses directories, other types, bad offsets and sizes", () => {
    const usr = inode(ramfs.lookup(root, "/usr"));
    const link = inode(ramfs.lookup(root, "/sh", false));
    const buffer = new Uint8Array(1);
    expect(ramfs.read(usr, 0, buffer)).toBe(-ERRNO.EISDIR);
    expect(ramfs.write(usr, 0, buffer)).toBe(-ERRNO.EISDIR);
    expect(ramfs.truncate(usr, 0)).toBe(-ERRNO.EISDIR);
    expect(ramfs.write(link, 0, buffer)).toBe(-ERRNO.EINVAL);
    expect(ramfs.read(file, -1, buffer)).toBe(-ERRNO.EINVAL);
    expect(ramfs.write(file, -1, buffer)).toBe(-ERRNO.EINVAL);
    expect(ramfs.truncate(file, -1)).toBe(-ERRNO.EINVAL);
    expect(ramfs.truncate(file, FS_LIMIT.FILE_SIZE_MAX + 1)).toBe(-ERRNO.EFBIG);
    expect(ramfs.write(file, FS_LIMIT.FILE_SIZE_MAX, buffer)).toBe(-ERRNO.EFBIG);
    expect(ramfs.readlink(file)).toBe(-ERRNO.EINVAL);
  });

  it("updates atime on read with the relatime rule", () => {
    ramfs.write(file, 0, bytes("a"));
    const buffer = new Uint8Array(1);
    now = 10_000;
    ramfs.read(file, 0, buffer);
    expect(file.atime).toBe(10_000); // atime was not newer than mtime
    now = 20_000;
    ramfs.read(file, 0, buffer);
    expect(file.atime).toBe(10_000); // newer than mtime and ctime, less than a day old
    now = 10_000 + 86_400e9;
    ramfs.read(file, 0, buffer);
    expect(file.atime).toBe(now);
  });

  it("agrees with a byte-array model over random writes and truncates (fast-check)", () => {
    const step = fc.oneof(
      fc.record({ offset: fc.integer({ min: 0, max: 300 }), data: fc.uint8Array({ maxLength: 80 }) }),
      fc.record({ truncate: fc.integer({ min: 0, max: 400 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const target = inode(ramfs.createFile(root, "/model", 0o644, false));
        ramfs.truncate(target, 0);
        let model: number[] = [];
        for (const item of steps) {
          if ("truncate" in item) {
            expect(ramfs.truncate(target, item.truncate)).toBe(0);
            model = Array.from({ length: item.truncate }, (_, index) => model[index] ?? 0);
          } else {
            expect(ramfs.write(target, item.offset, item.data)).toBe(item.data.length);
            while (item.data.length > 0 && model.length < item.offset) model.push(0);
            item.data.forEach((value, index) => {
              model[item.offset + index] = value;
            });
          }
          expect(target.size).toBe(model.length);
          expect(target.data.subarray(target.size).every((value) => value === 0)).toBe(true);
        }
        const buffer = new Uint8Array(target.size + 10);
        expect(ramfs.read(target, 0, buffer)).toBe(model.length);
        expect(Array.from(buffer.subarray(0, model.length))).toEqual(model);
        expect(ramfs.rootMount.usedBytes).toBe(2 + model.length); // "#!" in /usr/bin/sh
      }),
      { seed: 0xda7a, numRuns: 200 },
    );
  });
});

describe("readdir", () => {
  it("lists . and .. first, then entries in creation order with d_ino and d_type", () => {
    const usrBin = inode(ramfs.lookup(root, "/usr/bin"));
    inode(ramfs.mknod(root, "/usr/bin/null", FILE_TYPE.CHAR_DEVICE | 0o666, 1, 3));
    inode(ramfs.mkdir(root, "/usr/bin/sub", 0o755));
    inode(ramfs.symlink(root, "sh", "/usr/bin/link"));
    const listing = ramfs.listDirectory(usrBin);
    if (typeof listing === "number") throw new Error("listing failed");
    expect(listing.map(({ name, type }) => [name, type])).toEqual([
      [".", DIRENT_TYPE.DIRECTORY],
      ["..", DIRENT_TYPE.DIRECTORY],
      ["sh", DIRENT_TYPE.REGULAR],
      ["null", DIRENT_TYPE.CHAR_DEVICE],
      ["sub", DIRENT_TYPE.DIRECTORY],
      ["link", DIRENT_TYPE.SYMLINK],
    ]);
    expect(listing[0]!.ino).toBe(usrBin.ino);
    expect(listing[1]!.ino).toBe(inode(ramfs.lookup(root, "/usr")).ino);
    expect(listing[2]!.ino).toBe(inode(ramfs.lookup(root, "/usr/bin/sh")).ino);
    expect(ramfs.listDirectory(inode(ramfs.lookup(root, "/usr/bin/sh")))).toBe(-ERRNO.ENOTDIR);
  });

  it("resumes from a position even after entries are removed and added", () => {
    for (const name of ["a", "b", "c", "d"]) inode(ramfs.createFile(root, `/usr/${name}`, 0o644, true));
    const usr = inode(ramfs.lookup(root, "/usr"));
    const seen: string[] = [];
    let position = ramfs.readdir(usr, 0, (name) => {
      if (seen.length === 4) return false; // a full buffer: stop before consuming this entry
      seen.push(name);
      return true;
    });
    expect(seen).toEqual([".", "..", "bin", "a"]);
    expect(ramfs.unlink(root, "/usr/a")).toBe(0);
    expect(ramfs.unlink(root, "/usr/b")).toBe(0);
    inode(ramfs.createFile(root, "/usr/e", 0o644, true));
    position = ramfs.readdir(usr, position, (name) => {
      seen.push(name);
      return true;
    });
    expect(seen).toEqual([".", "..", "bin", "a", "c", "d", "e"]);
    expect(ramfs.readdir(usr, position, () => true)).toBe(position);
  });
});
