/**
 * A user address space: VMAs (what may be mapped), page tables (what is
 * mapped now), Linux's brk / mmap / munmap / mprotect, and the page-fault
 * handler that fills the gap between the two.
 *
 * Scheme (Linux mm/mmap.c, mm/memory.c, arch/x86/mm/fault.c):
 * - mmap only creates a VMA; pages appear on first touch (demand-zero):
 *   the fault handler allocates a frame, zeroes it and maps it with the
 *   VMA's rights. Only anonymous mappings exist (no files: ENOSYS).
 * - fork shares every present page: private writable pages become read-only
 *   in both spaces with a per-frame reference count; a write fault then
 *   copies the page if it is still shared, or just makes it writable again.
 * - A fault just below a MAP_GROWSDOWN area (the stack) grows it, unless
 *   that would come within `stackGuardGap` bytes of the area below or make
 *   it larger than `stackLimit` (RLIMIT_STACK).
 * - Faults that cannot be resolved are values: SEGV_MAPERR (nothing mapped),
 *   SEGV_ACCERR (rights), OOM (no frame) — the kernel turns them into signals.
 * - Every operation that removes or narrows translations collects them in a
 *   TlbFlushBatch and discharges it once, through the injected TlbShootdown;
 *   frames of unmapped pages (and emptied page tables) go back to the frame
 *   allocator only after that shootdown.
 *
 * PTE rights from PROT_*: P and US always; RW for PROT_WRITE on a page that
 * is not shared copy-on-write; NX without PROT_EXEC. A PROT_NONE page keeps
 * its frame but loses US, so user accesses fault as protection violations.
 *
 * Invariants: every present user PTE lies inside a VMA; every mapped frame's
 * reference count counts it; user addresses are below 2^47 (USER_END).
 */
import { PF_ERROR, PTE } from "@tsos/hw-x86";
import { EEXIST, EFAULT, EINVAL, ENOMEM, ENOSYS, EPERM } from "./errors";
import { FaultCounters } from "./fault-counters";
import { FRAME_SIZE } from "./frame-constants";
import {
  type AddressSpaceOptions,
  FAULT,
  type FaultResult,
  MAP,
  PROT,
  pageDown,
  pageUp,
  USER_END,
  userPteFlags,
  userPteHighFlags,
} from "./mman";
import { NOT_MAPPED, PageTable } from "./page-table";
import { TlbFlushBatch, type TlbShootdown } from "./tlb-flush-batch";
import { VmaList } from "./vma-list";

/** Linux's default RLIMIT_STACK soft limit (8 MiB). */
const DEFAULT_STACK_LIMIT = 8 * 1024 * 1024;

const VALID_PROT = PROT.READ | PROT.WRITE | PROT.EXEC;
const KEPT_FLAGS = MAP.SHARED | MAP.PRIVATE | MAP.GROWSDOWN;
const NO_SHOOTDOWN: TlbShootdown = { flushPages: () => {}, flushAll: () => {} };

/** One process's user address space. */
export class AddressSpace {
  /** The areas that may be mapped. */
  readonly vmas: VmaList;
  /** Start of the heap, page aligned (set by the ELF loader through setBrkStart; 0 = no heap). */
  brkStart = 0;
  /** The current break: the end of the heap as the program last set it. */
  brkEnd = 0;
  /**
   * Largest size a MAP_GROWSDOWN area may grow to by faults (RLIMIT_STACK;
   * Infinity = unlimited). Linux checks the limit at each growth
   * (acct_stack_growth), so the kernel updates it when the limit changes.
   */
  stackLimit: number;
  private readonly batch = new TlbFlushBatch();
  /**
   * Where this space's TLB invalidations go (from the options; a fork's
   * child starts with its parent's). A kernel that tags TLB entries per
   * address space (PCIDs) gives each space its own.
   */
  shootdown: TlbShootdown;
  /** Where this space's page faults are counted (the options' counters, or its own). */
  readonly faults: FaultCounters;
  private readonly mmapBase: number;
  private readonly mmapMin: number;
  private readonly guardGap: number;

