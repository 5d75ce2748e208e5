/**
 * Reads initramfs buffers of cpio newc/crc archives (format in
 * `cpio-format.ts`). Outcomes, never a throw:
 * - The buffer is the initramfs grammar of buffer-format.rst without
 *   compression: NUL padding and uncompressed archives, in any number. Each
 *   archive must end with its trailer: Linux tolerates a missing one, but
 *   refusing it is what catches a buffer cut at an entry boundary. A
 *   compressed member is an error.
 * - Names are returned byte for byte as Latin-1 strings, with no
 *   normalisation: "./bin/sh", "bin/sh", "/bin/sh" and "." stay as written
 *   (GNU cpio writes "." and "bin/sh"; gen_init_cpio writes "/bin/sh").
 *   Interpreting them is the consumer's job (the ramfs resolves them from its root).
 * - `data` is a view into the input buffer (no copy) for regular files and
 *   symlinks (the target); other file types carry no data (Linux skips it).
 * - Hard links: GNU cpio stores a link group's contents on its last member
 *   only; every member is given the data of the last member that carries
 *   any (Linux overwrites the shared file with each copy). The group table
 *   is reset at each trailer, as in Linux.
 * - crc archives have each regular file's checksum (the 32-bit sum of its
 *   data bytes) verified; symlinks carry 0 there (GNU cpio) and are not
 *   checked; newc archives' c_check is ignored.
 * - Malformed input (truncation, bad magic, a field that is not 8 hex digits,
 *   a name without its NUL, data past the end, a symlink with no target, a
 *   trailer with data) gives a {@link CpioError} with the byte offset.
 */
import {
  alignUp,
  CPIO,
  CPIO_FIELD,
  type CpioEntry,
  EMPTY_DATA,
  hardLinkKey,
  latin1String,
  sumBytes,
} from "./cpio-format";
import { type CpioError, cpioError } from "./errors";
import { FILE_TYPE } from "./mode";

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Reads every archive in an initramfs buffer; see the file comment. Never throws. */
export function readCpioNewc(bytes: Uint8Array): CpioEntry[] | CpioError {
  const entries: CpioEntry[] = [];
  let offset = 0;
  let archives = 0;
  for (;;) {
    while (offset < bytes.length && bytes[offset] === 0) offset++;
    if (offset === bytes.length) break;
    const start = checkArchiveStart(bytes, offset);
    if (start !== null) return start;
    const end = readArchive(bytes, offset, entries);
    if (typeof end !== "number") return end;
    offset = end;
    archives++;
  }
  if (archives === 0) return cpioError("The buffer holds no cpio archive", offset);
  return entries;
}

/** Explains why no archive can start at `offset` (a non-NUL byte), or null if one may. */
function checkArchiveStart(bytes: Uint8Array, offset: number): CpioError | null {
  if (bytes[offset] === GZIP_MAGIC[0] && bytes[offset + 1] === GZIP_MAGIC[1]) {
    return cpioError(
      "A gzip-compressed member follows; only uncompressed cpio archives are supported",
      offset,
    );
  }
  if (offset % CPIO.ALIGNMENT !== 0) {
    return cpioError("A non-NUL byte follows the padding at an offset that is not a multiple of 4", offset);
  }
  return null;
}

/**
 * Reads one archive starting at `offset` up to and including its trailer,
 * appending its entries. Answers the offset after the trailer's padding.
 */
function readArchive(bytes: Uint8Array, offset: number, entries: CpioEntry[]): number | CpioError {
  const linkGroups = new Map<string, CpioEntry[]>();
  for (;;) {
    if (offset >= bytes.length) {
      return cpioError("The archive ends without a TRAILER!!! entry", bytes.length);
    }
    const header = readHeader(bytes, offset);
    if (!(header instanceof Header)) return header;
    const nameStart = offset + CPIO.HEADER_SIZE;
    const name = readName(bytes, nameStart, header.namesize);
    if (typeof name !== "string") return name;
    const dataStart = alignUp(nameStart + header.namesize);
    if (name === CPIO.TRAILER_NAME) {
      if (header.filesize !== 0) return cpioError("The TRAILER!!! entry has a non-zero c_filesize", offset);
      shareHardLinkData(linkGroups);
      return Math.min(dataStart, bytes.length);
    }
    const dataEnd = dataStart + header.filesize;
    if (dataEnd > bytes.length) {
      return cpioError(
        `The data of "${name}" (${header.filesize} bytes) runs past the end of the ${bytes.length}-byte buffer`,
        dataStart,
      );
    }
    const data = bytes.subarray(dataStart, dataEnd);
    const isRegular = (header.mode & FILE_TYPE.MASK) === FILE_TYPE.REGULAR;
    if (header.checksummed && isRegular && sumBytes(data) !== header.check) {
      return cpioError(`The data of "${name}" does not match its crc checksum`, offset + CPIO_FIELD.CHECK);
    }
    const entry = toEntry(header, name, data);
    if ((entry.mode & FILE_TYPE.MASK) === FILE_TYPE.SYMLINK && data.length === 0) {
      return cpioError(`The symlink "${name}" has no target (c_filesize is 0)`, offset + CPIO_FIELD.FILESIZE);
    }
    entries.push(entry);
    addToLinkGroup(linkGroups, entry);
    offset = Math.min(alignUp(dataEnd), bytes.length);
  }
}

