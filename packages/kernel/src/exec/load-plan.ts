/**
 * The first half of exec: deciding, from the file alone, where every byte
 * goes — before anything touches an address space. Nothing here allocates
 * a frame or a VMA, so a refused file leaves every address space as it was.
 *
 * Rules (Linux fs/binfmt_elf.c load_elf_binary, without address-space
 * randomisation):
 * - The file must satisfy elf.ts's parseElfExecutable (static, x86-64,
 *   ELF64 LE, ET_EXEC or ET_DYN, headers and PT_LOAD file ranges inside the
 *   file, p_filesz <= p_memsz, no PT_INTERP), and have at most
 *   65536 / 56 program headers (Linux's cap).
 * - ET_EXEC loads at its own addresses (bias 0). ET_DYN (a static PIE:
 *   PT_INTERP is refused) loads with bias pageDown(base - first p_vaddr),
 *   base = {@link ELF_ET_DYN_BASE} aligned down to the largest power-of-two
 *   PT_LOAD p_align. That is where Linux puts a PIE without ASLR;
 *   Linux >= 5.18 puts an ET_DYN *without* interpreter in the mmap area
 *   instead, which depends on mmap state: we keep the fixed, documented base.
 * - PT_LOADs with p_memsz 0 are ignored. The others must be in ascending
 *   p_vaddr order without overlapping bytes, and lie inside user space
 *   [0, 2^47); otherwise ENOEXEC (Linux answers EINVAL for a segment past
 *   TASK_SIZE; we keep one errno for "this file cannot be laid out").
 * - Each segment covers the pages [pageDown(start), pageUp(end)). Two
 *   segments may share a page (bytes disjoint): that page gets the union of
 *   their protections (Linux's later MAP_FIXED mapping would replace it with
 *   the later segment's protection, cutting the earlier one's access).
 * - Protection from p_flags: PF_R → PROT_READ, PF_W → PROT_WRITE, PF_X →
 *   PROT_EXEC. PT_GNU_STACK with PF_X makes the stack executable; no
 *   PT_GNU_STACK means a non-executable stack (x86-64 Linux >= 5.8).
 *   PT_TLS, PT_DYNAMIC, PT_NOTE, PT_GNU_RELRO are libc's business.
 * - Only a segment's own bytes come from the file; the rest of its first
 *   and last page is zero (Linux maps whole file pages, which show the
 *   neighbouring file bytes there). So p_offset need not be congruent to
 *   p_vaddr modulo the page size (Linux's file mmap needs that: EINVAL).
 * - AT_PHDR: the address of the program header table inside the PT_LOAD
 *   whose file range holds the whole table (Linux asks only that the table
 *   start inside it); else PT_PHDR's p_vaddr + bias when that lies inside a
 *   segment; else 0 (no copy of the table is in memory).
 * - The program break starts at pageUp(highest segment end).
 */

import { PROT, USER_END } from "@tsos/mm";
import {
  ELF,
  type ElfExecutable,
  PROGRAM_TYPE,
  type ProgramHeader,
  parseElfExecutable,
  SEGMENT_FLAG,
} from "../elf";
import { ENOEXEC } from "./errors";

/** Bytes per page (x86-64 4 KiB pages; AT_PAGESZ). */
export const PAGE_SIZE = 4096;

/**
 * Base of an ET_DYN executable: x86-64 Linux's ELF_ET_DYN_BASE,
 * DEFAULT_MAP_WINDOW / 3 * 2 = (2^47 - 4096) / 3 * 2, page aligned.
 */
export const ELF_ET_DYN_BASE = 0x5555_5555_4000;

/** p_type of PT_PHDR (the program header table itself; elf.ts's PROGRAM_TYPE lacks it). */
const PT_PHDR = 6;

/** Linux refuses more program headers than fit in 64 KiB. */
const MAX_PROGRAM_HEADERS = Math.floor(65536 / ELF.PROGRAM_HEADER_SIZE);

/** One PT_LOAD segment, relocated by the load bias. */
export interface PlannedSegment {
  /** First byte in memory (p_vaddr + bias). */
  readonly start: number;
  /** Bytes copied from the file to `start`. */
  readonly fileSize: number;
  /** Offset of those bytes in the file. */
  readonly fileOffset: number;
  /** End of the segment in memory (start + p_memsz); [start + fileSize, end) is zero. */
  readonly end: number;
}

/** A page-aligned run of pages with one final protection. */
export interface PlannedRegion {
  readonly start: number;
  readonly end: number;
  /** Final PROT_* bits. */
  readonly prot: number;
}

/** Everything the loader needs to know about a file, decided without touching memory. */
export interface LoadPlan {
  readonly executable: ElfExecutable;
  /** Added to every p_vaddr and e_entry (0 for ET_EXEC). */
  readonly bias: number;
  /** Initial RIP. */
  readonly entry: number;
  /** AT_PHDR (0 when the program headers are not in memory). */
  readonly phdr: number;
  /** Segments in ascending address order. */
  readonly segments: readonly PlannedSegment[];
  /** Page-aligned regions in ascending order, disjoint. */
  readonly regions: readonly PlannedRegion[];
  /** pageUp(highest segment end). */
  readonly brkStart: number;
  /** PT_GNU_STACK asked for an executable stack. */
  readonly executableStack: boolean;
}

/** Why a file cannot be loaded: the errno execve returns and one sentence for a human. */
export interface LoadRefusal {
  readonly errno: number;
  readonly reason: string;
}

