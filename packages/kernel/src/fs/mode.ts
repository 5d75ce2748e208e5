/**
 * The st_mode file-type field and the d_type values derived from it, shared
 * by the cpio codec and the ramfs (inode(7), readdir(3), getdents(2)).
 *
 * st_mode = file type (bits 12..15, {@link FILE_TYPE}) | set-user-ID,
 * set-group-ID, sticky (bits 9..11) | permission bits (0..8). A d_type value
 * is the file type shifted right by 12 (glibc's IFTODT), so the two tables
 * stay in step by construction.
 */

/** File-type values of st_mode & S_IFMT (inode(7), "The file type and mode"). */
export const FILE_TYPE = {
  /** S_IFMT: the bit mask of the file-type field. */
  MASK: 0o170000,
  /** S_IFSOCK. */
  SOCKET: 0o140000,
  /** S_IFLNK. */
  SYMLINK: 0o120000,
  /** S_IFREG. */
  REGULAR: 0o100000,
  /** S_IFBLK. */
  BLOCK_DEVICE: 0o060000,
  /** S_IFDIR. */
  DIRECTORY: 0o040000,
  /** S_IFCHR. */
  CHAR_DEVICE: 0o020000,
  /** S_IFIFO. */
  FIFO: 0o010000,
} as const;

/** The non-type bits of st_mode: S_ISUID | S_ISGID | S_ISVTX | rwxrwxrwx (inode(7)). */
export const MODE_PERMISSION_MASK = 0o7777;

/** d_type values (readdir(3)): the file type >> 12; DT_UNKNOWN is 0. */
export const DIRENT_TYPE = {
  UNKNOWN: 0,
  FIFO: FILE_TYPE.FIFO >> 12,
  CHAR_DEVICE: FILE_TYPE.CHAR_DEVICE >> 12,
  DIRECTORY: FILE_TYPE.DIRECTORY >> 12,
  BLOCK_DEVICE: FILE_TYPE.BLOCK_DEVICE >> 12,
  REGULAR: FILE_TYPE.REGULAR >> 12,
  SYMLINK: FILE_TYPE.SYMLINK >> 12,
  SOCKET: FILE_TYPE.SOCKET >> 12,
} as const;

/** The file-type field of `mode` (one of {@link FILE_TYPE}, or 0 for none). */
export function fileType(mode: number): number {
  return mode & FILE_TYPE.MASK;
}

/** The d_type of an inode with this st_mode. */
export function direntType(mode: number): number {
  return (mode & FILE_TYPE.MASK) >>> 12;
}

/** Whether `mode` names one of the seven Linux file types. */
export function isKnownFileType(mode: number): boolean {
  switch (mode & FILE_TYPE.MASK) {
    case FILE_TYPE.SOCKET:
    case FILE_TYPE.SYMLINK:
    case FILE_TYPE.REGULAR:
    case FILE_TYPE.BLOCK_DEVICE:
    case FILE_TYPE.DIRECTORY:
    case FILE_TYPE.CHAR_DEVICE:
    case FILE_TYPE.FIFO:
      return true;
    default:
      return false;
  }
}
