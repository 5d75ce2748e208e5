/**
 * Cold-path views of paging entries for debugging, traces and tests: a
 * readable object with every field decoded, and a one-line formatter.
 *
 * Invariants: these allocate and are never used on the MMU's hot path (use
 * the helpers in `page-table-entry.ts` there). Bits the SDM calls ignored at
 * a level (D, G, PAT and the protection key in a table pointer) decode as
 * `false` / 0 there; they remain visible in `raw`.
 */
import {
  entryAddress,
  isLargePage,
  mappedSize,
  PAGE_LEVEL,
  PAGE_SIZE,
  PTE,
  PTE_AVAILABLE_MASK,
  PTE_HIGH,
  protectionKey,
  pteToBigint,
} from "./page-table-entry";

/** Names of the entries at each level, as the SDM spells them (vol 3A §4.5). */
export const PAGE_LEVEL_ENTRY_NAME: Readonly<Record<number, string>> = {
  [PAGE_LEVEL.PML4]: "PML4E",
  [PAGE_LEVEL.PDPT]: "PDPTE",
  [PAGE_LEVEL.PD]: "PDE",
  [PAGE_LEVEL.PT]: "PTE",
};

/** Every field of one paging entry, decoded (see {@link decodePageTableEntry}). */
export interface DecodedPageTableEntry {
  /** Level of the table holding the entry: 4 = PML4 ... 1 = PT. */
  readonly level: number;
  /** "PML4E", "PDPTE", "PDE" or "PTE" ("?" for an unknown level). */
  readonly kind: string;
  /** The whole entry as a 64-bit value. */
  readonly raw: bigint;
  /** P: the entry is in use. */
  readonly present: boolean;
  /** RW: writes allowed. */
  readonly writable: boolean;
  /** US: CPL 3 accesses allowed. */
  readonly user: boolean;
  /** PWT: page-level write-through. */
  readonly writeThrough: boolean;
  /** PCD: page-level cache disable. */
  readonly cacheDisabled: boolean;
  /** A: used for a translation since last cleared. */
  readonly accessed: boolean;
  /** D: written through since last cleared (page-mapping entries only). */
  readonly dirty: boolean;
  /** True if the entry maps a page (PTE, or PDPTE/PDE with PS = 1) rather than a table. */
  readonly mapsPage: boolean;
  /** G: global translation (page-mapping entries only). */
  readonly global: boolean;
  /** PAT bit (bit 7 in a PTE, bit 12 in a large-page entry; page-mapping entries only). */
  readonly pat: boolean;
  /** XD: instruction fetches not allowed (when EFER.NXE = 1). */
  readonly noExecute: boolean;
  /** Protection key 0–15 (page-mapping entries only). */
  readonly protectionKey: number;
  /** OS-available bits 11:9, shifted down to 0–7. */
  readonly availableLow: number;
  /** OS-available bits 58:52, shifted down to 0–127. */
  readonly availableHigh: number;
  /** Physical address of the next table or of the page (page-size aligned). */
  readonly address: number;
  /** Bytes the entry maps: 4096, 2 MiB or 1 GiB, or 0 for a table pointer. */
  readonly pageSize: number;
}

const AVAILABLE_LOW_SHIFT = 9;
const AVAILABLE_HIGH_SHIFT = 20;

/** Decodes an entry at `level` (a {@link PAGE_LEVEL} value) from its halves. Cold path: allocates. */
export function decodePageTableEntry(level: number, low: number, high: number): DecodedPageTableEntry {
  const mapsPage = level === PAGE_LEVEL.PT || isLargePage(level, low);
  const patBit = level === PAGE_LEVEL.PT ? PTE.PAT_4K : PTE.PAT_LARGE;
  return {
    level,
    kind: PAGE_LEVEL_ENTRY_NAME[level] ?? "?",
    raw: pteToBigint(low, high),
    present: (low & PTE.P) !== 0,
    writable: (low & PTE.RW) !== 0,
    user: (low & PTE.US) !== 0,
    writeThrough: (low & PTE.PWT) !== 0,
    cacheDisabled: (low & PTE.PCD) !== 0,
    accessed: (low & PTE.A) !== 0,
    dirty: mapsPage && (low & PTE.D) !== 0,
    mapsPage,
    global: mapsPage && (low & PTE.G) !== 0,
    pat: mapsPage && (low & patBit) !== 0,
    noExecute: (high & PTE_HIGH.NX) !== 0,
    protectionKey: mapsPage ? protectionKey(high) : 0,
    availableLow: (low & PTE_AVAILABLE_MASK) >>> AVAILABLE_LOW_SHIFT,
    availableHigh: (high & PTE_HIGH.AVAILABLE_MASK) >>> AVAILABLE_HIGH_SHIFT,
    address: entryAddress(level, low, high),
    pageSize: mapsPage ? mappedSize(level, low) : 0,
  };
}

function sizeName(bytes: number): string {
  if (bytes === PAGE_SIZE.SIZE_1G) return "1G";
  if (bytes === PAGE_SIZE.SIZE_2M) return "2M";
  return "4K";
}

function hex(value: number | bigint, digits: number): string {
  return `0x${value.toString(16).padStart(digits, "0")}`;
}

/**
 * One line describing an entry, e.g.
 * `PDE 0x80000000002000e7 P RW US A D PS NX -> 2M page 0x200000`
 * or `PML4E 0x0000000000000000 not present`. Cold path: allocates.
 */
export function formatPageTableEntry(level: number, low: number, high: number): string {
  const entry = decodePageTableEntry(level, low, high);
  const head = `${entry.kind} ${hex(entry.raw, 16)}`;
  if (!entry.present) return `${head} not present`;
  const flags: string[] = ["P"];
  if (entry.writable) flags.push("RW");
  if (entry.user) flags.push("US");
  if (entry.writeThrough) flags.push("PWT");
  if (entry.cacheDisabled) flags.push("PCD");
  if (entry.accessed) flags.push("A");
  if (entry.dirty) flags.push("D");
  if (isLargePage(level, low)) flags.push("PS");
  if (entry.global) flags.push("G");
  if (entry.pat) flags.push("PAT");
  if (entry.noExecute) flags.push("NX");
  if (entry.protectionKey !== 0) flags.push(`PK=${entry.protectionKey}`);
  const target = entry.mapsPage ? `${sizeName(entry.pageSize)} page` : "table";
  return `${head} ${flags.join(" ")} -> ${target} ${hex(entry.address, 1)}`;
}
