/**
 * Statistics of a buddy allocator: free blocks per order and two external
 * fragmentation measures, per zone or over all zones.
 *
 * - The unusable free space index (Gorman & Whitcroft, "The What, The Why and
 *   the Where To of Anti-Fragmentation", OLS 2006; Linux exports it in
 *   /sys/kernel/debug/extfrag/unusable_index): for order j,
 *   `(totalFree - Σ_{i≥j} 2^i · k_i) / totalFree`, where k_i is the number of
 *   free blocks of order i: the fraction of free memory that cannot serve a
 *   request of order j. 0 = no fragmentation; 1 = none of it can. With no
 *   free memory at all it is 1 (as in Linux: all free memory is unusable).
 * - The fragmentation index (Linux's extfrag_index in mm/vmstat.c): only
 *   meaningful when a request of order j would fail; then
 *   `1 - (1 + totalFree / 2^j) / freeBlocksTotal`, tending to 0 when the
 *   failure is from lack of memory and to 1 when it is from fragmentation.
 *   It is -1 when the request would succeed and 0 with no free blocks.
 *
 * Cold path: these functions allocate their result objects.
 */
import type { BuddyAllocator } from "./buddy-allocator";
import { MAX_ORDER, ORDER_COUNT } from "./frame-constants";

/** Free-memory statistics of one zone, or of all zones together. */
export interface BuddyStatistics {
  /** Zone name, or `"all"`. */
  readonly zone: string;
  /** Free frames. */
  readonly freeFrames: number;
  /** Free blocks per order, index = order (0–10), as /proc/buddyinfo shows. */
  readonly freeBlocksPerOrder: readonly number[];
  /** Unusable free space index per order, in [0, 1]. */
  readonly unusableIndex: readonly number[];
  /** Linux extfrag index per order, in [0, 1], or -1 where the request would succeed. */
  readonly fragmentationIndex: readonly number[];
}

function blocksOf(allocator: BuddyAllocator, zone: number): number[] {
  const blocks: number[] = [];
  for (let order = 0; order < ORDER_COUNT; order++) blocks.push(allocator.freeBlocks(order, zone));
  return blocks;
}

/** Unusable free space index for `order`, given free blocks per order. */
export function unusableFreeSpaceIndex(freeBlocksPerOrder: readonly number[], order: number): number {
  let totalFree = 0;
  let usable = 0;
  for (let i = 0; i <= MAX_ORDER; i++) {
    const frames = (freeBlocksPerOrder[i] ?? 0) * 2 ** i;
    totalFree += frames;
    if (i >= order) usable += frames;
  }
  if (totalFree === 0) return 1;
  return (totalFree - usable) / totalFree;
}

/** Linux's extfrag fragmentation index for `order`, given free blocks per order. */
export function fragmentationIndex(freeBlocksPerOrder: readonly number[], order: number): number {
  let totalFree = 0;
  let blocksTotal = 0;
  let suitable = 0;
  for (let i = 0; i <= MAX_ORDER; i++) {
    const blocks = freeBlocksPerOrder[i] ?? 0;
    totalFree += blocks * 2 ** i;
    blocksTotal += blocks;
    if (i >= order) suitable += blocks;
  }
  if (blocksTotal === 0) return 0;
  if (suitable > 0) return -1;
  return 1 - (1 + totalFree / 2 ** order) / blocksTotal;
}

/** Statistics for zone `zone`, or over all zones when `zone` is omitted. */
export function buddyStatistics(allocator: BuddyAllocator, zone = -1): BuddyStatistics {
  const freeBlocksPerOrder = blocksOf(allocator, zone);
  const orders = freeBlocksPerOrder.map((_, order) => order);
  return {
    zone: zone >= 0 ? (allocator.zones[zone]?.name ?? "?") : "all",
    freeFrames: zone >= 0 ? allocator.zoneFree(zone) : allocator.freeFrames,
    freeBlocksPerOrder,
    unusableIndex: orders.map((order) => unusableFreeSpaceIndex(freeBlocksPerOrder, order)),
    fragmentationIndex: orders.map((order) => fragmentationIndex(freeBlocksPerOrder, order)),
  };
}
