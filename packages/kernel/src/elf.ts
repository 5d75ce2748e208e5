/**
 * ELF64 parsing for the loader: validates that a byte array is a static,
 * little-endian x86-64 Linux executable and decodes its program headers
 * (System V ABI, "ELF-64 Object File Format" §§ 3, 6 and the x86-64 psABI).
 *
 * Invariants of a successful parse:
 * - Every program header lies inside the file, and every PT_LOAD segment's
 *   file range lies inside the file, with `fileSize <= memorySize`.
 * - Addresses and sizes are numbers: they are checked to be below 2^53
 *   (user addresses are below 2^47), so no bigint reaches the loader.
 * - A file with PT_INTERP (dynamically linked) is refused: only static
 *   executables run.
 * Failures are values (`{ ok: false, error }`) with one sentence a user can act on.
 */

/** Constants of the ELF64 format used here. */
export const ELF = {
  /** "\x7fELF" read as a little-endian uint32. */
  MAGIC: 0x464c457f,
  CLASS_64: 2,
  DATA_LITTLE_ENDIAN: 1,
  TYPE_EXECUTABLE: 2,
  TYPE_SHARED: 3,
  MACHINE_X86_64: 62,
  HEADER_SIZE: 64,
  PROGRAM_HEADER_SIZE: 56,
} as const;

/** Program header types (p_type) the loader distinguishes. */
export const PROGRAM_TYPE = {
  LOAD: 1,
  DYNAMIC: 2,
  INTERP: 3,
  NOTE: 4,
  TLS: 7,
  GNU_STACK: 0x6474e551,
} as const;

/** Segment permission bits (p_flags). */
export const SEGMENT_FLAG = {
  EXECUTE: 1,
  WRITE: 2,
  READ: 4,
} as const;

/** One decoded program header. */
export interface ProgramHeader {
  /** p_type, e.g. {@link PROGRAM_TYPE}.LOAD. */
  type: number;
  /** p_flags: {@link SEGMENT_FLAG} bits. */
  flags: number;
  /** Offset of the segment's bytes in the file. */
  fileOffset: number;
  /** Virtual address the segment is loaded at. */
  virtualAddress: number;
  /** Bytes taken from the file. */
  fileSize: number;
  /** Bytes in memory; the tail beyond `fileSize` is zero (.bss). */
  memorySize: number;
  /** Required alignment (a power of two, or 0/1 for none). */
  alignment: number;
}

/** A validated executable. */
export interface ElfExecutable {
  /** {@link ELF}.TYPE_EXECUTABLE or TYPE_SHARED (a static position-independent executable). */
  type: number;
  /** The entry point's virtual address. */
  entry: number;
  /** Every program header, in file order. */
  programHeaders: ProgramHeader[];
  /** File offset of the program header table (for the AT_PHDR auxiliary vector entry). */
  programHeaderOffset: number;
}

/** The outcome of {@link parseElfExecutable}. */
export type ElfParseResult = { ok: true; executable: ElfExecutable } | { ok: false; error: string };

/** Validates and decodes `bytes` as described in the file header. Never throws. */
export function parseElfExecutable(bytes: Uint8Array): ElfParseResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < ELF.HEADER_SIZE || view.getUint32(0, true) !== ELF.MAGIC) {
    return fail("not an ELF file");
  }
  if (bytes[4] !== ELF.CLASS_64 || bytes[5] !== ELF.DATA_LITTLE_ENDIAN) {
    return fail("not a 64-bit little-endian ELF file");
  }
  const machine = view.getUint16(18, true);
  if (machine !== ELF.MACHINE_X86_64) return fail(`ELF for machine ${machine}, not x86-64 (62)`);
  const type = view.getUint16(16, true);
  if (type !== ELF.TYPE_EXECUTABLE && type !== ELF.TYPE_SHARED) {
    return fail(`ELF type ${type} is not an executable`);
  }
  const entry = readSafe64(view, 24);
  const tableOffset = readSafe64(view, 32);
  const entrySize = view.getUint16(54, true);
  const count = view.getUint16(56, true);
  if (entry < 0 || tableOffset < 0) return fail("entry point or program header offset out of range");
  if (entrySize !== ELF.PROGRAM_HEADER_SIZE || tableOffset + count * entrySize > bytes.length) {
    return fail("truncated or malformed program headers");
  }
  const programHeaders: ProgramHeader[] = [];
  for (let index = 0; index < count; index++) {
    const header = readProgramHeader(view, tableOffset + index * entrySize);
    if (typeof header === "string") return fail(`program header ${index}: ${header}`);
    if (header.type === PROGRAM_TYPE.INTERP) {
      return fail("dynamically linked (has PT_INTERP); only static executables run");
    }
    programHeaders.push(header);
  }
  if (!programHeaders.some((header) => header.type === PROGRAM_TYPE.LOAD)) {
    return fail("no PT_LOAD segment to load");
  }
  return { ok: true, executable: { type, entry, programHeaders, programHeaderOffset: tableOffset } };
}

function readProgramHeader(view: DataView, at: number): ProgramHeader | string {
  const header: ProgramHeader = {
    type: view.getUint32(at, true),
    flags: view.getUint32(at + 4, true),
    fileOffset: readSafe64(view, at + 8),
    virtualAddress: readSafe64(view, at + 16),
    fileSize: readSafe64(view, at + 32),
    memorySize: readSafe64(view, at + 40),
    alignment: readSafe64(view, at + 48),
  };
  if (header.type !== PROGRAM_TYPE.LOAD) return header;
  if (header.fileOffset < 0 || header.virtualAddress < 0 || header.fileSize < 0 || header.memorySize < 0) {
    return "segment address or size out of range";
  }
  if (header.fileOffset + header.fileSize > view.byteLength)
    return "segment extends past the end of the file";
  if (header.fileSize > header.memorySize) return "segment file size exceeds its memory size";
  return header;
}

/** A 64-bit field as a number, or -1 when it is 2^53 or more. */
function readSafe64(view: DataView, at: number): number {
  const high = view.getUint32(at + 4, true);
  if (high > 0x1fffff) return -1;
  return high * 0x1_0000_0000 + view.getUint32(at, true);
}

function fail(error: string): ElfParseResult {
  return { ok: false, error };
}
