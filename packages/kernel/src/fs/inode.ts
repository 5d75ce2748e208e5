/**
 * The objects of the in-memory file system: inodes, directory entries and
 * mounts. Operations live in `ramfs.ts`; this file holds the data and its
 * invariants.
 *
 * Invariants:
 * - Every inode has one shape (all fields present) whatever its type, so the
 *   hot paths that read them stay monomorphic; fields of other types hold
 *   their empty values.
 * - Regular file: bytes [0, size) of `data` are the contents and bytes
 *   [size, data.length) are zero, so growing `size` within the capacity
 *   zero-fills for free (sparse writes, truncate up).
 * - Directory: `entries` maps a name (no "/", not "." or "..", 1..255 bytes)
 *   to a {@link DirectoryEntry}; Map order is ascending cookie order, because
 *   a name only ever enters at the end with a fresh cookie. `parent` is the
 *   directory holding it (itself for a mount's root). nlink = 2 + the number
 *   of subdirectories; a removed directory has nlink 0.
 * - Symlink: `target` is the link text and `size` its length in bytes.
 * - Device/FIFO/socket: `rdevMajor`/`rdevMinor` name the device.
 * - `mount` is the mount whose tree holds the inode; `mounted` is the mount
 *   attached on this directory, if any (path walks cross into its root).
 * - Times are nanoseconds from the file system's clock.
 */
import { FILE_TYPE, MODE_PERMISSION_MASK } from "./mode";

/** Limits of names, paths and files (path_resolution(7), limits.h, and this file system's own). */
export const FS_LIMIT = {
  /** NAME_MAX: longest component, in bytes. */
  NAME_MAX: 255,
  /** PATH_MAX: longest path including its NUL, so the longest string is one byte less. */
  PATH_MAX: 4096,
  /** Most symbolic links followed while resolving one path (Linux MAXSYMLINKS). */
  SYMLINK_MAX: 40,
  /** Longest file this file system stores: 2 GiB (typed arrays beyond it are not portable). */
  FILE_SIZE_MAX: 2 ** 31,
} as const;

/** readdir positions of the two entries every directory lists first. */
export const DIRECTORY_POSITION = {
  /** Position to start a listing from. */
  START: 0,
  DOT: 1,
  DOT_DOT: 2,
  /** Cookie given to a directory's first real entry. */
  FIRST_ENTRY: 3,
} as const;

const EMPTY_FILE = new Uint8Array(0);

/** One name in a directory: the inode and its readdir position. */
export class DirectoryEntry {
  constructor(
    readonly inode: Inode,
    /** The readdir position just after this entry (d_off); unique and increasing within the directory. */
    readonly cookie: number,
  ) {}
}

/** A tree with its own read-only flag and space limit, attached on a directory or as the root. */
export class Mount {
  /** The mount's root directory. */
  readonly root: Inode;
  /** EROFS for every change inside this mount. */
  readOnly: boolean;
  /** Most bytes of file contents the mount holds (ENOSPC past it). */
  capacityBytes: number;
  /** Bytes of file contents held: the sizes of the regular files that still have a name. */
  usedBytes = 0;

  constructor(
    /** st_dev reported for the mount's inodes. */
    readonly device: number,
    /** The directory this mount covers, or null for the root mount. */
    readonly mountpoint: Inode | null,
    rootIno: number,
    now: number,
    options: MountOptions,
  ) {
    this.readOnly = options.readOnly ?? false;
    this.capacityBytes = options.capacityBytes ?? Number.POSITIVE_INFINITY;
    const rootMode = (options.rootMode ?? 0o755) & MODE_PERMISSION_MASK;
    this.root = new Inode(rootIno, FILE_TYPE.DIRECTORY | rootMode, this, now);
    this.root.parent = this.root;
  }
}

/** How a mount behaves. */
export interface MountOptions {
  /** Refuse every change with EROFS (default false). */
  readOnly?: boolean;
  /** Most bytes of file contents (default unlimited). */
  capacityBytes?: number;
  /** Permission bits of the root directory (default 0o755; 0o1777 suits /tmp). */
  rootMode?: number;
}

/** A file, directory, symlink or special file. Mutate it through the Ramfs operations. */
export class Inode {
  uid = 0;
  gid = 0;
  nlink: number;
  /** Bytes of contents (regular files) or of the target (symlinks); 0 otherwise. */
  size = 0;
  atime: number;
  mtime: number;
  ctime: number;
  /** Regular files: contents in [0, size), zeros after. */
  data: Uint8Array = EMPTY_FILE;
  /** Directories: name → entry in ascending cookie order; null for other types. */
  readonly entries: Map<string, DirectoryEntry> | null;
  /** Directories: the directory holding this one (itself at a mount's root). */
  parent: Inode;
  /** Directories: the cookie the next entry receives. */
  nextCookie: number = DIRECTORY_POSITION.FIRST_ENTRY;
  /** Symlinks: the target, one Latin-1 character per byte. */
  target = "";
  /** Character and block devices: the device numbers. */
  rdevMajor = 0;
  rdevMinor = 0;
  /** The mount attached on this directory, if any. */
  mounted: Mount | null = null;

  constructor(
    /** Inode number, unique within the file system. */
    readonly ino: number,
    /** st_mode: file type and permission bits. */
    public mode: number,
    /** The mount whose tree holds this inode. */
    readonly mount: Mount,
    now: number,
  ) {
    const isDirectory = (mode & FILE_TYPE.MASK) === FILE_TYPE.DIRECTORY;
    this.entries = isDirectory ? new Map() : null;
    this.nlink = isDirectory ? 2 : 1;
    this.parent = this;
    this.atime = now;
    this.mtime = now;
    this.ctime = now;
  }

  get isDirectory(): boolean {
    return (this.mode & FILE_TYPE.MASK) === FILE_TYPE.DIRECTORY;
  }

  get isRegular(): boolean {
    return (this.mode & FILE_TYPE.MASK) === FILE_TYPE.REGULAR;
  }

  get isSymlink(): boolean {
    return (this.mode & FILE_TYPE.MASK) === FILE_TYPE.SYMLINK;
  }

  /** Whether this directory is the root of its mount. */
  get isMountRoot(): boolean {
    return this.mount.root === this;
  }
}
