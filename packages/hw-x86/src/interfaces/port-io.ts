/**
 * The x86 I/O port space (64 Ki byte-wide ports), as `in`/`out` see it.
 *
 * A driver holds a `PortIo` to talk to legacy devices (PIT, PS/2, UART, CMOS);
 * a device model implements it for the ports it claims and the bus dispatches
 * by port number.
 *
 * Outcomes:
 * - A port nobody claims reads as all-ones for the width and ignores writes;
 *   the bus counts both. Nothing throws for any port in `[0, 0xffff]`.
 * - 16- and 32-bit accesses address consecutive byte ports, little-endian; a
 *   device may decode the wide access as one register instead.
 */
export interface PortIo {
  /** `in al, dx`: reads one byte from `port`. */
  in8(port: number): number;
  /** `in ax, dx`: reads 16 bits from `port`. */
  in16(port: number): number;
  /** `in eax, dx`: reads an unsigned 32-bit value from `port`. */
  in32(port: number): number;
  /** `out dx, al`: writes the low 8 bits of `value` to `port`. */
  out8(port: number, value: number): void;
  /** `out dx, ax`: writes the low 16 bits of `value` to `port`. */
  out16(port: number, value: number): void;
  /** `out dx, eax`: writes the low 32 bits of `value` to `port`. */
  out32(port: number, value: number): void;
}
