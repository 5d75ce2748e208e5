/**
 * Base of the legacy devices whose registers are all byte-wide (PIT, RTC,
 * UART, i8042): a 16- or 32-bit `in`/`out` is split into byte accesses to
 * consecutive ports, low byte first, as the PC's ISA bus does. Subclasses
 * implement only `in8` and `out8`.
 */
import type { PortIo } from "../../interfaces/port-io";

/** A {@link PortIo} device decoding only byte accesses. */
export abstract class BytePortDevice implements PortIo {
  /** Reads the byte register at `port`. */
  abstract in8(port: number): number;
  /** Writes the low 8 bits of `value` to the byte register at `port`. */
  abstract out8(port: number, value: number): void;

  /** Two byte reads at `port` and `port + 1`, low byte first. */
  in16(port: number): number {
    return this.in8(port) | (this.in8(port + 1) << 8);
  }

  /** Four byte reads at `port` .. `port + 3`, low byte first. */
  in32(port: number): number {
    return (this.in16(port) | (this.in16(port + 2) << 16)) >>> 0;
  }

  /** Two byte writes at `port` and `port + 1`, low byte first. */
  out16(port: number, value: number): void {
    this.out8(port, value);
    this.out8(port + 1, value >>> 8);
  }

  /** Four byte writes at `port` .. `port + 3`, low byte first. */
  out32(port: number, value: number): void {
    this.out16(port, value);
    this.out16(port + 2, value >>> 16);
  }
}
