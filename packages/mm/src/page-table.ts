/**
 * x86-64 4-level page tables built in physical memory, in the exact format
 * the MMU walks (Intel SDM vol 3A §4.5): a PML4 whose entries point to PDPTs,
 * PDs and PTs, each a 4 KiB frame of 512 eight-byte entries, so the emulated
 * CPU translates through precisely what this file writes.
 *
 * Scheme:
 * - `map` walks from the root (the CR3 value), allocating and zeroing any
 *   missing intermediate table from the FrameAllocator, and writes a leaf:
 *   a PTE for a 4 KiB page or a PDE with PS = 1 for a 2 MiB page.
 *   Intermediate entries carry P | RW | US, the most permissive rights, so
 *   the leaf alone decides access (as Linux does).
 * - `unmap` and `protect` change a leaf and record its page in a
 *   TlbFlushBatch: the caller owes a TLB invalidation (see tlb-flush-batch.ts).
 *   `map` of a not-present entry owes nothing.
 * - A table whose last present entry is removed by `unmap` is unlinked from
 *   its parent (and so on up the chain, never the PML4) and handed to the
 *   same TlbFlushBatch, which frees its frame only after the shootdown (a
 *   paging-structure cache may still point at it; see tlb-flush-batch.ts).
 *   So a 4 KiB page mapped and unmapped leaves no PT behind to block a later
 *   2 MiB map of its region. `destroy` frees the tables still linked (never
 *   the mapped pages: those belong to the caller).
 * - The table bookkeeping (present-entry counts, creating and unlinking
 *   tables) lives in page-table-tree.ts.
 *
 * Addresses: virtual addresses are signed numbers in [-2^47, 2^47) (kernel
 * addresses negative, as `readSignedNumber` gives them); they are reduced to
 * their 48-bit linear form for the table indices. Physical addresses are
 * numbers below 2^52.
 *
 * Invariants: every present non-leaf entry points to a table frame this
 * object allocated; a 2 MiB leaf never coexists with a table below the same
 * PDE; no linked table other than the PML4 is empty (the tree's present
 * counts are exact); failures (ENOMEM, EEXIST, EINVAL, ENOENT)
 * change nothing (`map` takes every missing table before linking any).
 */
import {
  encodePteHigh,
  encodePteLow,
  entryAddress,
  type FrameAllocator,
  isLargePage,
  isPresent,
  PAGE_LEVEL,
  PAGE_OFFSET_MASK,
  PAGE_SIZE,
  PAGE_TABLE_ENTRY_BYTES,
  type PhysicalMemory,
  PTE,
  PTE_FLAGS_MASK_LOW,
  pteAddress,
} from "@tsos/hw-x86";
import { EEXIST, EINVAL, ENOENT, ENOMEM } from "./errors";
import { FRAME_SIZE } from "./frame-constants";
import { indexAt, LEVEL_SPAN, linearOf, zeroFrame } from "./linear-address";
import { PageTableTree } from "./page-table-tree";
import { TLB_FLUSH, type TlbFlushBatch } from "./tlb-flush-batch";

/** 2^52: paging entries hold physical-address bits 51:12 (SDM vol 3A §4.5). */
const PHYSICAL_LIMIT = 2 ** 52;

/** Returned by {@link PageTable.translate} for an address with no translation. */
export const NOT_MAPPED = -1;

/** One address space's page tables. */
export class PageTable {
  /** Physical address of the PML4: the value for CR3. */
  readonly root: number;
  private readonly tree: PageTableTree;

  private constructor(
    private readonly memory: PhysicalMemory,
    frames: FrameAllocator,
    root: number,
  ) {
    this.root = root;
    this.tree = new PageTableTree(memory, frames, root);
  }

  /** Allocates an empty PML4. Returns the page table, or {@link ENOMEM}. */
  static create(memory: PhysicalMemory, frames: FrameAllocator): PageTable | typeof ENOMEM {
    const root = frames.allocate(0);
    if (root < 0) return ENOMEM;
    zeroFrame(memory, root);
    return new PageTable(memory, frames, root);
  }

  /** Frames of the tables linked now (PML4 included; unlinked tables awaiting a flush are not counted). */
  get tableFrameCount(): number {
    return this.tree.tableFrames;
  }

