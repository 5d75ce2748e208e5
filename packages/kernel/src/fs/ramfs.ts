/**
 * An in-memory file system: the kernel's root tree (the unpacked initramfs)
 * and writable scratch mounts such as /tmp. Data layout and invariants are in
 * `inode.ts`, path resolution in `path-walk.ts`, directory contents in
 * `directory.ts`, file contents in `file-data.ts`.
 *
 * Writability is per mount. The file system starts as one root mount; the
 * kernel populates it from the initramfs, sets `rootMount.readOnly = true`,
 * and attaches a writable mount on /tmp with {@link Ramfs.mount}. Every change
 * inside a read-only mount fails with EROFS, with Linux's precedence: a
 * create on an existing name still answers EEXIST, while unlink, rmdir and
 * rename answer EROFS before looking the name up (checked against Linux 6.x).
 *
 * Every operation answers a value: an inode, a count, 0, or a negative errno
 * (`-ERRNO.X`); none throws on bad input. Operations take the caller's working
 * directory (an inode) and a path, like the *at system calls; the caller
 * supplies ownership (after its umask) and does the permission checks — this
 * layer performs none, so EACCES never comes from it. `createFile` does not
 * know the open mode: opening an existing file for writing on a read-only
 * mount is the caller's EROFS to give (`inode.mount.readOnly`).
 *
 * Not thread-safe and not re-entrant: one walk result object is reused.
 */
import { ERRNO } from "@tsos/syscall";
import type { CpioEntry } from "./cpio-format";
import {
  type DirectoryListing,
  type DirentVisitor,
  insertName,
  isAncestorOrSelf,
  listDirectory,
  moveName,
  readDirectory,
  removeName,
} from "./directory";
import type { PopulateFailure } from "./errors";
import { readFileData, truncateFileData, writeFileData } from "./file-data";
import { FS_LIMIT, Inode, Mount, type MountOptions } from "./inode";
import { FILE_TYPE, MODE_PERMISSION_MASK } from "./mode";
import { FINAL_LINK, LAST_COMPONENT, PathWalk, walkPath } from "./path-walk";
import { populateFromCpio } from "./populate";

/** The time source: nanoseconds (whole seconds from the epoch convert exactly). */
export type NanosecondClock = () => number;

/** Ownership given to a new inode. */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

export const ROOT_OWNER: Owner = { uid: 0, gid: 0 };

/** Options of a new {@link Ramfs}; they describe its root mount. */
export type RamfsOptions = MountOptions;

export class Ramfs {
  readonly rootMount: Mount;
  /** The root directory. */
  readonly root: Inode;
  private nextIno = 1;
  private nextDevice = 1;
  private readonly walk = new PathWalk();
  private readonly otherWalk = new PathWalk();

  constructor(
    private readonly clock: NanosecondClock,
    options: RamfsOptions = {},
  ) {
    this.rootMount = new Mount(this.nextDevice++, null, this.nextIno++, clock(), options);
    this.root = this.rootMount.root;
  }

  /** The inode `path` names; the last symlink is followed when `followLast` (stat vs lstat). */
  lookup(cwd: Inode, path: string, followLast = true): Inode | number {
    const walk = this.walk;
    const result = walkPath(
      this.root,
      cwd,
      path,
      followLast ? FINAL_LINK.FOLLOW : FINAL_LINK.NO_FOLLOW,
      walk,
    );
    if (result < 0) return result;
    if (walk.inode === null) return -ERRNO.ENOENT;
    if (walk.trailingSlash && !walk.inode.isDirectory) return -ERRNO.ENOTDIR;
    return walk.inode;
  }

  /**
   * open(2) with O_CREAT: the existing file (symlinks followed), or a new empty
   * regular file. `exclusive` is O_EXCL: any existing name, even a dangling
   * symlink, is EEXIST. A directory, or a trailing slash on the last component
   * of the path or of a symlink's target, is EISDIR.
   */
  createFile(cwd: Inode, path: string, mode: number, exclusive: boolean, owner = ROOT_OWNER): Inode | number {
    const walk = this.walk;
    let result = walkPath(this.root, cwd, path, FINAL_LINK.KEEP, walk);
    for (;;) {
      if (result < 0) return result;
      if (walk.kind !== LAST_COMPONENT.NAME) return exclusive ? -ERRNO.EEXIST : -ERRNO.EISDIR;
      if (walk.trailingSlash) return -ERRNO.EISDIR;
      const existing = walk.inode;
      if (existing === null) break;
      if (exclusive) return -ERRNO.EEXIST;
      if (existing.isDirectory) return -ERRNO.EISDIR;
      if (!existing.isSymlink) return existing;
      // Linux checks the target's last component the same way before looking it up.
      const linksFollowed = walk.linksFollowed + 1;
      if (linksFollowed > FS_LIMIT.SYMLINK_MAX) return -ERRNO.ELOOP;
      result = walkPath(this.root, walk.parent, existing.target, FINAL_LINK.KEEP, walk, linksFollowed);
    }
    const refused = this.refuseCreate(walk.parent);
    if (refused !== 0) return refused;
    return this.addInode(walk.parent, walk.name, FILE_TYPE.REGULAR | (mode & MODE_PERMISSION_MASK), owner);
  }