  private constructor(
    private readonly options: AddressSpaceOptions,
    /** This space's page tables (CR3 = `pageTable.root`). */
    readonly pageTable: PageTable,
    vmas: VmaList,
  ) {
    this.vmas = vmas;
    this.shootdown = options.shootdown ?? NO_SHOOTDOWN;
    this.faults = options.faultCounters ?? new FaultCounters();
    this.mmapBase = options.mmapBase ?? 2 ** 46;
    this.mmapMin = options.mmapMin ?? 65536;
    this.guardGap = options.stackGuardGap ?? 256 * FRAME_SIZE;
    this.stackLimit = options.stackLimit ?? DEFAULT_STACK_LIMIT;
  }

  /** An empty address space, or ENOMEM when no frame is left for its PML4. */
  static create(options: AddressSpaceOptions, vmas = new VmaList()): AddressSpace | typeof ENOMEM {
    const table = PageTable.create(options.memory, options.frames);
    return table === ENOMEM ? ENOMEM : new AddressSpace(options, table, vmas);
  }

  /** Sets the heap start (page aligned end of the program's data); the break starts there. */
  setBrkStart(address: number): void {
    this.brkStart = pageUp(address);
    this.brkEnd = this.brkStart;
  }

  /** Linux brk(2): moves the break to `requested` when possible; always returns the (new or old) break. */
  brk(requested: number): number {
    if (!(requested >= this.brkStart) || requested >= USER_END || this.brkStart === 0) return this.brkEnd;
    const oldTop = pageUp(this.brkEnd);
    const newTop = pageUp(requested);
    if (newTop < oldTop) this.munmap(newTop, oldTop - newTop);
    if (newTop > oldTop) {
      if (!this.vmas.isFree(oldTop, newTop + this.guardGapBelow(newTop))) return this.brkEnd;
      this.vmas.insert(oldTop, newTop, PROT.READ | PROT.WRITE, MAP.PRIVATE);
    }
    this.brkEnd = requested;
    return this.brkEnd;
  }

  /** Linux mmap(2) for anonymous memory. Returns the address or a negative errno. */
  mmap(address: number, length: number, prot: number, flags: number, fd = -1, offset = 0): number {
    if (!Number.isSafeInteger(length) || length <= 0 || (prot & ~VALID_PROT) !== 0) return EINVAL;
    const kind = flags & (MAP.SHARED | MAP.PRIVATE);
    if (kind !== MAP.SHARED && kind !== MAP.PRIVATE) return EINVAL;
    if ((flags & MAP.ANONYMOUS) === 0 || fd !== -1) return ENOSYS;
    if (offset % FRAME_SIZE !== 0) return EINVAL;
    const size = pageUp(length);
    if (size > USER_END) return ENOMEM;
    const fixed = (flags & (MAP.FIXED | MAP.FIXED_NOREPLACE)) !== 0;
    let start: number;
    if (fixed) {
      if (address % FRAME_SIZE !== 0 || address + size > USER_END || !(address >= 0)) return EINVAL;
      if (address < this.mmapMin) return EPERM;
      if (!this.vmas.isFree(address, address + size)) {
        if ((flags & MAP.FIXED_NOREPLACE) !== 0) return EEXIST;
        this.munmap(address, size);
      }
      start = address;
    } else {
      const hint = pageDown(address);
      const hintFits = hint >= this.mmapMin && hint + size <= USER_END && this.vmas.isFree(hint, hint + size);
      start = hintFits ? hint : this.vmas.findFreeTopDown(size, this.mmapMin, this.mmapBase);
      if (start < 0) return ENOMEM;
    }
    this.vmas.insert(start, start + size, prot, flags & KEPT_FLAGS);
    return start;
  }

  /** Linux munmap(2): removes [address, address + length), splitting areas. Returns 0 or EINVAL. */
  munmap(address: number, length: number): number {
    if (address % FRAME_SIZE !== 0 || !(length > 0) || !(address >= 0) || address + length > USER_END)
      return EINVAL;
    const end = pageUp(address + length);
    this.forEachMappedPage(address, end, (page) => this.releasePage(page));
    this.vmas.removeRange(address, end);
    this.batch.flush(this.shootdown);
    return 0;
  }

  /** Linux mprotect(2). Returns 0, EINVAL, or ENOMEM when part of the range is not mapped. */
  mprotect(address: number, length: number, prot: number): number {
    if (address % FRAME_SIZE !== 0 || !(length >= 0) || (prot & ~VALID_PROT) !== 0) return EINVAL;
    const end = pageUp(address + length);
    if (end > USER_END) return ENOMEM;
    if (end === address) return 0;
    if (!this.vmas.covers(address, end)) return ENOMEM;
    this.vmas.setProt(address, end, prot);
    this.forEachMappedPage(address, end, (page, physical, index) => {
      const isPrivate = (this.vmas.flagsAt(index) & MAP.PRIVATE) !== 0;
      this.setRights(page, prot, isPrivate && this.options.refCounts.get(physical) > 1);
    });
    this.batch.flush(this.shootdown);
    return 0;
  }

