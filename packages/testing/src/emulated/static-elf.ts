/**
 * The two loader pieces of {@link EmulatedCpu}: reading a static ELF64
 * x86-64 executable's PT_LOAD segments (ELF gABI; System V x86-64 psABI
 * §3.4) and laying out the initial process stack — argc, argv pointers,
 * NULL, envp pointers, NULL, the auxiliary vector (AT_PHDR, AT_PHENT,
 * AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_NULL), then the strings and
 * 16 random bytes, with RSP 16-byte aligned at argc. Test infrastructure:
 * the kernel's real loader lives in @tsos/kernel.
 */

/** One PT_LOAD segment. */
export interface LoadSegment {
  /** Virtual address. */
  readonly address: number;
  /** Offset of its bytes in the file. */
  readonly fileOffset: number;
  /** Bytes in the file. */
  readonly fileSize: number;
  /** Bytes in memory (the rest is zero: bss). */
  readonly memorySize: number;
  /** PF_W. */
  readonly writable: boolean;
  /** PF_X. */
  readonly executable: boolean;
}

/** What the loader needs of an executable. */
export interface StaticElfImage {
  /** e_entry. */
  readonly entry: number;
  /** Virtual address of the program headers (for AT_PHDR), or 0 when not inside a segment. */
  readonly programHeaders: number;
  /** e_phentsize. */
  readonly programHeaderSize: number;
  /** e_phnum. */
  readonly programHeaderCount: number;
  /** PT_LOAD segments. */
  readonly segments: readonly LoadSegment[];
}

const PT_LOAD = 1;
const ET_EXEC = 2;
const EM_X86_64 = 62;

/** Parses `bytes`; throws an Error with a one-line reason for anything but a static ELF64 x86-64 ET_EXEC. */
export function parseStaticElf(bytes: Uint8Array): StaticElfImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 64 || view.getUint32(0, false) !== 0x7f454c46) throw new Error("not an ELF file");
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new Error("not a little-endian ELF64 file");
  if (view.getUint16(18, true) !== EM_X86_64) throw new Error("not an x86-64 executable");
  if (view.getUint16(16, true) !== ET_EXEC) throw new Error("not a static ET_EXEC executable");
  const entry = Number(view.getBigUint64(24, true));
  const tableOffset = Number(view.getBigUint64(32, true));
  const headerSize = view.getUint16(54, true);
  const headerCount = view.getUint16(56, true);
  if (headerSize < 56 || tableOffset + headerSize * headerCount > bytes.length)
    throw new Error("truncated program headers");
  const segments: LoadSegment[] = [];
  let programHeaders = 0;
  for (let index = 0; index < headerCount; index++) {
    const at = tableOffset + index * headerSize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const flags = view.getUint32(at + 4, true);
    const segment = {
      fileOffset: Number(view.getBigUint64(at + 8, true)),
      address: Number(view.getBigUint64(at + 16, true)),
      fileSize: Number(view.getBigUint64(at + 32, true)),
      memorySize: Number(view.getBigUint64(at + 40, true)),
      writable: (flags & 2) !== 0,
      executable: (flags & 1) !== 0,
    };
    if (segment.fileOffset + segment.fileSize > bytes.length || segment.fileSize > segment.memorySize) {
      throw new Error(`PT_LOAD ${index} is truncated or larger in the file than in memory`);
    }
    if (segment.address + segment.memorySize > 2 ** 47)
      throw new Error(`PT_LOAD ${index} reaches past user space`);
    if (tableOffset >= segment.fileOffset && tableOffset < segment.fileOffset + segment.fileSize) {
      programHeaders = segment.address + tableOffset - segment.fileOffset;
    }
    segments.push(segment);
  }
  if (segments.length === 0) throw new Error("no PT_LOAD segment");
  return { entry, programHeaders, programHeaderSize: headerSize, programHeaderCount: headerCount, segments };
}

/** The initial stack image: its bytes and the RSP they start at. */
export function buildInitialStack(
  top: number,
  argv: readonly string[],
  envp: readonly string[],
  image: StaticElfImage,
): { pointer: number; bytes: Uint8Array } {
  const encoder = new TextEncoder();
  const strings = [...argv, ...envp].map((text) => encoder.encode(`${text}\0`));
  const stringBytes = strings.reduce((sum, text) => sum + text.length, 0);
  const randomBytes = 16;
  const auxv = [
    3,
    image.programHeaders,
    4,
    image.programHeaderSize,
    5,
    image.programHeaderCount,
    6,
    4096,
    9,
    image.entry,
  ];
  const wordCount = 1 + argv.length + 1 + envp.length + 1 + auxv.length + 2 + 2;
  const areaStart = top - stringBytes - randomBytes;
  const pointer = Math.floor((areaStart - wordCount * 8) / 16) * 16;
  const bytes = new Uint8Array(top - pointer);
  const view = new DataView(bytes.buffer);
  let stringAt = areaStart;
  const addresses: number[] = [];
  for (const text of strings) {
    bytes.set(text, stringAt - pointer);
    addresses.push(stringAt);
    stringAt += text.length;
  }
  const random = stringAt;
  for (let i = 0; i < randomBytes; i++) bytes[random - pointer + i] = (i * 73 + 41) & 0xff;
  const words = [
    argv.length,
    ...addresses.slice(0, argv.length),
    0,
    ...addresses.slice(argv.length),
    0,
    ...auxv,
    25,
    random,
    0,
    0,
  ];
  for (const [index, word] of words.entries()) view.setBigUint64(index * 8, BigInt(word), true);
  return { pointer, bytes };
}
