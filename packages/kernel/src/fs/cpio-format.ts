/**
 * The cpio "newc" and "crc" formats (kernel
 * Documentation/driver-api/early-userspace/buffer-format.rst; cpio(5), "New
 * ASCII Format"): constants, the entry type, and the rules the reader and
 * writer share.
 *
 * Layout of one entry: a 110-byte header of ASCII text — the 6-byte magic
 * "070701" (newc) or "070702" (crc), then 13 fields of 8 hexadecimal digits
 * ({@link CPIO_FIELD}) — then the name and its NUL, padded with NULs so that
 * header + name is a multiple of 4 bytes, then `c_filesize` data bytes, padded
 * to a multiple of 4. The entry named "TRAILER!!!" ends an archive.
 *
 * Hard links: non-directories with c_nlink > 1 and the same (c_maj, c_min,
 * c_ino) within one archive are one file ({@link hardLinkKey}).
 */
import { FILE_TYPE } from "./mode";

/** Constants of the newc/crc formats (buffer-format.rst). */
export const CPIO = {
  MAGIC_NEWC: "070701",
  MAGIC_CRC: "070702",
  MAGIC_SIZE: 6,
  HEADER_SIZE: 110,
  FIELD_SIZE: 8,
  /** Header + name, and data, are each padded to this many bytes. */
  ALIGNMENT: 4,
  TRAILER_NAME: "TRAILER!!!",
  /** Largest value of an 8-hex-digit field. */
  FIELD_MAX: 0xffffffff,
} as const;

/** Byte offset of each header field from the start of the header. */
export const CPIO_FIELD = {
  MAGIC: 0,
  INO: 6,
  MODE: 14,
  UID: 22,
  GID: 30,
  NLINK: 38,
  MTIME: 46,
  FILESIZE: 54,
  DEVMAJOR: 62,
  DEVMINOR: 70,
  RDEVMAJOR: 78,
  RDEVMINOR: 86,
  NAMESIZE: 94,
  CHECK: 102,
} as const;

/** One archive member. All numbers are unsigned 32-bit. */
export interface CpioEntry {
  /** The path as stored, without its NUL (see the file comment on normalisation). */
  name: string;
  /** c_ino: identifies hard links together with the device numbers. */
  ino: number;
  /** Full st_mode: file type ({@link FILE_TYPE}) and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Modification time in seconds since the epoch. */
  mtime: number;
  /** Device holding the file (c_maj, c_min). */
  devmajor: number;
  devminor: number;
  /** Device a character or block special file refers to (c_rmaj, c_rmin). */
  rdevmajor: number;
  rdevminor: number;
  /** File contents, or a symlink's target; empty for other types. */
  data: Uint8Array;
}

/** The data of entries that carry none (shared; never written to). */
export const EMPTY_DATA: Uint8Array = new Uint8Array(0);

/** The hard-link group key of an entry, or null if it is not part of one. */
export function hardLinkKey(entry: CpioEntry): string | null {
  if (entry.nlink <= 1 || (entry.mode & FILE_TYPE.MASK) === FILE_TYPE.DIRECTORY) return null;
  return `${entry.devmajor}:${entry.devminor}:${entry.ino}`;
}

/**
 * The crc format's checksum: the 32-bit unsigned sum of the bytes. It covers
 * regular files only: GNU cpio writes 0 in a symlink's c_check.
 */
export function sumBytes(data: Uint8Array): number {
  let sum = 0;
  for (let index = 0; index < data.length; index++) sum = (sum + data[index]!) >>> 0;
  return sum;
}

/** `offset` rounded up to the format's 4-byte alignment. */
export function alignUp(offset: number): number {
  const remainder = offset % CPIO.ALIGNMENT;
  return remainder === 0 ? offset : offset + CPIO.ALIGNMENT - remainder;
}

/** Bytes [start, end) as a string of one Latin-1 character per byte. */
export function latin1String(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let index = start; index < end; index++) text += String.fromCharCode(bytes[index]!);
  return text;
}
