/**
 * Directory contents: adding, removing and moving names, and listing them
 * for getdents(2). The invariants these keep are stated in `inode.ts`:
 * entries in ascending cookie order (a name always enters at the end with
 * the directory's next cookie), nlink = 2 + subdirectories, a removed
 * directory at nlink 0, and a mount's `usedBytes` counting the contents of
 * regular files that still have a name.
 *
 * Every change sets the parent's mtime and ctime, and the ctime of an inode
 * whose link count or parent changes, to `now`.
 */
import { ERRNO } from "@tsos/syscall";
import { DIRECTORY_POSITION, DirectoryEntry, type Inode } from "./inode";
import { DIRENT_TYPE, direntType } from "./mode";

/** One readdir record. `position` is the d_off to resume after it. */
export interface DirectoryListing {
  readonly name: string;
  readonly ino: number;
  readonly type: number;
  readonly position: number;
}

/** Receives readdir records; answers false to stop before consuming this one (e.g. a full buffer). */
export type DirentVisitor = (name: string, ino: number, type: number, position: number) => boolean;

/** Adds `name` → `inode` at the end of `parent`. The caller counts the link. */
export function insertName(parent: Inode, name: string, inode: Inode, now: number): void {
  parent.entries!.set(name, new DirectoryEntry(inode, parent.nextCookie++));
  parent.mtime = now;
  parent.ctime = now;
}

/** Drops the name; a directory, or a file's last link, is gone (its space is released). */
export function removeName(parent: Inode, name: string, inode: Inode, now: number): void {
  parent.entries!.delete(name);
  parent.mtime = now;
  parent.ctime = now;
  inode.ctime = now;
  if (inode.isDirectory) {
    inode.nlink = 0;
    parent.nlink--;
    return;
  }
  inode.nlink--;
  if (inode.nlink === 0 && inode.isRegular) inode.mount.usedBytes -= inode.size;
}

/** Moves a name (the target name must be free), re-parenting a directory. */
export function moveName(
  fromParent: Inode,
  fromName: string,
  toParent: Inode,
  toName: string,
  inode: Inode,
  now: number,
): void {
  fromParent.entries!.delete(fromName);
  insertName(toParent, toName, inode, now);
  fromParent.mtime = now;
  fromParent.ctime = now;
  inode.ctime = now;
  if (inode.isDirectory && fromParent !== toParent) {
    fromParent.nlink--;
    toParent.nlink++;
    inode.parent = toParent;
  }
}

/** Whether `directory` is `descendant` or one of its ancestors within one mount. */
export function isAncestorOrSelf(directory: Inode, descendant: Inode): boolean {
  for (let current = descendant; ; current = current.parent) {
    if (current === directory) return true;
    if (current.parent === current) return false;
  }
}

/**
 * Visits "." and ".." and then the entries in creation order, starting after
 * `position` (0 for the start). Answers the position to resume from, ENOTDIR
 * for a non-directory, ENOENT for a removed directory. ".." of a mount's root
 * is the root itself (as Linux lists it); a mountpoint is listed with the
 * covered directory's inode number.
 */
export function readDirectory(directory: Inode, position: number, visit: DirentVisitor): number {
  if (!directory.isDirectory) return -ERRNO.ENOTDIR;
  if (directory.nlink === 0) return -ERRNO.ENOENT;
  if (position < DIRECTORY_POSITION.DOT) {
    if (!visit(".", directory.ino, DIRENT_TYPE.DIRECTORY, DIRECTORY_POSITION.DOT)) return position;
    position = DIRECTORY_POSITION.DOT;
  }
  if (position < DIRECTORY_POSITION.DOT_DOT) {
    if (!visit("..", directory.parent.ino, DIRENT_TYPE.DIRECTORY, DIRECTORY_POSITION.DOT_DOT))
      return position;
    position = DIRECTORY_POSITION.DOT_DOT;
  }
  for (const [name, entry] of directory.entries!) {
    if (entry.cookie <= position) continue;
    if (!visit(name, entry.inode.ino, direntType(entry.inode.mode), entry.cookie)) return position;
    position = entry.cookie;
  }
  return position;
}

/** The whole listing of a directory, for cold paths and tests. */
export function listDirectory(directory: Inode): DirectoryListing[] | number {
  const listing: DirectoryListing[] = [];
  const result = readDirectory(directory, DIRECTORY_POSITION.START, (name, ino, type, position) => {
    listing.push({ name, ino, type, position });
    return true;
  });
  return result < 0 ? result : listing;
}
