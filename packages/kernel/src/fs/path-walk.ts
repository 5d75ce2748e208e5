/**
 * Path resolution with Linux semantics (path_resolution(7)).
 *
 * A path is a JS string of Latin-1 characters, one per byte. The walk starts
 * at the root for an absolute path and at the caller's working directory
 * otherwise; empty components (repeated slashes) are skipped; "." stays and
 * ".." moves to the parent (the root's parent is the root, and ".." from a
 * mount's root leaves through the directory it is mounted on); a directory
 * that has a mount attached is replaced by that mount's root.
 *
 * Outcomes of {@link walkPath} (0, or a negative errno, with `out` filled):
 * - ENOENT: empty path, a missing intermediate component, or an empty symlink target.
 * - ENAMETOOLONG: the path is PATH_MAX bytes or longer, or a component exceeds NAME_MAX.
 * - ENOTDIR: an intermediate component (after following symlinks) is not a
 *   directory, or the working directory is not one.
 * - ELOOP: more than 40 symlinks followed in total.
 * - 0: `out` names the last component. A missing last component is not an
 *   error: `out.inode` is null and `out.parent`/`out.name` say where it would be.
 *
 * Symlinks in intermediate components are always followed. The last one is
 * followed per {@link FINAL_LINK}. Whether a trailing slash then requires a
 * directory is the operation's decision (`out.trailingSlash`), because Linux
 * answers differently per call (stat: ENOTDIR, open O_CREAT: EISDIR, ...).
 */
import { ERRNO } from "@tsos/syscall";
import type { DirectoryEntry, Inode } from "./inode";
import { FS_LIMIT } from "./inode";

/** What to do with a symlink named by the last component. */
export const FINAL_LINK = {
  /** Follow it (stat, open without O_NOFOLLOW). */
  FOLLOW: 0,
  /** Keep it, unless the path ends in "/" (lstat). */
  NO_FOLLOW: 1,
  /** Keep it even with a trailing slash (mkdir, unlink, rmdir, rename, link, symlink; open O_CREAT follows by itself). */
  KEEP: 2,
} as const;

export type FinalLink = (typeof FINAL_LINK)[keyof typeof FINAL_LINK];

/** How the last component is spelled (Linux's LAST_NORM / LAST_ROOT / LAST_DOT / LAST_DOTDOT). */
export const LAST_COMPONENT = {
  /** An ordinary name. */
  NAME: 0,
  /** The path is only slashes ("/"): it names the starting directory. */
  ROOT: 1,
  DOT: 2,
  DOT_DOT: 3,
} as const;

export type LastComponent = (typeof LAST_COMPONENT)[keyof typeof LAST_COMPONENT];

/** What a walk found. One instance is reused per file system; read it before the next walk. */
export class PathWalk {
  /** The directory holding the last component. */
  parent!: Inode;
  /** The last component ("" for {@link LAST_COMPONENT}.ROOT). */
  name = "";
  kind: LastComponent = LAST_COMPONENT.NAME;
  /** The entry in `parent` for a NAME, not crossing into a mount; null if absent or not a NAME. */
  entry: DirectoryEntry | null = null;
  /** The inode the path names (mounts crossed, final symlink followed as asked), or null if absent. */
  inode: Inode | null = null;
  /** The path ends with "/" after its last component. */
  trailingSlash = false;
  /** Symlinks followed so far, to carry the ELOOP budget into a follow-up walk. */
  linksFollowed = 0;
}

const SLASH = 0x2f;

/**
 * Resolves `path` from `cwd` (or `root`), filling `out`; see the file comment.
 * `linksFollowed` starts the symlink count (for a walk continuing another).
 */
export function walkPath(
  root: Inode,
  cwd: Inode,
  path: string,
  finalLink: FinalLink,
  out: PathWalk,
  linksFollowed = 0,
): number {
  if (path.length === 0) return -ERRNO.ENOENT;
  if (path.length >= FS_LIMIT.PATH_MAX) return -ERRNO.ENAMETOOLONG;
  let current = path.charCodeAt(0) === SLASH ? root : crossMounts(cwd);
  if (!current.isDirectory) return -ERRNO.ENOTDIR;
  let position = 0;
  for (;;) {
    while (position < path.length && path.charCodeAt(position) === SLASH) position++;
    out.linksFollowed = linksFollowed;
    if (position === path.length) return finishAtDirectory(current, out);
    let end = path.indexOf("/", position);
    if (end < 0) end = path.length;
    if (end - position > FS_LIMIT.NAME_MAX) return -ERRNO.ENAMETOOLONG;
    let next = end;
    while (next < path.length && path.charCodeAt(next) === SLASH) next++;
    const isLast = next === path.length;
    const name = path.slice(position, end);
    if (name === "." || name === "..") {
      const target = name === "." ? current : parentOf(current);
      if (isLast) return finishAtDot(current, name, target, end < path.length, out);
      current = target;
      position = end;
      continue;
    }
    const entry = current.entries!.get(name);
    if (entry === undefined) {
      if (!isLast) return -ERRNO.ENOENT;
      return finishAtName(current, name, null, null, end < path.length, out);
    }
    const inode = crossMounts(entry.inode);
    const trailingSlash = end < path.length;
    const follows =
      !isLast || finalLink === FINAL_LINK.FOLLOW || (finalLink === FINAL_LINK.NO_FOLLOW && trailingSlash);
    if (inode.isSymlink && follows) {
      if (++linksFollowed > FS_LIMIT.SYMLINK_MAX) return -ERRNO.ELOOP;
      if (inode.target.length === 0) return -ERRNO.ENOENT;
      // The rest of the path, from the slash after this component, now follows the target.
      path = inode.target + path.slice(end);
      position = 0;
      if (path.charCodeAt(0) === SLASH) current = root;
      continue;
    }
    if (isLast) return finishAtName(current, name, entry, inode, trailingSlash, out);
    if (!inode.isDirectory) return -ERRNO.ENOTDIR;
    current = inode;
    position = end;
  }
}

/** The directory ".." names from `directory`. */
export function parentOf(directory: Inode): Inode {
  while (directory.isMountRoot && directory.mount.mountpoint !== null) directory = directory.mount.mountpoint;
  return directory.parent;
}

/** The root of the top-most mount attached on `inode`, or `inode` itself. */
export function crossMounts(inode: Inode): Inode {
  while (inode.mounted !== null) inode = inode.mounted.root;
  return inode;
}

function finishAtDirectory(directory: Inode, out: PathWalk): number {
  out.parent = directory;
  out.name = "";
  out.kind = LAST_COMPONENT.ROOT;
  out.entry = null;
  out.inode = directory;
  out.trailingSlash = true;
  return 0;
}

function finishAtDot(
  directory: Inode,
  name: string,
  target: Inode,
  trailingSlash: boolean,
  out: PathWalk,
): number {
  out.parent = directory;
  out.name = name;
  out.kind = name === "." ? LAST_COMPONENT.DOT : LAST_COMPONENT.DOT_DOT;
  out.entry = null;
  out.inode = target;
  out.trailingSlash = trailingSlash;
  return 0;
}

function finishAtName(
  directory: Inode,
  name: string,
  entry: DirectoryEntry | null,
  inode: Inode | null,
  trailingSlash: boolean,
  out: PathWalk,
): number {
  out.parent = directory;
  out.name = name;
  out.kind = LAST_COMPONENT.NAME;
  out.entry = entry;
  out.inode = inode;
  out.trailingSlash = trailingSlash;
  return 0;
}
