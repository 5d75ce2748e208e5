/**
 * Splitting a 48-bit virtual address into the four 9-bit table indices and
 * the page offset that 4-level paging uses (SDM vol 3A §4.5, fig. 4-8 to
 * 4-10), and joining them back.
 *
 * Two input forms:
 * - a number: an integer in [0, 2^48) (bits 63:48 dropped, i.e. the address
 *   already reduced to its low 48 bits), or
 * - halves (low, high) of the full 64-bit address; bits 63:48 are ignored.
 * The PD index, PT index and page offsets only use bits 29:0, so they take
 * either the number or the low half directly.
 *
 * Invariants: pure, allocation-free, results are small non-negative integers.
 */
import { PAGE_LEVEL } from "./page-table-entry";

/** Bit positions of the 4-level paging fields of a linear address (Intel SDM vol 3A §4.5, fig. 4-8). */
export const VIRTUAL_ADDRESS_SHIFT = {
  /** Bits 47:39 select the PML4 entry. */
  PML4: 39,
  /** Bits 38:30 select the PDPT entry. */
  PDPT: 30,
  /** Bits 29:21 select the PD entry. */
  PD: 21,
  /** Bits 20:12 select the PT entry. */
  PT: 12,
} as const;

/** Mask of one 9-bit table index (512 entries per table; SDM vol 3A §4.5). */
export const TABLE_INDEX_MASK = 0x1ff;
/** Mask of the offset within a 4 KiB page (bits 11:0). */
export const PAGE_OFFSET_MASK = 0xfff;
/** Mask of the offset within a 2 MiB page (bits 20:0). */
export const PAGE_OFFSET_MASK_2M = 0x1fffff;
/** Mask of the offset within a 1 GiB page (bits 29:0). */
export const PAGE_OFFSET_MASK_1G = 0x3fffffff;

/** Scale of bits 47:39 (2^39) for a numeric address. */
const PML4_SCALE = 549755813888;
/** Scale of bits 38:30 (2^30). */
const PDPT_SCALE = 1073741824;
/** Scale of bits 29:21 (2^21). */
const PD_SCALE = 2097152;
/** Scale of bits 20:12 (2^12). */
const PT_SCALE = 4096;
/** Bit 39 sits at bit 7 of the high half. */
const PML4_SHIFT_IN_HIGH = 7;
/** Bits 38:32 move up by 2 to join bits 31:30 in the PDPT index. */
const PDPT_HIGH_SHIFT = 2;

/** PML4 index (bits 47:39) of a numeric address in [0, 2^48). */
export function pml4Index(address: number): number {
  return (address / PML4_SCALE) & TABLE_INDEX_MASK;
}

/** PDPT index (bits 38:30) of a numeric address in [0, 2^48). */
export function pdptIndex(address: number): number {
  return (address / PDPT_SCALE) & TABLE_INDEX_MASK;
}

/** PD index (bits 29:21) of a numeric address in [0, 2^48) or of a low half. */
export function pdIndex(address: number): number {
  return (address / PD_SCALE) & TABLE_INDEX_MASK;
}

/** PT index (bits 20:12) of a numeric address in [0, 2^48) or of a low half. */
export function ptIndex(address: number): number {
  return (address / PT_SCALE) & TABLE_INDEX_MASK;
}

/** Offset within the 4 KiB page (bits 11:0) of a numeric address or a low half. */
export function pageOffset(address: number): number {
  return address & PAGE_OFFSET_MASK;
}

/** Offset within a 2 MiB page (bits 20:0) of a numeric address or a low half. */
export function pageOffset2M(address: number): number {
  return address & PAGE_OFFSET_MASK_2M;
}

/** Offset within a 1 GiB page (bits 29:0) of a numeric address or a low half. */
export function pageOffset1G(address: number): number {
  return address & PAGE_OFFSET_MASK_1G;
}

/** PML4 index (bits 47:39) of an address given as halves; only `high` matters. */
export function pml4IndexHalves(_low: number, high: number): number {
  return (high >>> PML4_SHIFT_IN_HIGH) & TABLE_INDEX_MASK;
}

/** PDPT index (bits 38:30) of an address given as halves. */
export function pdptIndexHalves(low: number, high: number): number {
  return ((low >>> VIRTUAL_ADDRESS_SHIFT.PDPT) | (high << PDPT_HIGH_SHIFT)) & TABLE_INDEX_MASK;
}

/**
 * The table index an address selects at `level` (4 = PML4 ... 1 = PT), from
 * halves. Returns -1 for a level outside 1–4.
 */
export function tableIndexHalves(level: number, low: number, high: number): number {
  switch (level) {
    case PAGE_LEVEL.PML4:
      return pml4IndexHalves(low, high);
    case PAGE_LEVEL.PDPT:
      return pdptIndexHalves(low, high);
    case PAGE_LEVEL.PD:
      return pdIndex(low);
    case PAGE_LEVEL.PT:
      return ptIndex(low);
    default:
      return -1;
  }
}

/**
 * The numeric address (in [0, 2^48), not sign-extended) that the given
 * indices and offset select: the inverse of the index functions above.
 * Inputs are masked to their field widths.
 */
export function joinVirtualAddress(
  pml4: number,
  pdpt: number,
  pd: number,
  pt: number,
  offset: number,
): number {
  return (
    (pml4 & TABLE_INDEX_MASK) * PML4_SCALE +
    (pdpt & TABLE_INDEX_MASK) * PDPT_SCALE +
    (pd & TABLE_INDEX_MASK) * PD_SCALE +
    (pt & TABLE_INDEX_MASK) * PT_SCALE +
    (offset & PAGE_OFFSET_MASK)
  );
}
