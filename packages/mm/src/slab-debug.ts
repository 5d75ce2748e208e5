/**
 * Debug mode of a slab cache: red zones and poisoning written into the
 * objects' memory through `PhysicalMemory`, checked on every allocation and
 * free, with problems reported as {@link SlabReport} values.
 *
 * Scheme (the byte patterns and their meaning are Linux's, from
 * include/linux/poison.h, so a dump reads the same):
 * - A free slot: both red zones hold RED_INACTIVE, the object holds
 *   POISON_FREE with POISON_END in its last byte.
 * - An allocated slot: both red zones hold RED_ACTIVE; the object is the
 *   caller's.
 * - On free, a red zone that is not all RED_ACTIVE means the caller wrote
 *   outside its object: an `overflow` report; the slot is then re-poisoned.
 * - On allocation (and in `validate`), a free slot whose object bytes are not
 *   the poison means someone wrote to it after freeing it: `use-after-free`;
 *   a damaged red zone of a free slot is an `overflow` from a neighbour.
 * - Freeing an object that is not allocated: `double-free`.
 *
 * Invariant: between operations, every slot's bytes are in one of the two
 * states above unless a caller broke the rules; the checks restore them.
 */
import type { PhysicalMemory } from "@tsos/hw-x86";
import type { SlabReport, SlabReportKind } from "./errors";
import type { SlabLayout } from "./slab-layout";

/** Byte patterns of debug mode (Linux include/linux/poison.h). */
export const SLAB_POISON = {
  /** Fills a free object (POISON_FREE). */
  FREE: 0x6b,
  /** Last byte of a free object (POISON_END). */
  END: 0xa5,
  /** Red zone of a free slot (SLUB_RED_INACTIVE). */
  RED_INACTIVE: 0xbb,
  /** Red zone of an allocated slot (SLUB_RED_ACTIVE). */
  RED_ACTIVE: 0xcc,
} as const;

/** Checks and repairs slot memory for one debug-mode cache, collecting reports. */
export class SlabDebugger {
  /** Every report so far, oldest first. */
  readonly reports: SlabReport[] = [];

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly layout: SlabLayout,
    private readonly cacheName: string,
    private readonly onReport?: (report: SlabReport) => void,
  ) {}

  /** Poisons every slot of a new slab at `slabAddress`. */
  prepareSlab(slabAddress: number): void {
    for (let slot = 0; slot < this.layout.objectsPerSlab; slot++) {
      this.poisonFree(slabAddress + slot * this.layout.stride + this.layout.objectOffset);
    }
  }

  /** Checks a free object about to be handed out and arms its red zones. */
  onAllocate(objectAddress: number): void {
    this.checkFree(objectAddress);
    this.fillRedZones(objectAddress, SLAB_POISON.RED_ACTIVE);
  }

  /** Checks an allocated object being freed and poisons it. Returns true when an overflow was found. */
  onFree(objectAddress: number): boolean {
    const damage = this.findRedZoneDamage(objectAddress, SLAB_POISON.RED_ACTIVE);
    if (damage) this.report("overflow", objectAddress, damage.offset, SLAB_POISON.RED_ACTIVE, damage.found);
    this.poisonFree(objectAddress);
    return damage !== undefined;
  }

  /** Records a free of an object that is not allocated. */
  onDoubleFree(objectAddress: number): void {
    this.report("double-free", objectAddress, -1, -1, -1);
  }

  /** Checks a free object's poison and red zones (reporting and repairing damage). */
  checkFree(objectAddress: number): void {
    const damage = this.findRedZoneDamage(objectAddress, SLAB_POISON.RED_INACTIVE);
    if (damage) this.report("overflow", objectAddress, damage.offset, SLAB_POISON.RED_INACTIVE, damage.found);
    const size = this.layout.objectSize;
    const object = this.memory.bytes(objectAddress, size);
    for (let offset = 0; offset < size; offset++) {
      const expected = offset === size - 1 ? SLAB_POISON.END : SLAB_POISON.FREE;
      if (object[offset] !== expected) {
        this.report("use-after-free", objectAddress, offset, expected, object[offset]!);
        break;
      }
    }
    if (damage) this.poisonFree(objectAddress);
    else this.poisonObject(objectAddress);
  }

  private findRedZoneDamage(
    objectAddress: number,
    expected: number,
  ): { offset: number; found: number } | undefined {
    const { objectOffset, objectSize, stride } = this.layout;
    const slot = this.memory.bytes(objectAddress - objectOffset, stride);
    for (let index = 0; index < stride; index++) {
      if (index >= objectOffset && index < objectOffset + objectSize) continue;
      if (slot[index] !== expected) return { offset: index - objectOffset, found: slot[index]! };
    }
    return undefined;
  }

  private poisonFree(objectAddress: number): void {
    this.fillRedZones(objectAddress, SLAB_POISON.RED_INACTIVE);
    this.poisonObject(objectAddress);
  }

  private poisonObject(objectAddress: number): void {
    const size = this.layout.objectSize;
    const object = this.memory.bytes(objectAddress, size);
    object.fill(SLAB_POISON.FREE);
    object[size - 1] = SLAB_POISON.END;
    this.memory.notifyWritten(objectAddress, size);
  }

  private fillRedZones(objectAddress: number, value: number): void {
    const { objectOffset, objectSize, stride } = this.layout;
    const slotAddress = objectAddress - objectOffset;
    const slot = this.memory.bytes(slotAddress, stride);
    slot.fill(value, 0, objectOffset);
    slot.fill(value, objectOffset + objectSize, stride);
    this.memory.notifyWritten(slotAddress, stride);
  }

  private report(
    kind: SlabReportKind,
    address: number,
    offset: number,
    expected: number,
    found: number,
  ): void {
    const report: SlabReport = { kind, cache: this.cacheName, address, offset, expected, found };
    this.reports.push(report);
    this.onReport?.(report);
  }
}
