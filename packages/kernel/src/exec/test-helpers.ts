/**
 * Test-only helpers for the exec loader (not exported from the package):
 * synthetic ELF64 files with exactly the program headers a test needs, the
 * committed guest binaries, a fresh address space over MockMemoryController,
 * and a page-table walk that reads a PTE's both halves (NX lives in the high
 * half, which PageTable.leafFlags does not return).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type PhysicalMemory, PTE, pteAddress } from "@tsos/hw-x86";
import { AddressSpace, type AddressSpaceOptions, copyFromUser, FrameRefCounts } from "@tsos/mm";
import { MockMemoryController } from "@tsos/testing";
import { ELF, PROGRAM_TYPE } from "../elf";

/** One program header of a synthetic file. */
export interface TestSegment {
  readonly type?: number;
  /** p_flags (SEGMENT_FLAG bits). */
  readonly flags: number;
  readonly vaddr: number;
  readonly memsz: number;
  /** Bytes written at `offset` (default none). */
  readonly data?: Uint8Array;
  /** p_offset (default: the first offset after the headers congruent to vaddr mod 4096). */
  readonly offset?: number;
  /** p_filesz (default data.length). */
  readonly filesz?: number;
  /** p_align (default 4096). */
  readonly align?: number;
}

/** A synthetic ELF64 x86-64 file. */
export interface TestElf {
  readonly type?: number;
  readonly machine?: number;
  readonly entry: number;
  readonly segments: readonly TestSegment[];
}

const PAGE = 4096;

/** Encodes `elf` as a file: header, program headers at offset 64, then segment bytes. */
export function buildElf(elf: TestElf): Uint8Array {
  const headersEnd = ELF.HEADER_SIZE + elf.segments.length * ELF.PROGRAM_HEADER_SIZE;
  let cursor = headersEnd;
  const offsets = elf.segments.map((segment) => {
    if (segment.offset !== undefined) return segment.offset;
    const offset = cursor + ((((segment.vaddr - cursor) % PAGE) + PAGE) % PAGE);
    cursor = offset + (segment.data?.length ?? 0);
    return offset;
  });
  const size = Math.max(
    cursor,
    ...elf.segments.map((segment, index) => offsets[index]! + (segment.data?.length ?? 0)),
  );
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  view.setUint32(0, ELF.MAGIC, true);
  file.set([ELF.CLASS_64, ELF.DATA_LITTLE_ENDIAN, 1], 4);
  view.setUint16(16, elf.type ?? ELF.TYPE_EXECUTABLE, true);
  view.setUint16(18, elf.machine ?? ELF.MACHINE_X86_64, true);
  view.setUint32(20, 1, true);
  view.setBigUint64(24, BigInt(elf.entry), true);
  view.setBigUint64(32, BigInt(ELF.HEADER_SIZE), true);
  view.setUint16(52, ELF.HEADER_SIZE, true);
  view.setUint16(54, ELF.PROGRAM_HEADER_SIZE, true);
  view.setUint16(56, elf.segments.length, true);
  elf.segments.forEach((segment, index) => {
    const at = ELF.HEADER_SIZE + index * ELF.PROGRAM_HEADER_SIZE;
    view.setUint32(at, segment.type ?? PROGRAM_TYPE.LOAD, true);
    view.setUint32(at + 4, segment.flags, true);
    view.setBigUint64(at + 8, BigInt(offsets[index]!), true);
    view.setBigUint64(at + 16, BigInt(segment.vaddr), true);
    view.setBigUint64(at + 24, BigInt(segment.vaddr), true);
    view.setBigUint64(at + 32, BigInt(segment.filesz ?? segment.data?.length ?? 0), true);
    view.setBigUint64(at + 40, BigInt(segment.memsz), true);
    view.setBigUint64(at + 48, BigInt(segment.align ?? PAGE), true);
    if (segment.data !== undefined) file.set(segment.data, offsets[index]!);
  });
  return file;
}

/** A committed guest binary, by path relative to packages/. */
export function guestBinary(path: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url))));
}

/** A fresh address space over a poisoned MockMemoryController. */
export function freshSpace(memory = new MockMemoryController({ size: 16 * 2 ** 20, reservedFrames: 1 })) {
  const options: AddressSpaceOptions = {
    memory,
    frames: memory,
    refCounts: new FrameRefCounts(memory.frameCount),
  };
  const space = AddressSpace.create(options);
  if (typeof space === "number") throw new Error("no frame for a PML4");
  return { memory, space };
}

/** `length` bytes of user memory at `address` (faulting pages in as a read would). */
export function readUser(space: AddressSpace, memory: PhysicalMemory, address: number, length: number) {
  const out = new Uint8Array(length);
  if (copyFromUser(space, memory, address, out) !== 0) throw new Error(`EFAULT at 0x${address.toString(16)}`);
  return out;
}

/** A 64-bit little-endian word of user memory, as a number. */
export function readUserWord(space: AddressSpace, memory: PhysicalMemory, address: number): number {
  const bytes = readUser(space, memory, address, 8);
  const view = new DataView(bytes.buffer);
  return view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
}

/** A NUL-terminated string of user memory, as Latin-1. */
export function readUserString(space: AddressSpace, memory: PhysicalMemory, address: number): string {
  let text = "";
  for (let at = address; ; at++) {
    const byte = readUser(space, memory, at, 1)[0]!;
    if (byte === 0) return text;
    text += String.fromCharCode(byte);
  }
}

/** Both halves of the 4 KiB PTE mapping `address` under PML4 `root`, or undefined when none is present. */
export function readPte(memory: PhysicalMemory, root: number, address: number) {
  let table = root;
  for (let level = 3; level >= 0; level--) {
    const entry = table + (Math.floor(address / 2 ** (12 + 9 * level)) % 512) * 8;
    const low = memory.read32(entry);
    const high = memory.read32(entry + 4);
    if ((low & PTE.P) === 0) return undefined;
    if (level === 0) return { low, high };
    table = pteAddress(low, high);
  }
  return undefined;
}