/** The decoded numeric fields of one header. */
class Header {
  ino = 0;
  mode = 0;
  uid = 0;
  gid = 0;
  nlink = 0;
  mtime = 0;
  filesize = 0;
  devmajor = 0;
  devminor = 0;
  rdevmajor = 0;
  rdevminor = 0;
  namesize = 0;
  check = 0;
  checksummed = false;
}

/** Field order after the magic, with the names used in error messages. */
const HEADER_FIELDS = [
  ["ino", "c_ino"],
  ["mode", "c_mode"],
  ["uid", "c_uid"],
  ["gid", "c_gid"],
  ["nlink", "c_nlink"],
  ["mtime", "c_mtime"],
  ["filesize", "c_filesize"],
  ["devmajor", "c_devmajor"],
  ["devminor", "c_devminor"],
  ["rdevmajor", "c_rdevmajor"],
  ["rdevminor", "c_rdevminor"],
  ["namesize", "c_namesize"],
  ["check", "c_check"],
] as const;

function readHeader(bytes: Uint8Array, offset: number): Header | CpioError {
  if (offset + CPIO.HEADER_SIZE > bytes.length) {
    return cpioError(
      `The archive is truncated: a ${CPIO.HEADER_SIZE}-byte header starts ${bytes.length - offset} bytes before the end`,
      offset,
    );
  }
  const magic = latin1String(bytes, offset, offset + CPIO.MAGIC_SIZE);
  if (magic !== CPIO.MAGIC_NEWC && magic !== CPIO.MAGIC_CRC) {
    return cpioError(`The header magic is not "070701" (newc) or "070702" (crc)`, offset);
  }
  const header = new Header();
  header.checksummed = magic === CPIO.MAGIC_CRC;
  for (let index = 0; index < HEADER_FIELDS.length; index++) {
    const [key, fieldName] = HEADER_FIELDS[index]!;
    const at = offset + CPIO.MAGIC_SIZE + index * CPIO.FIELD_SIZE;
    const value = readHex(bytes, at);
    if (value < 0) return cpioError(`The header field ${fieldName} is not 8 hexadecimal digits`, at);
    header[key] = value;
  }
  if (header.namesize === 0) {
    return cpioError(
      "The header's c_namesize is 0, leaving no room for the name's NUL",
      offset + CPIO_FIELD.NAMESIZE,
    );
  }
  return header;
}

/** The 8-hex-digit field at `at` as a number, or -1 if a character is not a hex digit. */
function readHex(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let index = 0; index < CPIO.FIELD_SIZE; index++) {
    const digit = hexDigitValue(bytes[at + index]!);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The name of `namesize` bytes (NUL included) at `start`, or why it is malformed. */
function readName(bytes: Uint8Array, start: number, namesize: number): string | CpioError {
  const end = start + namesize - 1;
  if (end >= bytes.length) {
    return cpioError(
      `The name (${namesize} bytes) runs past the end of the ${bytes.length}-byte buffer`,
      start,
    );
  }
  if (bytes[end] !== 0) return cpioError("The name is not terminated by a NUL at c_namesize", end);
  const embedded = bytes.subarray(start, end).indexOf(0);
  if (embedded >= 0) return cpioError("The name contains a NUL byte before its end", start + embedded);
  return latin1String(bytes, start, end);
}

function toEntry(header: Header, name: string, data: Uint8Array): CpioEntry {
  const type = header.mode & FILE_TYPE.MASK;
  const carriesData = type === FILE_TYPE.REGULAR || type === FILE_TYPE.SYMLINK;
  return {
    name,
    ino: header.ino,
    mode: header.mode,
    uid: header.uid,
    gid: header.gid,
    nlink: header.nlink,
    mtime: header.mtime,
    devmajor: header.devmajor,
    devminor: header.devminor,
    rdevmajor: header.rdevmajor,
    rdevminor: header.rdevminor,
    data: carriesData ? data : EMPTY_DATA,
  };
}

function addToLinkGroup(groups: Map<string, CpioEntry[]>, entry: CpioEntry): void {
  const key = hardLinkKey(entry);
  if (key === null) return;
  const group = groups.get(key);
  if (group === undefined) groups.set(key, [entry]);
  else group.push(entry);
}

/** Gives each member of each group the data of its last data-carrying member. */
function shareHardLinkData(groups: Map<string, CpioEntry[]>): void {
  for (const group of groups.values()) {
    let data = EMPTY_DATA;
    for (const entry of group) if (entry.data.length > 0) data = entry.data;
    for (const entry of group) entry.data = data;
  }
}