/** Validates `file` and lays it out (see the file header). Never throws. */
export function planExecutable(file: Uint8Array): LoadPlan | LoadRefusal {
  const parsed = parseElfExecutable(file);
  if (!parsed.ok) return refuse(parsed.error);
  const executable = parsed.executable;
  const headers = executable.programHeaders;
  if (headers.length > MAX_PROGRAM_HEADERS)
    return refuse(`${headers.length} program headers (at most ${MAX_PROGRAM_HEADERS})`);
  const loads = headers.filter((header) => header.type === PROGRAM_TYPE.LOAD && header.memorySize > 0);
  if (loads.length === 0) return refuse("every PT_LOAD segment is empty");
  const bias = executable.type === ELF.TYPE_SHARED ? dynamicBias(loads) : 0;
  const segments = relocateSegments(headers, loads, bias);
  if (typeof segments === "string") return refuse(segments);
  const entry = executable.entry + bias;
  if (!(entry >= 0 && entry < USER_END)) return refuse("entry point outside user space");
  const last = segments[segments.length - 1] as PlannedSegment;
  return {
    executable,
    bias,
    entry,
    phdr: programHeaderAddress(executable, bias, segments),
    segments,
    regions: planRegions(loads, segments),
    brkStart: pageUp(last.end),
    executableStack: headers.some(
      (header) => header.type === PROGRAM_TYPE.GNU_STACK && (header.flags & SEGMENT_FLAG.EXECUTE) !== 0,
    ),
  };
}

/** True when `result` is a refusal rather than a plan. */
export function isRefusal(result: LoadPlan | LoadRefusal): result is LoadRefusal {
  return "errno" in result;
}

/** The non-empty PT_LOADs moved by `bias`, checked to be ordered, disjoint and in user space; or why not. */
function relocateSegments(
  headers: readonly ProgramHeader[],
  loads: readonly ProgramHeader[],
  bias: number,
): PlannedSegment[] | string {
  const segments: PlannedSegment[] = [];
  for (const header of loads) {
    const start = header.virtualAddress + bias;
    const end = start + header.memorySize;
    const name = `program header ${headers.indexOf(header)} (PT_LOAD)`;
    if (!(start >= 0 && end <= USER_END)) return `${name} lies outside user space`;
    const previous = segments[segments.length - 1];
    if (previous !== undefined && start < previous.end)
      return `${name} overlaps or precedes the one before it`;
    segments.push({ start, end, fileOffset: header.fileOffset, fileSize: header.fileSize });
  }
  return segments;
}

/** Linux's load_bias for ET_DYN without ASLR: ELF_ET_DYN_BASE aligned to the largest p_align, minus the first p_vaddr. */
function dynamicBias(loads: readonly ProgramHeader[]): number {
  let alignment = PAGE_SIZE;
  for (const header of loads) {
    if (isPowerOfTwo(header.alignment) && header.alignment > alignment) alignment = header.alignment;
  }
  const base = Math.floor(ELF_ET_DYN_BASE / alignment) * alignment;
  return pageDown(base - (loads[0] as ProgramHeader).virtualAddress);
}

function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && 2 ** Math.round(Math.log2(value)) === value;
}

/** Page runs with final protections; a page shared by neighbours gets the union of theirs. */
function planRegions(loads: readonly ProgramHeader[], segments: readonly PlannedSegment[]): PlannedRegion[] {
  const regions: PlannedRegion[] = [];
  for (const [index, segment] of segments.entries()) {
    const prot = protectionOf((loads[index] as ProgramHeader).flags);
    let start = pageDown(segment.start);
    const end = pageUp(segment.end);
    const last = regions[regions.length - 1];
    if (last !== undefined && start < last.end) {
      // Byte-disjoint and ordered, so the overlap is exactly the last page of `last`.
      const shared = { start, end: last.end, prot: last.prot | prot };
      regions.pop();
      if (last.start < start) regions.push({ start: last.start, end: start, prot: last.prot });
      regions.push(shared);
      start = shared.end;
    }
    if (start < end) regions.push({ start, end, prot });
  }
  return regions;
}

/** PROT_* bits for ELF p_flags. */
export function protectionOf(flags: number): number {
  return (
    ((flags & SEGMENT_FLAG.READ) !== 0 ? PROT.READ : 0) |
    ((flags & SEGMENT_FLAG.WRITE) !== 0 ? PROT.WRITE : 0) |
    ((flags & SEGMENT_FLAG.EXECUTE) !== 0 ? PROT.EXEC : 0)
  );
}

function programHeaderAddress(
  executable: ElfExecutable,
  bias: number,
  segments: readonly PlannedSegment[],
): number {
  const tableStart = executable.programHeaderOffset;
  const tableEnd = tableStart + executable.programHeaders.length * ELF.PROGRAM_HEADER_SIZE;
  for (const header of executable.programHeaders) {
    if (header.type !== PROGRAM_TYPE.LOAD || header.memorySize === 0) continue;
    if (header.fileOffset <= tableStart && tableEnd <= header.fileOffset + header.fileSize) {
      return header.virtualAddress + (tableStart - header.fileOffset) + bias;
    }
  }
  const table = executable.programHeaders.find((header) => header.type === PT_PHDR);
  if (table === undefined || table.virtualAddress < 0) return 0;
  const address = table.virtualAddress + bias;
  return segments.some((segment) => segment.start <= address && address < segment.end) ? address : 0;
}

function refuse(reason: string): LoadRefusal {
  return { errno: ENOEXEC, reason };
}

/** `address` rounded down to a page boundary. */
export function pageDown(address: number): number {
  return Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
}

/** `address` rounded up to a page boundary. */
export function pageUp(address: number): number {
  return Math.ceil(address / PAGE_SIZE) * PAGE_SIZE;
}
