/**
 * Turns a firmware-style memory map into the per-frame zone table the buddy
 * allocator starts from.
 *
 * Scheme: every frame lying wholly inside a `usable` region gets the index of
 * the zone its address falls in; every frame touched by a `reserved` region
 * (rounded outwards to frame boundaries) is unmanaged, whatever the usable
 * regions say, so a reserved hole always wins. Usable regions are rounded
 * inwards: a partial frame at either end is never handed out.
 *
 * Invariants of the result: `zoneOfFrame.length === frameCount`, where
 * `frameCount` is one past the highest usable frame; each entry is a zone
 * index in `[0, zones.length)` or {@link UNMANAGED}; zones are contiguous
 * address ranges in ascending order, so a run of equal entries never crosses
 * a zone boundary.
 */
import { FRAME_SIZE } from "./frame-constants";

/** One entry of a memory map (as an E820 table or a boot loader reports it). */
export interface MemoryRegion {
  /** Physical address of the first byte. */
  readonly base: number;
  /** Length in bytes. */
  readonly length: number;
  /** `usable` RAM the allocator may hand out, or `reserved` (firmware, MMIO, the kernel image). */
  readonly kind: "usable" | "reserved";
}

/**
 * A zone: the frames below `end` and at or above the previous zone's end.
 * Zones are listed lowest first; the last one usually has `end: Infinity`.
 */
export interface ZoneSpec {
  /** Name for statistics, e.g. `"DMA32"` or `"Normal"`. */
  readonly name: string;
  /** Exclusive upper physical address bound (a multiple of 4 KiB, or `Infinity`). */
  readonly end: number;
}

/** Zone index of a frame no zone manages (reserved, a hole, or beyond RAM). */
export const UNMANAGED = -1;

/** The default zone layout: one zone covering all memory. */
export const SINGLE_ZONE: readonly ZoneSpec[] = [{ name: "Normal", end: Number.POSITIVE_INFINITY }];

/** The frame table a memory map describes. */
export interface FrameZoneTable {
  /** One past the highest usable frame number. */
  readonly frameCount: number;
  /** Zone index per frame, or {@link UNMANAGED}. */
  readonly zoneOfFrame: Int8Array;
}

/** Throws `RangeError` for a map or zone list a caller could not mean (a boot-time bug, not a runtime outcome). */
function validate(regions: readonly MemoryRegion[], zones: readonly ZoneSpec[]): void {
  if (zones.length === 0 || zones.length > 127) throw new RangeError("need between 1 and 127 zones");
  let previousEnd = 0;
  for (const zone of zones) {
    if (!(zone.end > previousEnd) || (Number.isFinite(zone.end) && zone.end % FRAME_SIZE !== 0)) {
      throw new RangeError(`zone ${zone.name}: end must ascend and be frame aligned`);
    }
    previousEnd = zone.end;
  }
  for (const region of regions) {
    const { base, length } = region;
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(length) || base < 0 || length < 0) {
      throw new RangeError(`memory region ${base}+${length}: base and length must be non-negative integers`);
    }
  }
}

/** Builds the per-frame zone table for `regions` split into `zones`. */
export function buildFrameZoneTable(
  regions: readonly MemoryRegion[],
  zones: readonly ZoneSpec[] = SINGLE_ZONE,
): FrameZoneTable {
  validate(regions, zones);
  let frameCount = 0;
  for (const region of regions) {
    if (region.kind !== "usable") continue;
    frameCount = Math.max(frameCount, Math.floor((region.base + region.length) / FRAME_SIZE));
  }
  const zoneOfFrame = new Int8Array(frameCount).fill(UNMANAGED);
  for (const region of regions) {
    if (region.kind !== "usable") continue;
    const first = Math.ceil(region.base / FRAME_SIZE);
    const end = Math.floor((region.base + region.length) / FRAME_SIZE);
    let zone = 0;
    for (let frame = first; frame < end; frame++) {
      while (zone < zones.length && frame * FRAME_SIZE >= zones[zone]!.end) zone++;
      if (zone >= zones.length) break;
      zoneOfFrame[frame] = zone;
    }
  }
  for (const region of regions) {
    if (region.kind !== "reserved") continue;
    const first = Math.floor(region.base / FRAME_SIZE);
    const end = Math.min(frameCount, Math.ceil((region.base + region.length) / FRAME_SIZE));
    if (first < end) zoneOfFrame.fill(UNMANAGED, first, end);
  }
  return { frameCount, zoneOfFrame };
}
