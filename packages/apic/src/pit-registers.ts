/**
 * The few 8254 PIT and PC/AT port-B facts the LAPIC timer calibration needs:
 * channel 2 ports, the control word for "channel 2, low-then-high byte,
 * mode 0, binary", and port 0x61's gate and OUT bits.
 *
 * Invariants: every value is a byte or a port number; the input clock is the
 * PC's 14.31818 MHz / 12.
 *
 * Source: Intel 8254 datasheet ("Control Word Format", mode 0 "Interrupt on
 * Terminal Count"); IBM PC/AT technical reference, system control port B.
 */

/** PIT and port-B I/O ports (8254 datasheet; PC/AT). */
export const PIT_PORT = {
  /** Channel 2 data port (the speaker / calibration channel). */
  CHANNEL2: 0x42,
  /** Mode/command register (write-only). */
  CONTROL: 0x43,
  /** System control port B: channel 2 gate (bit 0), speaker (bit 1), channel 2 OUT (bit 5). */
  SYSTEM_CONTROL_B: 0x61,
} as const;

/** Control word: select channel 2 (bits 7:6 = 10), low then high byte (5:4 = 11), mode 0 (3:1 = 000), binary (0). */
export const PIT_CHANNEL2_MODE0 = 0xb0;

/** Port 0x61 bits (PC/AT system control port B). */
export const PORT_B = {
  /** Bit 0: PIT channel 2 gate (counting enabled while 1). */
  TIMER2_GATE: 0x01,
  /** Bit 1: speaker data enable. */
  SPEAKER_DATA: 0x02,
  /** Bit 5 (read-only): PIT channel 2 OUT; in mode 0 it goes high at terminal count. */
  TIMER2_OUT: 0x20,
} as const;

/** PIT input clock in Hz (14.31818 MHz / 12). */
export const PIT_FREQUENCY_HZ = 1_193_182;

/** Largest 16-bit binary count (0 means 65536 to the 8254; not used here). */
export const PIT_MAX_COUNT = 0xffff;

/** Byte mask for port writes. */
export const BYTE_MASK = 0xff;

/** Shift from the high byte of a count to the low byte. */
export const BYTE_SHIFT = 8;
