/**
 * Test-only helpers for `@tsos/mm` (not exported from the package). Tests
 * needing physical memory or fault injection use `@tsos/testing`'s
 * MockMemoryController.
 */
import type { MemoryRegion } from "./memory-map";

/** `mebibytes` of usable RAM from address 0 with the first frame reserved (as real PCs do). */
export function simpleMemoryMap(mebibytes: number): MemoryRegion[] {
  return [
    { base: 0, length: mebibytes * 2 ** 20, kind: "usable" },
    { base: 0, length: 4096, kind: "reserved" },
  ];
}
