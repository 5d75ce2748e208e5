/**
 * Physical memory as devices, the MMU and the kernel see it: a flat,
 * byte-addressed, little-endian array of `size` bytes starting at physical
 * address 0.
 *
 * Invariants every implementation keeps:
 * - Multi-byte accesses are little-endian and need not be aligned.
 * - An access with any byte outside `[0, size)` is a caller bug and throws a
 *   `RangeError`; it is never a guest-visible outcome. (The emulated MMU
 *   routes addresses outside RAM to the bus before they reach this interface.)
 * - 32-bit reads return an unsigned value in `[0, 2^32)`; writes take the low
 *   8/16/32 bits of the value given.
 * - 64-bit values travel as two 32-bit halves (`read32(a)` is the low half,
 *   `read32(a + 4)` the high half) on hot paths, as a number when the value is
 *   known to be below 2^53, or as a `bigint` at cold edges.
 */
export interface PhysicalMemory {
  /** Size in bytes; addresses run from 0 to `size - 1`. */
  readonly size: number;

  /** Reads one byte. Throws `RangeError` outside memory. */
  read8(address: number): number;
  /** Reads a little-endian 16-bit value. Throws `RangeError` outside memory. */
  read16(address: number): number;
  /** Reads a little-endian 32-bit value as an unsigned number. Throws `RangeError` outside memory. */
  read32(address: number): number;
  /**
   * Reads a little-endian 64-bit value as a number. Returns `NaN` when the
   * value is 2^53 or more (use two `read32` calls for full-width values).
   * Throws `RangeError` outside memory.
   */
  read64Number(address: number): number;
  /** Reads a little-endian 64-bit value as a `bigint` (cold paths). Throws `RangeError` outside memory. */
  read64(address: number): bigint;

  /** Writes the low 8 bits of `value`. Throws `RangeError` outside memory. */
  write8(address: number, value: number): void;
  /** Writes the low 16 bits of `value`, little-endian. Throws `RangeError` outside memory. */
  write16(address: number, value: number): void;
  /** Writes the low 32 bits of `value`, little-endian. Throws `RangeError` outside memory. */
  write32(address: number, value: number): void;
  /**
   * Writes a 64-bit value given as a non-negative integer below 2^53.
   * Throws `RangeError` outside memory or for a value that is not such an integer.
   */
  write64Number(address: number, value: number): void;
  /** Writes a 64-bit value (taken modulo 2^64), little-endian. Throws `RangeError` outside memory. */
  write64(address: number, value: bigint): void;

  /**
   * A zero-copy view of `length` bytes starting at `address`: writes through
   * the view change memory. Throws `RangeError` if any byte is outside memory.
   * Writes through a view bypass write watchers (such as the emulator's
   * decoded-instruction cache); call {@link PhysicalMemory.notifyWritten} after them.
   */
  bytes(address: number, length: number): Uint8Array;

  /**
   * Tells memory that `[address, address + length)` was changed through a
   * {@link PhysicalMemory.bytes} view (DMA does this), so caches of its
   * contents are invalidated. Cheap when nothing watches the range.
   */
  notifyWritten(address: number, length: number): void;
}
