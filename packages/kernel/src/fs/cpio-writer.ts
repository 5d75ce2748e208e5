/**
 * Writes cpio newc (or crc) archives (format in `cpio-format.ts`).
 *
 * Outcome: the entries in order then a trailer, with no block padding after
 * it. Names are written byte for byte (Latin-1), with no normalisation.
 * Members of a hard-link group other than the last are written without data,
 * as GNU cpio does, so put the contents on the last one (reading gives every
 * member the contents again). An entry that cannot be encoded — a field
 * outside 0..2^32-1, an empty or reserved name, a name with NUL or a
 * non-Latin-1 character, a symlink with no target, data on a type other
 * than a regular file or symlink — is a programming error and throws a RangeError.
 */
import { alignUp, CPIO, type CpioEntry, EMPTY_DATA, hardLinkKey, sumBytes } from "./cpio-format";
import { FILE_TYPE } from "./mode";

/** Options of {@link writeCpioNewc}. */
export interface CpioWriteOptions {
  /** Write the "crc" variant (magic 070702, each regular file's data sum in c_check). Default: newc. */
  checksum?: boolean;
}

const ASCII_ZERO = 0x30;
const ASCII_UPPER_A = 0x41;

/** Encodes `entries` and a trailer as one archive; see the file comment. */
export function writeCpioNewc(entries: readonly CpioEntry[], options: CpioWriteOptions = {}): Uint8Array {
  const checksum = options.checksum === true;
  const writesData = lastOfEachLinkGroup(entries);
  let total = entrySize(CPIO.TRAILER_NAME.length, 0);
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    validateEntry(entry);
    total += entrySize(entry.name.length, writesData[index] ? entry.data.length : 0);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    offset = writeEntry(out, offset, entry, writesData[index] ? entry.data : EMPTY_DATA, checksum);
  }
  writeEntry(out, offset, TRAILER, EMPTY_DATA, checksum);
  return out;
}

const TRAILER: CpioEntry = {
  name: CPIO.TRAILER_NAME,
  ino: 0,
  mode: 0,
  uid: 0,
  gid: 0,
  nlink: 1,
  mtime: 0,
  devmajor: 0,
  devminor: 0,
  rdevmajor: 0,
  rdevminor: 0,
  data: EMPTY_DATA,
};

/** For each entry, whether its data is written: false for all but the last member of a link group. */
function lastOfEachLinkGroup(entries: readonly CpioEntry[]): boolean[] {
  const lastIndex = new Map<string, number>();
  entries.forEach((entry, index) => {
    const key = hardLinkKey(entry);
    if (key !== null) lastIndex.set(key, index);
  });
  return entries.map((entry, index) => {
    const key = hardLinkKey(entry);
    return key === null || lastIndex.get(key) === index;
  });
}

function entrySize(nameLength: number, dataLength: number): number {
  return alignUp(CPIO.HEADER_SIZE + nameLength + 1) + alignUp(dataLength);
}

function validateEntry(entry: CpioEntry): void {
  const numbers = [
    entry.ino,
    entry.mode,
    entry.uid,
    entry.gid,
    entry.nlink,
    entry.mtime,
    entry.devmajor,
    entry.devminor,
    entry.rdevmajor,
    entry.rdevminor,
    entry.data.length,
  ];
  for (const value of numbers) {
    if (!Number.isInteger(value) || value < 0 || value > CPIO.FIELD_MAX) {
      throw new RangeError(`cpio entry "${entry.name}" has a field outside 0..0xffffffff: ${value}`);
    }
  }
  if (entry.name.length === 0 || entry.name === CPIO.TRAILER_NAME || !isNulFreeLatin1(entry.name)) {
    throw new RangeError(
      `cpio entry name ${JSON.stringify(entry.name)} is empty, reserved, or not NUL-free Latin-1`,
    );
  }
  const type = entry.mode & FILE_TYPE.MASK;
  if (type === FILE_TYPE.SYMLINK && entry.data.length === 0) {
    throw new RangeError(`cpio symlink "${entry.name}" needs its target as data`);
  }
  if (type !== FILE_TYPE.SYMLINK && type !== FILE_TYPE.REGULAR && entry.data.length !== 0) {
    throw new RangeError(`cpio entry "${entry.name}" is neither a regular file nor a symlink but has data`);
  }
}

/** Writes one header, name and data at `offset`; answers the offset after the data's padding. */
function writeEntry(
  out: Uint8Array,
  offset: number,
  entry: CpioEntry,
  data: Uint8Array,
  checksum: boolean,
): number {
  writeAscii(out, offset, checksum ? CPIO.MAGIC_CRC : CPIO.MAGIC_NEWC);
  const values = [
    entry.ino,
    entry.mode,
    entry.uid,
    entry.gid,
    entry.nlink,
    entry.mtime,
    data.length,
    entry.devmajor,
    entry.devminor,
    entry.rdevmajor,
    entry.rdevminor,
    entry.name.length + 1,
    checksum && (entry.mode & FILE_TYPE.MASK) === FILE_TYPE.REGULAR ? sumBytes(data) : 0,
  ];
  values.forEach((value, index) => {
    writeHex(out, offset + CPIO.MAGIC_SIZE + index * CPIO.FIELD_SIZE, value);
  });
  const nameStart = offset + CPIO.HEADER_SIZE;
  writeAscii(out, nameStart, entry.name);
  const dataStart = alignUp(nameStart + entry.name.length + 1);
  out.set(data, dataStart);
  return alignUp(dataStart + data.length);
}

/** Writes `value` as 8 upper-case hex digits, zero-padded on the left (GNU cpio's spelling). */
function writeHex(out: Uint8Array, at: number, value: number): void {
  for (let index = CPIO.FIELD_SIZE - 1; index >= 0; index--) {
    const digit = value % 16;
    out[at + index] = digit < 10 ? ASCII_ZERO + digit : ASCII_UPPER_A + digit - 10;
    value = Math.floor(value / 16);
  }
}

function writeAscii(out: Uint8Array, at: number, text: string): void {
  for (let index = 0; index < text.length; index++) out[at + index] = text.charCodeAt(index);
}

/** Whether every character is a byte value 1..255. */
function isNulFreeLatin1(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0 || code > 0xff) return false;
  }
  return true;
}