  /** mkdir(2): EEXIST for any existing name (symlinks not followed). */
  mkdir(cwd: Inode, path: string, mode: number, owner = ROOT_OWNER): Inode | number {
    const parent = this.walkToNewName(cwd, path, true);
    if (typeof parent === "number") return parent;
    const directory = this.addInode(
      parent,
      this.walk.name,
      FILE_TYPE.DIRECTORY | (mode & MODE_PERMISSION_MASK),
      owner,
    );
    directory.parent = parent;
    parent.nlink++;
    return directory;
  }

  /**
   * mknod(2): a regular file (file type 0 or S_IFREG), device, FIFO or socket.
   * EPERM for a directory type, EINVAL for a symlink or unknown type.
   */
  mknod(
    cwd: Inode,
    path: string,
    mode: number,
    rdevMajor: number,
    rdevMinor: number,
    owner = ROOT_OWNER,
  ): Inode | number {
    let type = mode & FILE_TYPE.MASK;
    if (type === 0) type = FILE_TYPE.REGULAR;
    if (type === FILE_TYPE.DIRECTORY) return -ERRNO.EPERM;
    if (!isMknodType(type)) return -ERRNO.EINVAL;
    const parent = this.walkToNewName(cwd, path, false);
    if (typeof parent === "number") return parent;
    const inode = this.addInode(parent, this.walk.name, type | (mode & MODE_PERMISSION_MASK), owner);
    if (type === FILE_TYPE.CHAR_DEVICE || type === FILE_TYPE.BLOCK_DEVICE) {
      inode.rdevMajor = rdevMajor;
      inode.rdevMinor = rdevMinor;
    }
    return inode;
  }

  /** symlink(2): a link at `path` whose text is `target` (not resolved). */
  symlink(cwd: Inode, target: string, path: string, owner = ROOT_OWNER): Inode | number {
    if (target.length === 0) return -ERRNO.ENOENT;
    if (target.length >= FS_LIMIT.PATH_MAX) return -ERRNO.ENAMETOOLONG;
    const parent = this.walkToNewName(cwd, path, false);
    if (typeof parent === "number") return parent;
    const link = this.addInode(parent, this.walk.name, FILE_TYPE.SYMLINK | 0o777, owner);
    link.target = target;
    link.size = target.length;
    return link;
  }

  /** link(2) (linkat without AT_SYMLINK_FOLLOW): EPERM for a directory, EXDEV across mounts. */
  link(oldCwd: Inode, oldPath: string, newCwd: Inode, newPath: string): number {
    const existing = this.lookup(oldCwd, oldPath, false);
    if (typeof existing === "number") return existing;
    return this.linkInode(existing, newCwd, newPath);
  }

  /** Gives `existing` one more name, as {@link Ramfs.link} does once the old path is resolved. */
  linkInode(existing: Inode, newCwd: Inode, newPath: string): number {
    const parent = this.walkToNewName(newCwd, newPath, false, existing.mount);
    if (typeof parent === "number") return parent;
    if (existing.isDirectory) return -ERRNO.EPERM;
    if (existing.nlink === 0) return -ERRNO.ENOENT;
    const now = this.clock();
    insertName(parent, this.walk.name, existing, now);
    existing.nlink++;
    existing.ctime = now;
    return 0;
  }

