/**
 * 4-level paging entries (PML4E, PDPTE, PDE, PTE) as two uint32 halves:
 * their flag bits, physical-address masks per level and page size, and the
 * allocation-free helpers the MMU and `mm` use on hot paths.
 *
 * Layout of a 64-bit entry (SDM vol 3A §4.5, tables 4-14 to 4-20):
 * - low half: flags in bits 11:0 ({@link PTE}), address bits 31:12 (for 2 MiB
 *   pages bits 31:21, for 1 GiB pages bits 31:30; bit 12 is then PAT);
 * - high half: address bits 51:32 in bits 19:0, ignored bits 26:20, the
 *   protection key in bits 30:27 ({@link PTE_HIGH}), XD in bit 31.
 *
 * Invariants:
 * - Halves are unsigned: every function returns a number in [0, 2^32) for a
 *   half and below 2^52 for an address. Nothing allocates except
 *   {@link encodePteHalves}' caller-provided array being written.
 * - Address arguments are integers in [0, 2^52); callers align them.
 */

/** Paging-structure levels as the SDM numbers them (vol 3A §4.5): the PML4 is level 4, a page table level 1. */
export const PAGE_LEVEL = {
  /** Page-map level 4 table: each entry covers 512 GiB. */
  PML4: 4,
  /** Page-directory-pointer table: each entry covers 1 GiB (maps a 1 GiB page when PS = 1). */
  PDPT: 3,
  /** Page directory: each entry covers 2 MiB (maps a 2 MiB page when PS = 1). */
  PD: 2,
  /** Page table: each entry maps one 4 KiB page. */
  PT: 1,
} as const;

/** One of the {@link PAGE_LEVEL} values. */
export type PageLevel = (typeof PAGE_LEVEL)[keyof typeof PAGE_LEVEL];

/** Flag bits in the low half of a paging entry (Intel SDM vol 3A §4.5, tables 4-14 to 4-20). */
export const PTE = {
  /** Present (bit 0): the entry maps something; all other bits are ignored when clear. */
  P: 0x1,
  /** Read/write (bit 1): writes allowed (subject to CR0.WP at CPL 0). */
  RW: 0x2,
  /** User/supervisor (bit 2): CPL 3 accesses allowed. */
  US: 0x4,
  /** Page-level write-through (bit 3). */
  PWT: 0x8,
  /** Page-level cache disable (bit 4). */
  PCD: 0x10,
  /** Accessed (bit 5): set by the CPU when the entry is used for a translation. */
  A: 0x20,
  /** Dirty (bit 6): set by the CPU on a write through a page-mapping entry (ignored in table pointers). */
  D: 0x40,
  /** Page size (bit 7) in a PDPTE (1 GiB page) or PDE (2 MiB page); reserved in a PML4E. */
  PS: 0x80,
  /** PAT (bit 7) of a 4 KiB PTE: same bit as PS, different meaning at level 1. */
  PAT_4K: 0x80,
  /** Global (bit 8) of a page-mapping entry: kept across CR3 writes when CR4.PGE = 1. */
  G: 0x100,
  /** PAT (bit 12) of a 2 MiB or 1 GiB page-mapping entry (bit 7 there is PS). */
  PAT_LARGE: 0x1000,
} as const;

/** Bits 11:9 of the low half, ignored by the CPU and free for the OS (SDM vol 3A tables 4-14 to 4-20). */
export const PTE_AVAILABLE_MASK = 0xe00;

/**
 * Bits of the `flags` argument {@link encodePteLow} keeps: 11:0 plus bit 12,
 * which is {@link PTE}.PAT_LARGE in a 2 MiB / 1 GiB entry. Pass bit 12 only
 * for large pages: in other entries it is address bit 12.
 */
export const PTE_FLAGS_MASK_LOW = 0x1fff;

/** Fields of the high half of a paging entry (Intel SDM vol 3A §4.5, tables 4-14 to 4-20; §4.6.2 for keys). */
export const PTE_HIGH = {
  /** Physical-address bits 51:32 (bits 19:0 of the high half). */
  ADDRESS_MASK: 0xfffff,
  /** Bits 58:52 (high-half bits 26:20), ignored by the CPU and free for the OS. */
  AVAILABLE_MASK: 0x7f00000,
  /** Protection key (bits 62:59, high-half bits 30:27) of a page-mapping entry, used when CR4.PKE = 1. */
  PROTECTION_KEY_MASK: 0x78000000,
  /** Shift of the protection key within the high half. */
  PROTECTION_KEY_SHIFT: 27,
  /** Execute-disable XD/NX (bit 63, high-half bit 31) when EFER.NXE = 1; reserved otherwise. */
  NX: 0x80000000,
} as const;

/** Low-half address masks per mapping size (Intel SDM vol 3A tables 4-14 to 4-20). */
export const PTE_ADDRESS_MASK_LOW = {
  /** Bits 31:12: a 4 KiB page or the next paging table. */
  TABLE_OR_4K: 0xfffff000,
  /** Bits 31:21: a 2 MiB page mapped by a PDE with PS = 1. */
  PAGE_2M: 0xffe00000,
  /** Bits 31:30: a 1 GiB page mapped by a PDPTE with PS = 1. */
  PAGE_1G: 0xc0000000,
} as const;

/** Page and region sizes in bytes (SDM vol 3A §4.5). */
export const PAGE_SIZE = {
  /** A page mapped by a PTE. */
  SIZE_4K: 0x1000,
  /** A page mapped by a PDE with PS = 1. */
  SIZE_2M: 0x200000,
  /** A page mapped by a PDPTE with PS = 1. */
  SIZE_1G: 0x40000000,
  /** The region one PML4 entry covers. */
  SIZE_512G: 0x8000000000,
} as const;

