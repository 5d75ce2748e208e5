/**
 * Unpacking initramfs entries into a {@link Ramfs}, following what Linux's
 * init/initramfs.c does with each cpio member, with two conveniences.
 *
 * Per entry, in order:
 * - The name is resolved from the root, so "bin/sh", "./bin/sh" and "/bin/sh"
 *   are the same file, and "." or "/" names the root itself. Missing parent
 *   directories are created (mode 0755, owner 0:0) — Linux instead drops the
 *   entry; archives made by `find | cpio` never need it.
 * - Directory: an existing directory is kept (its attributes updated); any
 *   other existing file there is removed first.
 * - Regular file, symlink, device, FIFO, socket: whatever exists at the name
 *   is removed first (an empty directory by rmdir, otherwise unlink), then the
 *   new file is created — a fresh inode, where Linux rewrites an existing
 *   regular file in place.
 * - Hard links: regular files with nlink > 1 and the same (devmajor, devminor,
 *   ino) become names of one inode; a member carrying data rewrites it. The
 *   table spans the whole entry list (Linux resets it at each TRAILER!!!, so
 *   concatenated archives must not reuse those triples for different files).
 * - Attributes: permission bits (not for symlinks), uid, gid, and atime =
 *   mtime = c_mtime; ctime is the time of unpacking. Directory times are set
 *   after all entries, since adding their children changes them.
 * - An entry that fails (an unknown file type is EINVAL; any operation's
 *   errno otherwise, e.g. EROFS on a read-only root) is reported and skipped.
 */
import { ERRNO } from "@tsos/syscall";
import { type CpioEntry, hardLinkKey, latin1String } from "./cpio-format";
import type { PopulateFailure } from "./errors";
import type { Inode } from "./inode";
import { FILE_TYPE, isKnownFileType, MODE_PERMISSION_MASK } from "./mode";
import type { Ramfs } from "./ramfs";

const NANOSECONDS_PER_SECOND = 1e9;
const PARENT_DIRECTORY_MODE = 0o755;

/** A hard-link group's inode and the data last written to it. */
interface LinkGroup {
  readonly inode: Inode;
  written: Uint8Array;
}

/** State carried across the entries of one population. */
interface Population {
  readonly fs: Ramfs;
  readonly links: Map<string, LinkGroup>;
  /** Directories and the mtime (ns) to give them once every entry is in. */
  readonly directoryTimes: Map<Inode, number>;
}

/** Applies `entries` to `fs` as described in the file comment; answers the failures. */
export function populateFromCpio(fs: Ramfs, entries: readonly CpioEntry[]): PopulateFailure[] {
  const population: Population = { fs, links: new Map(), directoryTimes: new Map() };
  const failures: PopulateFailure[] = [];
  for (const entry of entries) {
    const result = applyEntry(population, entry);
    if (result < 0) failures.push({ name: entry.name, errno: result });
  }
  for (const [directory, mtime] of population.directoryTimes) {
    directory.atime = mtime;
    directory.mtime = mtime;
  }
  return failures;
}

function applyEntry(population: Population, entry: CpioEntry): number {
  if (!isKnownFileType(entry.mode)) return -ERRNO.EINVAL;
  const isDirectory = (entry.mode & FILE_TYPE.MASK) === FILE_TYPE.DIRECTORY;
  const inode = isDirectory ? ensureDirectory(population.fs, entry) : createNonDirectory(population, entry);
  if (typeof inode === "number") return inode;
  applyAttributes(inode, entry);
  if (isDirectory) population.directoryTimes.set(inode, entry.mtime * NANOSECONDS_PER_SECOND);
  return 0;
}

function ensureDirectory(fs: Ramfs, entry: CpioEntry): Inode | number {
  const existing = fs.lookup(fs.root, entry.name, false);
  if (typeof existing !== "number") {
    if (existing.isDirectory) return existing;
    const removed = fs.unlink(fs.root, entry.name);
    if (removed < 0) return removed;
  }
  return withParents(fs, entry.name, () => fs.mkdir(fs.root, entry.name, entry.mode));
}

function createNonDirectory(population: Population, entry: CpioEntry): Inode | number {
  const fs = population.fs;
  const cleared = clearName(fs, entry.name);
  if (cleared < 0) return cleared;
  switch (entry.mode & FILE_TYPE.MASK) {
    case FILE_TYPE.REGULAR:
      return createRegular(population, entry);
    case FILE_TYPE.SYMLINK: {
      const target = latin1String(entry.data, 0, entry.data.length);
      return withParents(fs, entry.name, () => fs.symlink(fs.root, target, entry.name));
    }
    default:
      return withParents(fs, entry.name, () =>
        fs.mknod(fs.root, entry.name, entry.mode, entry.rdevmajor, entry.rdevminor),
      );
  }
}

function createRegular(population: Population, entry: CpioEntry): Inode | number {
  const fs = population.fs;
  const key = hardLinkKey(entry);
  const group = key === null ? undefined : population.links.get(key);
  if (group !== undefined && group.inode.nlink > 0) {
    const linked = withParents(fs, entry.name, () => {
      const result = fs.linkInode(group.inode, fs.root, entry.name);
      return result < 0 ? result : group.inode;
    });
    if (typeof linked === "number") return linked;
    if (entry.data.length === 0 || entry.data === group.written) return linked;
    group.written = entry.data;
    return replaceContents(fs, linked, entry.data);
  }
  const file = withParents(fs, entry.name, () => fs.createFile(fs.root, entry.name, entry.mode, true));
  if (typeof file === "number") return file;
  if (key !== null) population.links.set(key, { inode: file, written: entry.data });
  return replaceContents(fs, file, entry.data);
}

function replaceContents(fs: Ramfs, file: Inode, data: Uint8Array): Inode | number {
  const truncated = fs.truncate(file, 0);
  if (truncated < 0) return truncated;
  const written = fs.write(file, 0, data);
  return written < 0 ? written : file;
}

/** Removes whatever non-directory or empty directory is at `name`; 0 when nothing is there. */
function clearName(fs: Ramfs, name: string): number {
  const existing = fs.lookup(fs.root, name, false);
  if (typeof existing === "number") return 0;
  return existing.isDirectory ? fs.rmdir(fs.root, name) : fs.unlink(fs.root, name);
}

/** Runs `create`; if a parent is missing (ENOENT), makes the parents and runs it once more. */
function withParents(fs: Ramfs, name: string, create: () => Inode | number): Inode | number {
  const first = create();
  if (first !== -ERRNO.ENOENT) return first;
  for (let slash = name.indexOf("/", 1); slash > 0; slash = name.indexOf("/", slash + 1)) {
    const made = fs.mkdir(fs.root, name.slice(0, slash), PARENT_DIRECTORY_MODE);
    if (typeof made === "number" && made !== -ERRNO.EEXIST) return made;
  }
  return create();
}

function applyAttributes(inode: Inode, entry: CpioEntry): void {
  if (!inode.isSymlink) inode.mode = (inode.mode & FILE_TYPE.MASK) | (entry.mode & MODE_PERMISSION_MASK);
  inode.uid = entry.uid;
  inode.gid = entry.gid;
  const mtime = entry.mtime * NANOSECONDS_PER_SECOND;
  inode.atime = mtime;
  inode.mtime = mtime;
}