  /** unlink(2): EISDIR for a directory; a trailing slash on a non-directory is ENOTDIR. */
  unlink(cwd: Inode, path: string): number {
    const walk = this.walk;
    const result = walkPath(this.root, cwd, path, FINAL_LINK.KEEP, walk);
    if (result < 0) return result;
    if (walk.kind !== LAST_COMPONENT.NAME) return -ERRNO.EISDIR;
    if (walk.parent.mount.readOnly) return -ERRNO.EROFS;
    const entry = walk.entry;
    if (entry === null) return -ERRNO.ENOENT;
    if (entry.inode.isDirectory) return -ERRNO.EISDIR;
    if (walk.trailingSlash) return -ERRNO.ENOTDIR;
    removeName(walk.parent, walk.name, entry.inode, this.clock());
    return 0;
  }

  /** rmdir(2): EINVAL for ".", ENOTEMPTY for ".." or a non-empty directory, EBUSY for a root or mountpoint. */
  rmdir(cwd: Inode, path: string): number {
    const walk = this.walk;
    const result = walkPath(this.root, cwd, path, FINAL_LINK.KEEP, walk);
    if (result < 0) return result;
    if (walk.kind === LAST_COMPONENT.DOT) return -ERRNO.EINVAL;
    if (walk.kind === LAST_COMPONENT.DOT_DOT) return -ERRNO.ENOTEMPTY;
    if (walk.kind === LAST_COMPONENT.ROOT) return -ERRNO.EBUSY;
    if (walk.parent.mount.readOnly) return -ERRNO.EROFS;
    const entry = walk.entry;
    if (entry === null) return -ERRNO.ENOENT;
    const directory = entry.inode;
    if (!directory.isDirectory) return -ERRNO.ENOTDIR;
    if (directory.mounted !== null) return -ERRNO.EBUSY;
    if (directory.entries!.size > 0) return -ERRNO.ENOTEMPTY;
    removeName(walk.parent, walk.name, directory, this.clock());
    return 0;
  }

  /**
   * rename(2): moves a name, replacing an existing target of a compatible
   * kind. EXDEV across mounts; EBUSY for "."/".."/"/" or a mountpoint; EINVAL
   * when moving a directory below itself; ENOTDIR/EISDIR for a kind mismatch;
   * ENOTEMPTY for a non-empty target directory. Two names of one inode: no-op.
   */
  rename(oldCwd: Inode, oldPath: string, newCwd: Inode, newPath: string): number {
    const from = this.walk;
    const to = this.otherWalk;
    let result = walkPath(this.root, oldCwd, oldPath, FINAL_LINK.KEEP, from);
    if (result < 0) return result;
    result = walkPath(this.root, newCwd, newPath, FINAL_LINK.KEEP, to);
    if (result < 0) return result;
    if (from.parent.mount !== to.parent.mount) return -ERRNO.EXDEV;
    if (from.kind !== LAST_COMPONENT.NAME || to.kind !== LAST_COMPONENT.NAME) return -ERRNO.EBUSY;
    if (from.parent.mount.readOnly) return -ERRNO.EROFS;
    if (from.entry === null) return -ERRNO.ENOENT;
    const moving = from.entry.inode;
    if (!moving.isDirectory && (from.trailingSlash || to.trailingSlash)) return -ERRNO.ENOTDIR;
    if (moving.isDirectory && isAncestorOrSelf(moving, to.parent)) return -ERRNO.EINVAL;
    const replaced = to.entry === null ? null : to.entry.inode;
    // A target directory that holds the source is not empty, whatever the kinds.
    if (replaced?.isDirectory && isAncestorOrSelf(replaced, from.parent)) return -ERRNO.ENOTEMPTY;
    if (replaced === moving) return 0;
    if (replaced !== null) {
      const refused = refuseReplace(moving, replaced);
      if (refused !== 0) return refused;
    }
    if (moving.mounted !== null) return -ERRNO.EBUSY;
    const now = this.clock();
    if (replaced !== null) removeName(to.parent, to.name, replaced, now);
    moveName(from.parent, from.name, to.parent, to.name, moving, now);
    return 0;
  }

  /** Attaches a new empty mount on the directory `path` names; later walks see its root there. */
  mount(cwd: Inode, path: string, options: MountOptions = {}): Mount | number {
    const directory = this.lookup(cwd, path, true);
    if (typeof directory === "number") return directory;
    if (!directory.isDirectory) return -ERRNO.ENOTDIR;
    const mount = new Mount(this.nextDevice++, directory, this.nextIno++, this.clock(), options);
    directory.mounted = mount;
    return mount;
  }

  /** pread(2) on a regular file; see `file-data.ts`. */
  read(inode: Inode, offset: number, buffer: Uint8Array): number {
    return readFileData(inode, offset, buffer, this.clock());
  }