  /**
   * Maps `size` bytes (PAGE_SIZE.SIZE_4K or SIZE_2M) at `virtualAddress` to
   * `physicalAddress`, both aligned to `size`, with low-half `flags` (PTE.RW,
   * PTE.US, PTE.G, …; P is implied) and high-half `highFlags` (PTE_HIGH.NX).
   * Returns TLB_FLUSH.NONE, or EINVAL (bad size, alignment or address),
   * EEXIST (something is mapped there) or ENOMEM (no frame for a table).
   */
  map(virtualAddress: number, physicalAddress: number, size: number, flags: number, highFlags = 0): number {
    const linear = linearOf(virtualAddress);
    const leafLevel = size === PAGE_SIZE.SIZE_4K ? PAGE_LEVEL.PT : PAGE_LEVEL.PD;
    if (linear < 0 || (size !== PAGE_SIZE.SIZE_4K && size !== PAGE_SIZE.SIZE_2M)) return EINVAL;
    if (linear % size !== 0 || !(physicalAddress >= 0 && physicalAddress < PHYSICAL_LIMIT)) return EINVAL;
    if (physicalAddress % size !== 0) return EINVAL;
    const entry = this.tree.walk(linear, leafLevel, true);
    if (entry < 0) return entry;
    if (isPresent(this.memory.read32(entry))) return EEXIST;
    const leafFlags =
      leafLevel === PAGE_LEVEL.PT ? flags & PAGE_OFFSET_MASK : (flags & PTE_FLAGS_MASK_LOW) | PTE.PS;
    this.memory.write32(entry + 4, encodePteHigh(physicalAddress, highFlags));
    this.memory.write32(entry, encodePteLow(physicalAddress, leafFlags | PTE.P));
    this.tree.entryAdded(leafLevel);
    return TLB_FLUSH.NONE;
  }

  /**
   * Removes the `size`-byte mapping at `virtualAddress` and records the page
   * in `batch`; tables left empty are unlinked and their frames handed to
   * `batch`, freed when it is flushed. Returns TLB_FLUSH.PAGE, ENOENT (nothing mapped there) or
   * EINVAL (bad address, or a mapping of another size covers it).
   */
  unmap(virtualAddress: number, size: number, batch: TlbFlushBatch): number {
    const entry = this.leafEntry(virtualAddress, size);
    if (entry < 0) return entry;
    const global = (this.memory.read32(entry) & PTE.G) !== 0;
    this.memory.write32(entry, 0);
    this.memory.write32(entry + 4, 0);
    const linear = linearOf(virtualAddress);
    batch.addPage(linear, global);
    this.tree.dropEntry(linear, size === PAGE_SIZE.SIZE_4K ? PAGE_LEVEL.PT : PAGE_LEVEL.PD, batch);
    return TLB_FLUSH.PAGE;
  }

  /**
   * Replaces the flags of the `size`-byte mapping at `virtualAddress`, keeping
   * its physical address; records the page in `batch`. Returns
   * TLB_FLUSH.PAGE, ENOENT or EINVAL as {@link PageTable.unmap}.
   */
  protect(
    virtualAddress: number,
    size: number,
    flags: number,
    highFlags: number,
    batch: TlbFlushBatch,
  ): number {
    const entry = this.leafEntry(virtualAddress, size);
    if (entry < 0) return entry;
    const level = size === PAGE_SIZE.SIZE_4K ? PAGE_LEVEL.PT : PAGE_LEVEL.PD;
    const low = this.memory.read32(entry);
    const physical = entryAddress(level, low, this.memory.read32(entry + 4));
    const leafFlags =
      level === PAGE_LEVEL.PT ? flags & PAGE_OFFSET_MASK : (flags & PTE_FLAGS_MASK_LOW) | PTE.PS;
    this.memory.write32(entry + 4, encodePteHigh(physical, highFlags));
    this.memory.write32(entry, encodePteLow(physical, leafFlags | PTE.P));
    batch.addPage(linearOf(virtualAddress), (low & PTE.G) !== 0);
    return TLB_FLUSH.PAGE;
  }

  /** The physical address `virtualAddress` translates to, or {@link NOT_MAPPED}. Walks like the MMU. */
  translate(virtualAddress: number): number {
    const linear = linearOf(virtualAddress);
    if (linear < 0) return NOT_MAPPED;
    let table = this.root;
    for (let level: number = PAGE_LEVEL.PML4; level >= PAGE_LEVEL.PT; level--) {
      const entry = table + indexAt(level, linear) * PAGE_TABLE_ENTRY_BYTES;
      const low = this.memory.read32(entry);
      if (!isPresent(low)) return NOT_MAPPED;
      const high = this.memory.read32(entry + 4);
      if (level === PAGE_LEVEL.PT || isLargePage(level, low)) {
        const pageSize =
          level === PAGE_LEVEL.PT
            ? PAGE_SIZE.SIZE_4K
            : level === PAGE_LEVEL.PD
              ? PAGE_SIZE.SIZE_2M
              : PAGE_SIZE.SIZE_1G;
        return entryAddress(level, low, high) + (linear % pageSize);
      }
      table = pteAddress(low, high);
    }
    return NOT_MAPPED;
  }

