/**
 * Reserved-bit rules of 4-level paging entries: which bits must be 0 in a
 * present entry at each level, given the CPU's MAXPHYADDR and EFER.NXE. A
 * present entry with a reserved bit set makes the walk fail with #PF and the
 * RSVD bit in the error code (SDM vol 3A §4.7).
 *
 * Rules (SDM vol 3A tables 4-14 to 4-20):
 * - Every level: address bits 51:MAXPHYADDR, and bit 63 (XD) when
 *   EFER.NXE = 0.
 * - PML4E: bit 7 (PS) must be 0.
 * - PDPTE with PS = 1 (1 GiB page): bits 29:13.
 * - PDE with PS = 1 (2 MiB page): bits 20:13.
 * - Table pointers and 4 KiB PTEs have no other reserved bits.
 * 1 GiB pages are assumed supported (CPUID.80000001H:EDX.Page1GB); a model
 * without them must treat PDPTE.PS as reserved itself.
 *
 * Invariants: `maxPhysAddr` is an integer in [32, 52] (checked by
 * {@link isValidMaxPhysAddr}, not on the hot path); nothing allocates.
 */
import { PAGE_LEVEL, PTE, PTE_HIGH } from "./page-table-entry";

/** MAXPHYADDR defined by the architecture as the upper limit, and the default here (SDM vol 3A §4.1.4). */
export const MAX_PHYS_ADDR_LIMIT = 52;
/** Smallest MAXPHYADDR these helpers accept: every address bit below 32 is then implemented. */
export const MAX_PHYS_ADDR_MIN = 32;

/** Low-half reserved bits of present paging entries, by kind (Intel SDM vol 3A tables 4-14 to 4-20). */
export const PTE_RESERVED_LOW = {
  /** PML4E: bit 7 (PS) must be 0. */
  PML4E: 0x80,
  /** PDPTE mapping a 1 GiB page: bits 29:13 must be 0. */
  PDPTE_1G: 0x3fffe000,
  /** PDE mapping a 2 MiB page: bits 20:13 must be 0. */
  PDE_2M: 0x1fe000,
  /** PDPTE or PDE pointing to a table, and every PTE: no low-half bit is reserved. */
  NONE: 0,
} as const;

/** True if `maxPhysAddr` is an integer in [{@link MAX_PHYS_ADDR_MIN}, {@link MAX_PHYS_ADDR_LIMIT}]. */
export function isValidMaxPhysAddr(maxPhysAddr: number): boolean {
  return (
    Number.isInteger(maxPhysAddr) && maxPhysAddr >= MAX_PHYS_ADDR_MIN && maxPhysAddr <= MAX_PHYS_ADDR_LIMIT
  );
}

/** Reserved bits in the low half of a present entry at `level` whose low half is `low` (it decides PS). */
export function reservedBitsLow(level: number, low: number): number {
  if (level === PAGE_LEVEL.PML4) return PTE_RESERVED_LOW.PML4E;
  if ((low & PTE.PS) === 0) return PTE_RESERVED_LOW.NONE;
  if (level === PAGE_LEVEL.PDPT) return PTE_RESERVED_LOW.PDPTE_1G;
  if (level === PAGE_LEVEL.PD) return PTE_RESERVED_LOW.PDE_2M;
  return PTE_RESERVED_LOW.NONE;
}

/**
 * Reserved bits in the high half of a present entry at any level: address
 * bits 51:`maxPhysAddr`, plus bit 63 when `nxEnabled` is false.
 */
export function reservedBitsHigh(maxPhysAddr = MAX_PHYS_ADDR_LIMIT, nxEnabled = true): number {
  const implemented = (1 << (maxPhysAddr - MAX_PHYS_ADDR_MIN)) - 1;
  const addressReserved = PTE_HIGH.ADDRESS_MASK & ~implemented;
  return (nxEnabled ? addressReserved : addressReserved | PTE_HIGH.NX) >>> 0;
}

/**
 * True if a present entry at `level` (a {@link PAGE_LEVEL} value) sets a bit
 * the SDM reserves, for a CPU with `maxPhysAddr` physical-address bits and
 * EFER.NXE = `nxEnabled`. The walk must then stop with #PF(RSVD | P).
 * The caller checks P first: a non-present entry has no reserved bits.
 */
export function hasReservedBits(
  level: number,
  low: number,
  high: number,
  maxPhysAddr = MAX_PHYS_ADDR_LIMIT,
  nxEnabled = true,
): boolean {
  return (low & reservedBitsLow(level, low)) !== 0 || (high & reservedBitsHigh(maxPhysAddr, nxEnabled)) !== 0;
}
