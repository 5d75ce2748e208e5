/**
 * The external-fragmentation workload: a seeded mix of block orders
 * allocated and freed at random around 60 % occupancy, run on the buddy
 * allocator (coalescing) and on NoCoalescingAllocator (same splitting, no
 * merging). The measure is the unusable free space index (see
 * buddy-statistics.ts) at a given order after the run: the fraction of free
 * memory that cannot serve a request of that order. Deterministic: a seed
 * gives the same index every time.
 */
import { NO_FRAME } from "@tsos/hw-x86";
import { BuddyAllocator, unusableFreeSpaceIndex } from "../src/index";
import { NoCoalescingAllocator } from "./no-coalescing-allocator";

const MiB = 2 ** 20;
/** Order mix: mostly single pages, some larger blocks (as page tables, slabs, DMA buffers). */
const ORDER_WEIGHTS = [60, 15, 10, 6, 4, 3, 2] as const;

function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function pickOrder(random: () => number): number {
  const total = ORDER_WEIGHTS.reduce((sum, weight) => sum + weight, 0);
  let roll = random() * total;
  for (let order = 0; order < ORDER_WEIGHTS.length; order++) {
    roll -= ORDER_WEIGHTS[order]!;
    if (roll < 0) return order;
  }
  return 0;
}

interface Allocator {
  allocate(order: number): number;
  free(address: number, order: number): unknown;
}

function run(allocator: Allocator, seed: number, steps: number, frames: number): number {
  const random = xorshift(seed);
  const live: [number, number][] = [];
  let used = 0;
  for (let step = 0; step < steps; step++) {
    const wantAllocate = used < frames * 0.6 ? random() < 0.6 : random() < 0.4;
    const order = pickOrder(random);
    const pick = random();
    if (wantAllocate || live.length === 0) {
      const address = allocator.allocate(order);
      if (address === NO_FRAME) continue;
      live.push([address, order]);
      used += 2 ** order;
    } else {
      const index = Math.floor(pick * live.length);
      const [address, blockOrder] = live[index]!;
      live[index] = live[live.length - 1]!;
      live.pop();
      allocator.free(address, blockOrder);
      used -= 2 ** blockOrder;
    }
  }
  return used;
}

/** Unusable free space index at `order` after the workload, with and without coalescing. */
export function fragmentationAfterMixedWorkload(
  seed: number,
  order: number,
  steps = 100_000,
): { coalescing: number; noCoalescing: number } {
  const regions = [{ base: 0, length: 64 * MiB, kind: "usable" as const }];
  const buddy = new BuddyAllocator(regions);
  const plain = new NoCoalescingAllocator(buddy.freeListSnapshot()[0]!);
  run(buddy, seed, steps, buddy.managedFrames);
  run(plain, seed, steps, buddy.managedFrames);
  const buddyBlocks = Array.from({ length: 11 }, (_, o) => buddy.freeBlocks(o));
  return {
    coalescing: unusableFreeSpaceIndex(buddyBlocks, order),
    noCoalescing: unusableFreeSpaceIndex(plain.freeBlocksPerOrder(), order),
  };
}