  /**
   * The first mapped page at or after the page containing `start` and below
   * `end` (non-negative addresses), or {@link NOT_MAPPED}. Skips whole absent
   * tables, so sparse ranges cost per table, not per page.
   */
  nextMapped(start: number, end: number): number {
    let address = start - (start % PAGE_SIZE.SIZE_4K);
    outer: while (address < end) {
      let table = this.root;
      for (let level: number = PAGE_LEVEL.PML4; level >= PAGE_LEVEL.PT; level--) {
        const entry = table + indexAt(level, address) * PAGE_TABLE_ENTRY_BYTES;
        const low = this.memory.read32(entry);
        if (!isPresent(low)) {
          const span = LEVEL_SPAN[level]!;
          address = (Math.floor(address / span) + 1) * span;
          continue outer;
        }
        if (level === PAGE_LEVEL.PT || isLargePage(level, low)) return address;
        table = pteAddress(low, this.memory.read32(entry + 4));
      }
    }
    return NOT_MAPPED;
  }

  /**
   * Low half (flags and address bits 31:12) of the 4 KiB leaf entry mapping
   * `virtualAddress`, or {@link NOT_MAPPED} when there is none (no table, not
   * present, or a 2 MiB page covers it).
   */
  leafFlags(virtualAddress: number): number {
    const linear = linearOf(virtualAddress);
    if (linear < 0) return NOT_MAPPED;
    const entry = this.tree.walk(linear - (linear % PAGE_SIZE.SIZE_4K), PAGE_LEVEL.PT, false);
    if (entry < 0) return NOT_MAPPED;
    const low = this.memory.read32(entry);
    return isPresent(low) ? low : NOT_MAPPED;
  }

  /**
   * Maps `length` bytes of physical memory from `physicalStart` at
   * `virtualBase` (a kernel direct map), with 2 MiB pages wherever both sides
   * are 2 MiB aligned and 4 KiB pages elsewhere. All three must be 4 KiB
   * aligned. Returns TLB_FLUSH.NONE or the first error of {@link PageTable.map}.
   */
  mapDirect(
    virtualBase: number,
    physicalStart: number,
    length: number,
    flags: number,
    highFlags = 0,
  ): number {
    if (length % FRAME_SIZE !== 0) return EINVAL;
    let offset = 0;
    while (offset < length) {
      const big =
        (virtualBase + offset) % PAGE_SIZE.SIZE_2M === 0 &&
        (physicalStart + offset) % PAGE_SIZE.SIZE_2M === 0 &&
        length - offset >= PAGE_SIZE.SIZE_2M;
      const size = big ? PAGE_SIZE.SIZE_2M : PAGE_SIZE.SIZE_4K;
      const result = this.map(virtualBase + offset, physicalStart + offset, size, flags, highFlags);
      if (result < 0) return result;
      offset += size;
    }
    return TLB_FLUSH.NONE;
  }

  /** Frees every table frame (not the mapped pages). The object must not be used afterwards. Returns frames freed. */
  destroy(): number {
    return this.tree.freeAll();
  }

  /** Address of the present leaf entry of exactly `size` for `virtualAddress`, or a negative error. */
  private leafEntry(virtualAddress: number, size: number): number {
    const linear = linearOf(virtualAddress);
    if (linear < 0 || (size !== PAGE_SIZE.SIZE_4K && size !== PAGE_SIZE.SIZE_2M) || linear % size !== 0)
      return EINVAL;
    const leafLevel = size === PAGE_SIZE.SIZE_4K ? PAGE_LEVEL.PT : PAGE_LEVEL.PD;
    const entry = this.tree.walk(linear, leafLevel, false);
    if (entry < 0) return entry === EEXIST ? EINVAL : entry;
    const low = this.memory.read32(entry);
    if (!isPresent(low)) return ENOENT;
    if (leafLevel === PAGE_LEVEL.PD && !isLargePage(PAGE_LEVEL.PD, low)) return EINVAL;
    return entry;
  }
}