/** Entries per paging table: 512 entries of 8 bytes fill one 4 KiB page (SDM vol 3A §4.5). */
export const PAGE_TABLE_ENTRIES = 512;
/** Size of one paging entry in bytes. */
export const PAGE_TABLE_ENTRY_BYTES = 8;

const TWO_POW_32 = 4294967296;

/** True if the entry's present bit (P) is set. */
export function isPresent(low: number): boolean {
  return (low & PTE.P) !== 0;
}

/** True if the entry allows writes (RW). */
export function isWritable(low: number): boolean {
  return (low & PTE.RW) !== 0;
}

/** True if the entry allows CPL 3 accesses (US). */
export function isUser(low: number): boolean {
  return (low & PTE.US) !== 0;
}

/** True if the accessed bit (A) is set. */
export function isAccessed(low: number): boolean {
  return (low & PTE.A) !== 0;
}

/** True if the dirty bit (D) is set. */
export function isDirty(low: number): boolean {
  return (low & PTE.D) !== 0;
}

/**
 * True if a PDPTE or PDE maps a page (PS = 1) rather than pointing to a
 * table. Level 1 entries always map a page (bit 7 is PAT there) and a PML4E
 * never does (bit 7 is reserved there).
 */
export function isLargePage(level: number, low: number): boolean {
  return (level === PAGE_LEVEL.PDPT || level === PAGE_LEVEL.PD) && (low & PTE.PS) !== 0;
}

/** True if the global bit (G) is set. */
export function isGlobal(low: number): boolean {
  return (low & PTE.G) !== 0;
}

/** True if the execute-disable bit (XD, bit 63) is set in the high half. */
export function isNoExecute(high: number): boolean {
  return (high & PTE_HIGH.NX) !== 0;
}

/** True if every bit of `flags` is set in the low half. */
export function hasFlags(low: number, flags: number): boolean {
  return (low & flags) === flags;
}

/** The protection key (0–15) of a page-mapping entry (SDM vol 3A §4.6.2). */
export function protectionKey(high: number): number {
  return (high & PTE_HIGH.PROTECTION_KEY_MASK) >>> PTE_HIGH.PROTECTION_KEY_SHIFT;
}

/** Physical address in bits 51:12: the next table, or a 4 KiB page. A number below 2^52. */
export function pteAddress(low: number, high: number): number {
  return (high & PTE_HIGH.ADDRESS_MASK) * TWO_POW_32 + ((low & PTE_ADDRESS_MASK_LOW.TABLE_OR_4K) >>> 0);
}

/**
 * Physical address an entry at `level` points to: for a page-mapping PDPTE
 * (bits 51:30) or PDE (bits 51:21), the page base, without the PAT bit;
 * otherwise {@link pteAddress}.
 */
export function entryAddress(level: number, low: number, high: number): number {
  let lowMask: number = PTE_ADDRESS_MASK_LOW.TABLE_OR_4K;
  if (isLargePage(level, low)) {
    lowMask = level === PAGE_LEVEL.PDPT ? PTE_ADDRESS_MASK_LOW.PAGE_1G : PTE_ADDRESS_MASK_LOW.PAGE_2M;
  }
  return (high & PTE_HIGH.ADDRESS_MASK) * TWO_POW_32 + ((low & lowMask) >>> 0);
}

/** Size in bytes of what a present entry maps: 4 KiB at level 1, 2 MiB / 1 GiB for a large page, 0 for a table pointer. */
export function mappedSize(level: number, low: number): number {
  if (level === PAGE_LEVEL.PT) return PAGE_SIZE.SIZE_4K;
  if (!isLargePage(level, low)) return 0;
  return level === PAGE_LEVEL.PDPT ? PAGE_SIZE.SIZE_1G : PAGE_SIZE.SIZE_2M;
}

/**
 * Low half of an entry: `address` bits 31:12 (the caller aligns it to the
 * page size) with the low-half `flags` ({@link PTE} bits, available bits),
 * taken from bits 12:0 of `flags` ({@link PTE_FLAGS_MASK_LOW}).
 */
export function encodePteLow(address: number, flags: number): number {
  const addressLow = (address % TWO_POW_32) & PTE_ADDRESS_MASK_LOW.TABLE_OR_4K;
  return (addressLow | (flags & PTE_FLAGS_MASK_LOW)) >>> 0;
}

/**
 * High half of an entry: `address` bits 51:32 with the high-half
 * `highFlags` ({@link PTE_HIGH}.NX, protection key, available bits).
 */
export function encodePteHigh(address: number, highFlags: number): number {
  const addressHigh = Math.floor(address / TWO_POW_32) & PTE_HIGH.ADDRESS_MASK;
  return (addressHigh | (highFlags & ~PTE_HIGH.ADDRESS_MASK)) >>> 0;
}

/**
 * Writes the entry for `address`, `flags` and `highFlags` into
 * `out[offset]` (low) and `out[offset + 1]` (high); allocation-free. With a
 * `Uint32Array` view of physical memory at the entry's word index, this
 * stores the entry in place.
 */
export function encodePteHalves(
  address: number,
  flags: number,
  highFlags: number,
  out: Uint32Array | number[],
  offset = 0,
): void {
  out[offset] = encodePteLow(address, flags);
  out[offset + 1] = encodePteHigh(address, highFlags);
}

/** Convenience (cold path, allocates): the entry as a `[low, high]` pair. */
export function encodePte(address: number, flags: number, highFlags = 0): [number, number] {
  return [encodePteLow(address, flags), encodePteHigh(address, highFlags)];
}

/** Joins two halves into one 64-bit `bigint` (cold paths: logging, tests). */
export function pteToBigint(low: number, high: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}