  /** pwrite(2) on a regular file; see `file-data.ts`. */
  write(inode: Inode, offset: number, bytes: Uint8Array): number {
    return writeFileData(inode, offset, bytes, this.clock());
  }

  /** truncate(2) on a regular file; see `file-data.ts`. */
  truncate(inode: Inode, length: number): number {
    return truncateFileData(inode, length, this.clock());
  }

  /** readlink(2): the target, or EINVAL when the inode is not a symlink. */
  readlink(inode: Inode): string | number {
    return inode.isSymlink ? inode.target : -ERRNO.EINVAL;
  }

  /** chmod(2): replaces the permission bits. */
  changeMode(inode: Inode, mode: number): number {
    if (inode.mount.readOnly) return -ERRNO.EROFS;
    inode.mode = (inode.mode & FILE_TYPE.MASK) | (mode & MODE_PERMISSION_MASK);
    inode.ctime = this.clock();
    return 0;
  }

  /** chown(2): sets the owner and group. */
  changeOwner(inode: Inode, uid: number, gid: number): number {
    if (inode.mount.readOnly) return -ERRNO.EROFS;
    inode.uid = uid;
    inode.gid = gid;
    inode.ctime = this.clock();
    return 0;
  }

  /** utimensat(2) with explicit times (nanoseconds). */
  setTimes(inode: Inode, atime: number, mtime: number): number {
    if (inode.mount.readOnly) return -ERRNO.EROFS;
    inode.atime = atime;
    inode.mtime = mtime;
    inode.ctime = this.clock();
    return 0;
  }

  /** getdents(2) support; see `readDirectory` in `directory.ts`. Positions survive changes. */
  readdir(directory: Inode, position: number, visit: DirentVisitor): number {
    return readDirectory(directory, position, visit);
  }

  /** The whole listing of a directory, for cold paths and tests. */
  listDirectory(directory: Inode): DirectoryListing[] | number {
    return listDirectory(directory);
  }

  /** Builds the tree from initramfs entries; see `populate.ts`. Answers the entries that failed. */
  populateFromCpio(entries: readonly CpioEntry[]): PopulateFailure[] {
    return populateFromCpio(this, entries);
  }

  /**
   * Walks to a name that must not exist yet (mkdir, mknod, symlink, link):
   * answers its parent, the name being left in `this.walk.name`.
   */
  private walkToNewName(cwd: Inode, path: string, isDirectory: boolean, sameMount?: Mount): Inode | number {
    const walk = this.walk;
    const result = walkPath(this.root, cwd, path, FINAL_LINK.KEEP, walk);
    if (result < 0) return result;
    if (walk.kind !== LAST_COMPONENT.NAME || walk.entry !== null) return -ERRNO.EEXIST;
    if (walk.trailingSlash && !isDirectory) return -ERRNO.ENOENT;
    const refused = this.refuseCreate(walk.parent);
    if (refused !== 0) return refused;
    if (sameMount !== undefined && walk.parent.mount !== sameMount) return -ERRNO.EXDEV;
    return walk.parent;
  }

  private refuseCreate(parent: Inode): number {
    if (parent.nlink === 0) return -ERRNO.ENOENT;
    if (parent.mount.readOnly) return -ERRNO.EROFS;
    return 0;
  }

  private addInode(parent: Inode, name: string, mode: number, owner: Owner): Inode {
    const inode = new Inode(this.nextIno++, mode, parent.mount, this.clock());
    inode.uid = owner.uid;
    inode.gid = owner.gid;
    insertName(parent, name, inode, this.clock());
    return inode;
  }
}

function isMknodType(type: number): boolean {
  return (
    type === FILE_TYPE.REGULAR ||
    type === FILE_TYPE.CHAR_DEVICE ||
    type === FILE_TYPE.BLOCK_DEVICE ||
    type === FILE_TYPE.FIFO ||
    type === FILE_TYPE.SOCKET
  );
}

/** Why `moving` may not replace `replaced` in a rename, or 0. */
function refuseReplace(moving: Inode, replaced: Inode): number {
  if (moving.isDirectory && !replaced.isDirectory) return -ERRNO.ENOTDIR;
  if (!moving.isDirectory && replaced.isDirectory) return -ERRNO.EISDIR;
  if (replaced.mounted !== null) return -ERRNO.EBUSY;
  if (replaced.isDirectory && replaced.entries!.size > 0) return -ERRNO.ENOTEMPTY;
  return 0;
}
