/**
 * Contents of regular files: reads and writes at byte offsets and truncation
 * (read(2)/pread(2), write(2)/pwrite(2), truncate(2) semantics).
 *
 * Invariants (see `inode.ts`): bytes [size, data.length) are zero, so a write
 * past the end or a truncate up exposes zeros without filling; truncating down
 * zeroes the cut tail to keep it so. Capacity grows by doubling, at most to
 * FILE_SIZE_MAX. The owning mount's `usedBytes` follows every size change.
 *
 * Outcomes are byte counts or negative errnos:
 * - EISDIR on a directory; EINVAL on other non-regular files or a negative
 *   offset or length; EROFS on a read-only mount (writes, truncate).
 * - EFBIG past FILE_SIZE_MAX; ENOSPC past the mount's capacity (a write is
 *   all or nothing).
 * Times: a write of at least one byte, or a truncate that changes the size,
 * sets mtime and ctime; a read sets atime with the relatime rule (only when
 * atime is not newer than mtime or ctime, or is a day old), never on a
 * read-only mount.
 */
import { ERRNO } from "@tsos/syscall";
import type { Inode } from "./inode";
import { FS_LIMIT } from "./inode";

const NANOSECONDS_PER_DAY = 86_400 * 1e9;

/** Copies up to `buffer.length` bytes from `offset` into `buffer`; answers the count (0 at or past the end). */
export function readFileData(inode: Inode, offset: number, buffer: Uint8Array, now: number): number {
  const refused = refuseNonRegular(inode);
  if (refused !== 0) return refused;
  if (offset < 0 || !Number.isInteger(offset)) return -ERRNO.EINVAL;
  const count = Math.max(0, Math.min(buffer.length, inode.size - offset));
  if (count > 0) buffer.set(inode.data.subarray(offset, offset + count));
  touchAccessTime(inode, now);
  return count;
}

/** Writes `bytes` at `offset`, growing the file (zero-filled gap) as needed; answers the count. */
export function writeFileData(inode: Inode, offset: number, bytes: Uint8Array, now: number): number {
  const refused = refuseNonRegular(inode);
  if (refused !== 0) return refused;
  if (offset < 0 || !Number.isInteger(offset)) return -ERRNO.EINVAL;
  if (inode.mount.readOnly) return -ERRNO.EROFS;
  if (bytes.length === 0) return 0;
  const end = offset + bytes.length;
  if (end > inode.size) {
    const grown = resize(inode, end);
    if (grown !== 0) return grown;
  }
  inode.data.set(bytes, offset);
  inode.mtime = now;
  inode.ctime = now;
  return bytes.length;
}

/** Sets the size to `length`: the tail is dropped, or zeros are added. Answers 0. */
export function truncateFileData(inode: Inode, length: number, now: number): number {
  const refused = refuseNonRegular(inode);
  if (refused !== 0) return refused;
  if (length < 0 || !Number.isInteger(length)) return -ERRNO.EINVAL;
  if (inode.mount.readOnly) return -ERRNO.EROFS;
  if (length === inode.size) return 0;
  const resized = resize(inode, length);
  if (resized !== 0) return resized;
  inode.mtime = now;
  inode.ctime = now;
  return 0;
}

function refuseNonRegular(inode: Inode): number {
  if (inode.isRegular) return 0;
  return inode.isDirectory ? -ERRNO.EISDIR : -ERRNO.EINVAL;
}

/** Changes `size` keeping the zero-tail invariant and the mount's accounting. */
function resize(inode: Inode, size: number): number {
  if (size > FS_LIMIT.FILE_SIZE_MAX) return -ERRNO.EFBIG;
  const mount = inode.mount;
  // An unlinked file's space was released at its last unlink; it no longer counts.
  const growth = inode.nlink > 0 ? size - inode.size : 0;
  if (growth > 0 && mount.usedBytes + growth > mount.capacityBytes) return -ERRNO.ENOSPC;
  if (size > inode.data.length) {
    const capacity = Math.min(FS_LIMIT.FILE_SIZE_MAX, Math.max(size, inode.data.length * 2, 64));
    const data = new Uint8Array(capacity);
    data.set(inode.data.subarray(0, inode.size));
    inode.data = data;
  } else if (size < inode.size) {
    inode.data.fill(0, size, inode.size);
  }
  mount.usedBytes += growth;
  inode.size = size;
  return 0;
}

function touchAccessTime(inode: Inode, now: number): void {
  if (inode.mount.readOnly) return;
  if (inode.atime <= inode.mtime || inode.atime <= inode.ctime || now - inode.atime >= NANOSECONDS_PER_DAY) {
    inode.atime = now;
  }
}
