/**
 * Benchmark-only baseline: a segregated-fit frame allocator that splits like
 * the buddy allocator but never merges freed blocks. It starts from the same
 * free lists as a fresh BuddyAllocator, so the fragmentation benchmark
 * isolates what coalescing buys.
 *
 * Invariant: the free lists hold naturally aligned blocks that never
 * overlap; blocks only ever get smaller.
 */
import { NO_FRAME } from "@tsos/hw-x86";
import { FRAME_SIZE, MAX_ORDER, ORDER_COUNT } from "../src/index";

/** Splits on allocate, never coalesces on free. */
export class NoCoalescingAllocator {
  private readonly lists: number[][];

  /** Starts from `zoneLists[order]` = block addresses (BuddyAllocator.freeListSnapshot()[zone]). */
  constructor(zoneLists: readonly (readonly number[])[]) {
    this.lists = Array.from({ length: ORDER_COUNT }, (_, order) => [...(zoneLists[order] ?? [])]);
  }

  allocate(order: number): number {
    for (let current = order; current <= MAX_ORDER; current++) {
      const block = this.lists[current]!.pop();
      if (block === undefined) continue;
      while (current > order) {
        current--;
        this.lists[current]!.push(block + 2 ** current * FRAME_SIZE);
      }
      return block;
    }
    return NO_FRAME;
  }

  free(address: number, order: number): void {
    this.lists[order]!.push(address);
  }

  /** Free blocks per order. */
  freeBlocksPerOrder(): number[] {
    return this.lists.map((list) => list.length);
  }
}