  /** Resolves a #PF at `address` with the CPU's `errorCode` (PF_ERROR bits). */
  handlePageFault(address: number, errorCode: number): FaultResult {
    const faults = this.faults;
    if (!(address >= 0 && address < USER_END)) {
      faults.unmapped++;
      return FAULT.SEGV_MAPERR;
    }
    let index = this.vmas.find(address);
    if (index < 0) {
      index = this.growStack(address);
      if (index < 0) {
        faults.unmapped++;
        return FAULT.SEGV_MAPERR;
      }
      faults.stackGrowth++;
    }
    const prot = this.vmas.protAt(index);
    const write = (errorCode & PF_ERROR.W) !== 0;
    if (
      write
        ? (prot & PROT.WRITE) === 0
        : (errorCode & PF_ERROR.I) !== 0
          ? (prot & PROT.EXEC) === 0
          : prot === 0
    ) {
      faults.protection++;
      return FAULT.SEGV_ACCERR;
    }
    const page = pageDown(address);
    const low = this.pageTable.leafFlags(page);
    const result =
      low === NOT_MAPPED ? this.mapZeroPage(page, prot) : this.resolvePresent(page, low, write, index);
    if (result === FAULT.OOM) faults.outOfMemory++;
    else if (result === FAULT.SEGV_ACCERR) faults.protection++;
    this.batch.flush(this.shootdown);
    return result;
  }

  /**
   * The physical address behind user `address` for a kernel access on the
   * process's behalf (copy_from_user / copy_to_user), faulting the page in
   * (or breaking copy-on-write for a write) as a user access would. Returns
   * EFAULT for kernel, unmapped or inaccessible addresses.
   */
  resolveUserAddress(address: number, write: boolean): number {
    if (!Number.isInteger(address) || !(address >= 0 && address < USER_END)) return EFAULT;
    const low = this.pageTable.leafFlags(address);
    const usable = low !== NOT_MAPPED && (low & PTE.US) !== 0 && (!write || (low & PTE.RW) !== 0);
    if (!usable) {
      const present = low === NOT_MAPPED ? 0 : PF_ERROR.P;
      const fault = this.handlePageFault(address, PF_ERROR.U | present | (write ? PF_ERROR.W : 0));
      if (fault !== FAULT.RESOLVED) return EFAULT;
    }
    return this.pageTable.translate(address);
  }

  /** A copy-on-write child (fork). Returns it, or ENOMEM (the parent stays valid). */
  fork(): AddressSpace | typeof ENOMEM {
    const options =
      this.options.faultCounters === undefined
        ? { ...this.options, faultCounters: this.faults }
        : this.options;
    const child = AddressSpace.create(options, this.vmas.clone());
    if (child === ENOMEM) return ENOMEM;
    child.brkStart = this.brkStart;
    child.brkEnd = this.brkEnd;
    child.stackLimit = this.stackLimit;
    let failed = false;
    this.forEachMappedPage(0, USER_END, (page, physical, index) => {
      if (failed) return;
      const prot = this.vmas.protAt(index);
      const copyOnWrite = (this.vmas.flagsAt(index) & MAP.PRIVATE) !== 0;
      if (copyOnWrite && (prot & PROT.WRITE) !== 0) this.setRights(page, prot, true);
      const flags = userPteFlags(prot, copyOnWrite);
      failed = child.pageTable.map(page, physical, FRAME_SIZE, flags, userPteHighFlags(prot)) < 0;
      if (!failed) this.options.refCounts.increment(physical);
    });
    this.batch.flush(this.shootdown);
    if (failed) {
      child.destroy();
      return ENOMEM;
    }
    return child;
  }

  /** Unmaps everything and frees the page tables. The space must not be used afterwards. */
  destroy(): void {
    this.forEachMappedPage(0, USER_END, (page) => this.releasePage(page));
    this.batch.flush(this.shootdown);
    this.pageTable.destroy();
  }

