/**
 * The virtual memory areas (VMAs) of one address space, kept sorted by start
 * address in parallel typed arrays: O(log n) lookup by binary search, O(n)
 * insertion and removal (a memmove of a few hundred entries at most; Linux's
 * maple tree is the O(log n)-everything version of the same idea).
 *
 * Fields, index = position in address order:
 * - `starts[i]`, `ends[i]`: the area [start, end), page aligned, in the
 *   48-bit linear form of user addresses (below 2^47).
 * - `prots[i]`: PROT_* bits (mmap(2)); `flags[i]`: MAP_* bits kept from mmap
 *   (MAP_SHARED / MAP_PRIVATE, MAP_GROWSDOWN).
 *
 * Invariants: areas never overlap and are sorted (`ends[i] <= starts[i+1]`);
 * no area is empty; two touching areas with equal prot and flags are merged
 * (as Linux's vma_merge), so the list is the minimal description of the
 * address space.
 */

/** Sorted, non-overlapping areas with protection and flags. */
export class VmaList {
  private starts = new Float64Array(16);
  private ends = new Float64Array(16);
  private prots = new Uint8Array(16);
  private flagBits = new Int32Array(16);
  private size = 0;

  /** Number of areas. */
  get count(): number {
    return this.size;
  }

  /** Start of area `index`. */
  startAt(index: number): number {
    return this.starts[index]!;
  }
  /** End (exclusive) of area `index`. */
  endAt(index: number): number {
    return this.ends[index]!;
  }
  /** PROT_* bits of area `index`. */
  protAt(index: number): number {
    return this.prots[index]!;
  }
  /** MAP_* bits of area `index`. */
  flagsAt(index: number): number {
    return this.flagBits[index]!;
  }

  /** Index of the first area ending after `address` (`count` if none). Binary search. */
  firstEndingAfter(address: number): number {
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ends[middle]! <= address) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index of the area containing `address`, or -1. */
  find(address: number): number {
    const index = this.firstEndingAfter(address);
    return index < this.size && this.starts[index]! <= address ? index : -1;
  }

  /** True when no area overlaps [start, end). */
  isFree(start: number, end: number): boolean {
    const index = this.firstEndingAfter(start);
    return index >= this.size || this.starts[index]! >= end;
  }

  /** Inserts [start, end) (which must be free), merging with equal neighbours. */
  insert(start: number, end: number, prot: number, flags: number): void {
    const index = this.firstEndingAfter(start);
    if (this.size === this.starts.length) this.grow();
    this.starts.copyWithin(index + 1, index, this.size);
    this.ends.copyWithin(index + 1, index, this.size);
    this.prots.copyWithin(index + 1, index, this.size);
    this.flagBits.copyWithin(index + 1, index, this.size);
    this.starts[index] = start;
    this.ends[index] = end;
    this.prots[index] = prot;
    this.flagBits[index] = flags;
    this.size++;
    this.mergeWithNext(index);
    if (index > 0) this.mergeWithNext(index - 1);
  }

  /** Removes [start, end) from every area, splitting areas it cuts. */
  removeRange(start: number, end: number): void {
    this.splitAt(start);
    this.splitAt(end);
    const first = this.firstEndingAfter(start);
    let last = first;
    while (last < this.size && this.ends[last]! <= end) last++;
    this.removeIndices(first, last);
  }

  /** Sets `prot` on [start, end) (which must be fully covered), splitting and re-merging. */
  setProt(start: number, end: number, prot: number): void {
    this.splitAt(start);
    this.splitAt(end);
    for (let index = this.firstEndingAfter(start); index < this.size && this.starts[index]! < end; index++) {
      this.prots[index] = prot;
    }
    for (let index = this.size - 2; index >= 0; index--) this.mergeWithNext(index);
  }

  /** Moves the start of area `index` down to `start` (stack growth); merges if it now touches its neighbour. */
  extendDown(index: number, start: number): void {
    this.starts[index] = start;
    if (index > 0) this.mergeWithNext(index - 1);
  }

  /** True when every byte of [start, end) lies in some area. */
  covers(start: number, end: number): boolean {
    let at = start;
    for (let index = this.firstEndingAfter(start); index < this.size && at < end; index++) {
      if (this.starts[index]! > at) return false;
      at = this.ends[index]!;
    }
    return at >= end;
  }

  /**
   * The highest start of a free range of `size` bytes inside [low, high)
   * (Linux's top-down mmap layout), or -1 when none is free.
   */
  findFreeTopDown(size: number, low: number, high: number): number {
    let gapEnd = high;
    for (let index = this.size - 1; index >= 0; index--) {
      const start = this.starts[index]!;
      if (start >= gapEnd) continue;
      const end = Math.max(this.ends[index]!, low);
      if (end < gapEnd && gapEnd - end >= size) return gapEnd - size;
      gapEnd = start;
    }
    return gapEnd - low >= size ? gapEnd - size : -1;
  }

  /** An independent copy (for fork). */
  clone(): VmaList {
    const copy = new VmaList();
    copy.starts = this.starts.slice();
    copy.ends = this.ends.slice();
    copy.prots = this.prots.slice();
    copy.flagBits = this.flagBits.slice();
    copy.size = this.size;
    return copy;
  }

  /** Splits the area strictly containing `address` into two at `address`. */
  private splitAt(address: number): void {
    const index = this.find(address);
    if (index < 0 || this.starts[index] === address) return;
    const end = this.ends[index]!;
    this.ends[index] = address;
    if (this.size === this.starts.length) this.grow();
    this.starts.copyWithin(index + 2, index + 1, this.size);
    this.ends.copyWithin(index + 2, index + 1, this.size);
    this.prots.copyWithin(index + 2, index + 1, this.size);
    this.flagBits.copyWithin(index + 2, index + 1, this.size);
    this.starts[index + 1] = address;
    this.ends[index + 1] = end;
    this.prots[index + 1] = this.prots[index]!;
    this.flagBits[index + 1] = this.flagBits[index]!;
    this.size++;
  }

  private mergeWithNext(index: number): boolean {
    const next = index + 1;
    if (next >= this.size || this.ends[index] !== this.starts[next]) return false;
    if (this.prots[index] !== this.prots[next] || this.flagBits[index] !== this.flagBits[next]) return false;
    this.ends[index] = this.ends[next]!;
    this.removeIndices(next, next + 1);
    return true;
  }

  private removeIndices(first: number, last: number): void {
    if (last <= first) return;
    this.starts.copyWithin(first, last, this.size);
    this.ends.copyWithin(first, last, this.size);
    this.prots.copyWithin(first, last, this.size);
    this.flagBits.copyWithin(first, last, this.size);
    this.size -= last - first;
  }

  private grow(): void {
    const capacity = this.starts.length * 2;
    const widen = <T extends Float64Array | Uint8Array | Int32Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.starts = widen(this.starts, new Float64Array(capacity));
    this.ends = widen(this.ends, new Float64Array(capacity));
    this.prots = widen(this.prots, new Uint8Array(capacity));
    this.flagBits = widen(this.flagBits, new Int32Array(capacity));
  }
}
