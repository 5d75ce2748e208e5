/**
 * A window of memory-mapped device registers.
 *
 * A driver holds one to program a device (`lapic.write32(0xb0, 0)` is an
 * EOI); a device model implements one and the bus maps it at a base address.
 * Offsets are relative to the region's base.
 *
 * Outcomes, as on real buses:
 * - Reading an offset the device does not decode returns all-ones for the
 *   width (0xff, 0xffff, 0xffffffff); writing one is ignored. Implementations
 *   count such accesses; none throws for a guest-reachable access.
 * - Writes to read-only registers and to reserved bits are ignored.
 * - A device may define side effects of reads (reading a UART's receive
 *   buffer pops a byte); drivers must not read registers speculatively.
 * - 64-bit CPU accesses are split by the bus into two 32-bit accesses, low
 *   half first.
 */
export interface MmioRegion {
  /** Size of the region in bytes; valid offsets are `[0, size)`. */
  readonly size: number;

  /** Reads one byte at `offset`. */
  read8(offset: number): number;
  /** Reads a 16-bit value at `offset`. */
  read16(offset: number): number;
  /** Reads an unsigned 32-bit value at `offset`. */
  read32(offset: number): number;
  /** Writes the low 8 bits of `value` at `offset`. */
  write8(offset: number, value: number): void;
  /** Writes the low 16 bits of `value` at `offset`. */
  write16(offset: number, value: number): void;
  /** Writes the low 32 bits of `value` at `offset`. */
  write32(offset: number, value: number): void;
}