  /** Rewrites the rights of mapped `page` for `prot`, recording the TLB obligation. */
  private setRights(page: number, prot: number, copyOnWrite: boolean): void {
    this.pageTable.protect(
      page,
      FRAME_SIZE,
      userPteFlags(prot, copyOnWrite),
      userPteHighFlags(prot),
      this.batch,
    );
  }

  private mapZeroPage(page: number, prot: number): FaultResult {
    const frame = this.options.frames.allocate(0);
    if (frame < 0) return FAULT.OOM;
    this.options.memory.bytes(frame, FRAME_SIZE).fill(0);
    this.options.memory.notifyWritten(frame, FRAME_SIZE);
    if (this.pageTable.map(page, frame, FRAME_SIZE, userPteFlags(prot, false), userPteHighFlags(prot)) < 0) {
      this.options.frames.free(frame, 0);
      return FAULT.OOM;
    }
    this.options.refCounts.increment(frame);
    this.faults.demandZero++;
    return FAULT.RESOLVED;
  }

  /** A fault on a present page: a copy-on-write break, a stale TLB entry, or a real violation. */
  private resolvePresent(page: number, low: number, write: boolean, index: number): FaultResult {
    const prot = this.vmas.protAt(index);
    if ((low & PTE.US) === 0) return FAULT.SEGV_ACCERR;
    if (!write || (low & PTE.RW) !== 0) {
      this.faults.spurious++;
      return FAULT.RESOLVED;
    }
    const physical = this.pageTable.translate(page);
    if (this.options.refCounts.get(physical) === 1) {
      this.setRights(page, prot, false);
      this.faults.copyOnWriteReused++;
      return FAULT.RESOLVED;
    }
    const copy = this.options.frames.allocate(0);
    if (copy < 0) return FAULT.OOM;
    const memory = this.options.memory;
    memory.bytes(copy, FRAME_SIZE).set(memory.bytes(physical, FRAME_SIZE));
    memory.notifyWritten(copy, FRAME_SIZE);
    this.pageTable.unmap(page, FRAME_SIZE, this.batch);
    this.pageTable.map(page, copy, FRAME_SIZE, userPteFlags(prot, false), userPteHighFlags(prot));
    this.options.refCounts.increment(copy);
    this.options.refCounts.decrement(physical);
    this.faults.copyOnWrite++;
    return FAULT.RESOLVED;
  }

  /** Grows a MAP_GROWSDOWN area down to `address`; returns its index, or -1. */
  private growStack(address: number): number {
    const above = this.vmas.firstEndingAfter(address);
    if (above >= this.vmas.count || (this.vmas.flagsAt(above) & MAP.GROWSDOWN) === 0) return -1;
    const page = pageDown(address);
    const belowEnd = above > 0 ? this.vmas.endAt(above - 1) : 0;
    if (page - belowEnd < this.guardGap || page < this.mmapMin) return -1;
    if (this.vmas.endAt(above) - page > this.stackLimit) return -1;
    this.vmas.extendDown(above, page);
    return this.vmas.find(address);
  }

  private guardGapBelow(end: number): number {
    const above = this.vmas.firstEndingAfter(end);
    return above < this.vmas.count && (this.vmas.flagsAt(above) & MAP.GROWSDOWN) !== 0 ? this.guardGap : 0;
  }

  /** Unmaps `page`; a frame no longer referenced is freed by the batch, after the shootdown. */
  private releasePage(page: number): void {
    const physical = this.pageTable.translate(page);
    this.pageTable.unmap(page, FRAME_SIZE, this.batch);
    if (this.options.refCounts.decrement(physical) === 0)
      this.batch.deferFrameFree(physical, this.options.frames, page);
  }

  /** Calls `visit(page, physical, vmaIndex)` for each mapped page of [start, end) inside an area (skips absent tables). */
  private forEachMappedPage(
    start: number,
    end: number,
    visit: (page: number, physical: number, index: number) => void,
  ): void {
    for (let index = this.vmas.firstEndingAfter(start); index < this.vmas.count; index++) {
      const from = Math.max(start, this.vmas.startAt(index));
      const to = Math.min(end, this.vmas.endAt(index));
      if (from >= end) break;
      for (let page = this.pageTable.nextMapped(from, to); page !== NOT_MAPPED; ) {
        visit(page, this.pageTable.translate(page), index);
        page = this.pageTable.nextMapped(page + FRAME_SIZE, to);
      }
    }
  }
}
