/**
 * The table structure behind a PageTable: which table frames are linked,
 * how many present entries each holds, and the walks that create tables on
 * the way down and unlink emptied ones on the way up.
 *
 * Scheme: `walk` goes from the PML4 to the entry of a target level and
 * records the table it passed at each level in `path`; `map` creates every
 * missing table of a walk only after all of them were allocated (an ENOMEM
 * changes nothing). When `unmap` clears an entry, `dropEntry` decrements the
 * table's present count and, if it reached 0, clears the parent's entry and
 * hands the frame to the TlbFlushBatch (freed after its shootdown, see
 * tlb-flush-batch.ts), repeating up to but never including the PML4.
 *
 * Invariants: `presentCounts` has exactly the linked tables as keys, each
 * with its number of present entries (only mm sets or clears P; the CPU
 * writes A and D only); no linked table but the PML4 has count 0;
 * `tableFrames` = number of keys.
 */
import {
  encodePteHigh,
  encodePteLow,
  type FrameAllocator,
  isLargePage,
  isPresent,
  PAGE_LEVEL,
  PAGE_TABLE_ENTRY_BYTES,
  type PhysicalMemory,
  PTE,
  pteAddress,
} from "@tsos/hw-x86";
import { EEXIST, ENOENT, ENOMEM } from "./errors";
import { FRAME_SIZE } from "./frame-constants";
import { indexAt, zeroFrame } from "./linear-address";
import type { TlbFlushBatch } from "./tlb-flush-batch";

/** Rights of intermediate entries: the leaf decides. */
const TABLE_FLAGS = PTE.P | PTE.RW | PTE.US;

/** The linked tables of one address space (internal to PageTable). */
export class PageTableTree {
  /** Frames of the linked tables, PML4 included. */
  tableFrames = 1;
  /** Table address at each level (index = PAGE_LEVEL) of the last `walk`. */
  readonly path = new Float64Array(PAGE_LEVEL.PML4 + 1);
  /** Present entries per linked table frame (keyed by its physical address). */
  private readonly presentCounts = new Map<number, number>();
  /** Frames taken for the missing tables of one walk, before any is linked. */
  private readonly fresh = new Float64Array(PAGE_LEVEL.PML4);

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly frames: FrameAllocator,
    /** Physical address of the (zeroed) PML4. */
    readonly root: number,
  ) {
    this.presentCounts.set(root, 0);
  }

  /** An entry of the table at `level` on the last walk's path became present. */
  entryAdded(level: number): void {
    const table = this.path[level]!;
    this.presentCounts.set(table, this.presentCounts.get(table)! + 1);
  }

  /**
   * One present entry of the table at `level` on the last walk's path (for
   * `linear`) was cleared: unlinks that table if it is now empty, and its
   * parent if that empties it, up to (never including) the PML4. Each
   * unlinked frame goes to `batch`, freed after the shootdown it owes.
   */
  dropEntry(linear: number, level: number, batch: TlbFlushBatch): void {
    for (; ; level++) {
      const table = this.path[level]!;
      const count = this.presentCounts.get(table)! - 1;
      if (count > 0 || level === PAGE_LEVEL.PML4) {
        this.presentCounts.set(table, count);
        return;
      }
      this.presentCounts.delete(table);
      const parentEntry = this.path[level + 1]! + indexAt(level + 1, linear) * PAGE_TABLE_ENTRY_BYTES;
      this.memory.write32(parentEntry, 0);
      this.memory.write32(parentEntry + 4, 0);
      this.tableFrames--;
      batch.deferTableFree(table, this.frames, linear);
    }
  }

  /**
   * Physical address of the entry for `linear` at `targetLevel`, creating
   * missing tables when `create`; records the tables passed in `path`.
   * Returns ENOENT (a table is missing and `create` is false), EEXIST (a
   * large page sits above the target) or ENOMEM (nothing was changed).
   */
  walk(linear: number, targetLevel: number, create: boolean): number {
    let table = this.root;
    for (let level: number = PAGE_LEVEL.PML4; level > targetLevel; level--) {
      this.path[level] = table;
      const entry = table + indexAt(level, linear) * PAGE_TABLE_ENTRY_BYTES;
      const low = this.memory.read32(entry);
      if (isPresent(low)) {
        if (isLargePage(level, low)) return EEXIST;
        table = pteAddress(low, this.memory.read32(entry + 4));
        continue;
      }
      if (!create) return ENOENT;
      return this.extend(linear, level, targetLevel);
    }
    this.path[targetLevel] = table;
    return table + indexAt(targetLevel, linear) * PAGE_TABLE_ENTRY_BYTES;
  }

  /**
   * The entry of `path[level]` for `linear` is not present: takes all the
   * `level - targetLevel` tables needed below it first (an ENOMEM gives back
   * the ones taken; never linked, no walk can have cached them), then zeroes
   * and links them. Returns the target entry's address or ENOMEM.
   */
  private extend(linear: number, level: number, targetLevel: number): number {
    const needed = level - targetLevel;
    for (let index = 0; index < needed; index++) {
      const frame = this.frames.allocate(0);
      if (frame < 0) {
        for (let taken = 0; taken < index; taken++) this.frames.free(this.fresh[taken]!, 0);
        return ENOMEM;
      }
      this.fresh[index] = frame;
    }
    let table = this.path[level]!;
    for (let index = 0; index < needed; index++, level--) {
      const frame = this.fresh[index]!;
      zeroFrame(this.memory, frame);
      const entry = table + indexAt(level, linear) * PAGE_TABLE_ENTRY_BYTES;
      this.memory.write32(entry + 4, encodePteHigh(frame, 0));
      this.memory.write32(entry, encodePteLow(frame, TABLE_FLAGS));
      this.presentCounts.set(table, this.presentCounts.get(table)! + 1);
      this.presentCounts.set(frame, 0);
      this.path[level - 1] = frame;
      table = frame;
    }
    this.tableFrames += needed;
    return table + indexAt(targetLevel, linear) * PAGE_TABLE_ENTRY_BYTES;
  }

  /** Frees every linked table (not the mapped pages). Returns frames freed. */
  freeAll(): number {
    const freed = this.freeTable(this.root, PAGE_LEVEL.PML4);
    this.tableFrames = 0;
    this.presentCounts.clear();
    return freed;
  }

  private freeTable(table: number, level: number): number {
    let freed = 0;
    if (level > PAGE_LEVEL.PT) {
      for (let index = 0; index < FRAME_SIZE / PAGE_TABLE_ENTRY_BYTES; index++) {
        const entry = table + index * PAGE_TABLE_ENTRY_BYTES;
        const low = this.memory.read32(entry);
        if (!isPresent(low) || isLargePage(level, low)) continue;
        freed += this.freeTable(pteAddress(low, this.memory.read32(entry + 4)), level - 1);
      }
    }
    if (this.frames.free(table, 0) !== 0)
      throw new Error(`page table: frame allocator refused table ${table}`);
    return freed + 1;
  }
}
