/**
 * Helpers of the page-table code: the 48-bit linear form of a signed
 * virtual address, the table index at each paging level, the span of one
 * entry per level, and zeroing a new table frame.
 *
 * Invariants: pure except zeroFrame; indices are in [0, 512).
 */
import {
  PAGE_LEVEL,
  PAGE_SIZE,
  type PhysicalMemory,
  pdIndex,
  pdptIndex,
  pml4Index,
  ptIndex,
} from "@tsos/hw-x86";
import { FRAME_SIZE } from "./frame-constants";

/** 2^48: the size of the linear address space of 4-level paging. */
const LINEAR_SPACE = 2 ** 48;
/** 2^47: the first non-canonical address above user space. */
const HALF_SPACE = 2 ** 47;
/** Bytes one entry covers at each level (index = PAGE_LEVEL; SDM vol 3A §4.5). */
export const LEVEL_SPAN = [
  0,
  PAGE_SIZE.SIZE_4K,
  PAGE_SIZE.SIZE_2M,
  PAGE_SIZE.SIZE_1G,
  PAGE_SIZE.SIZE_512G,
] as const;

/** The 48-bit linear form of a signed virtual address, or -1 when out of range or not an integer. */
export function linearOf(virtualAddress: number): number {
  if (!Number.isInteger(virtualAddress) || virtualAddress < -HALF_SPACE || virtualAddress >= HALF_SPACE)
    return -1;
  return virtualAddress < 0 ? virtualAddress + LINEAR_SPACE : virtualAddress;
}

/** Index (0–511) of the entry for `linear` in the table at `level` (SDM vol 3A §4.5, fig. 4-8). */
export function indexAt(level: number, linear: number): number {
  if (level === PAGE_LEVEL.PML4) return pml4Index(linear);
  if (level === PAGE_LEVEL.PDPT) return pdptIndex(linear);
  if (level === PAGE_LEVEL.PD) return pdIndex(linear);
  return ptIndex(linear);
}

/** Fills the frame at `address` with zeros (a new paging table must start empty). */
export function zeroFrame(memory: PhysicalMemory, address: number): void {
  memory.bytes(address, FRAME_SIZE).fill(0);
  memory.notifyWritten(address, FRAME_SIZE);
}
