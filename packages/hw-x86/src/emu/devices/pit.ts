/**
 * The 8254 programmable interval timer on ports 0x40–0x43, plus system
 * control port B (0x61) for channel 2's gate and OUT (Intel 8254 datasheet;
 * IBM PC/AT port 0x61 layout). Channel 0's OUT drives IRQ 0; channel 2 is the
 * one firmware and kernels use to calibrate the TSC and LAPIC timer (gate it
 * on through 0x61 bit 0, load a mode-0 count, poll 0x61 bit 5).
 *
 * Port protocol: a control word on 0x43 selects a channel, its access mode
 * (latch command, low byte, high byte, low-then-high) and counter mode; the
 * count is then written to the channel's data port and reads return the
 * count (or a latched count/status) in the same byte order. The read-back
 * command (control word bits 7:6 = 11) latches count and/or status of
 * several channels at once.
 *
 * Invariants: each data port keeps independent read and write byte
 * flip-flops; a latched value is returned (whole) before live reads resume
 * and a second latch command before it is read is ignored; port 0x43 reads
 * as all-ones (the 8254 does not drive the bus on a control-word read).
 * Channel internals are in `pit-channel.ts`.
 */

import type { Clock } from "../../interfaces/clock";
import type { IrqLine } from "../../interfaces/irq-line";
import { BytePortDevice } from "./byte-port-device";
import { PitChannel, pitTicksIn } from "./pit-channel";
import { createAccessCounters, type DeviceAccessCounters } from "./register-table";

/** I/O ports of the PIT and system control port B (PC/AT). */
export const PIT_PORT = {
  /** Channel 0 data port (OUT drives IRQ 0). */
  CHANNEL0: 0x40,
  /** Channel 1 data port (counts, drives nothing). */
  CHANNEL1: 0x41,
  /** Channel 2 data port (gate and OUT through port 0x61). */
  CHANNEL2: 0x42,
  /** Control word register (write-only; reads all-ones). */
  CONTROL: 0x43,
  /** System control port B (see {@link SYSTEM_CONTROL_B}). */
  SYSTEM_CONTROL_B: 0x61,
} as const;

/** Control word fields (8254 datasheet, "Control Word Format"). */
export const PIT_CONTROL = {
  SELECT_SHIFT: 6,
  /** Select 3: read-back command. */
  READ_BACK: 3,
  ACCESS_SHIFT: 4,
  MODE_SHIFT: 1,
  BCD: 1,
  /** Read-back: bit 5 clear = latch count, bit 4 clear = latch status, bits 3:1 = channels 2..0. */
  READ_BACK_NO_COUNT: 1 << 5,
  READ_BACK_NO_STATUS: 1 << 4,
} as const;

/** Access modes (control word bits 5:4). */
export const PIT_ACCESS = { LATCH: 0, LOW_BYTE: 1, HIGH_BYTE: 2, LOW_THEN_HIGH: 3 } as const;

/** Port 0x61 bits (PC/AT system control port B). */
export const SYSTEM_CONTROL_B = {
  /** Bit 0: PIT channel 2 gate. */
  TIMER2_GATE: 1 << 0,
  /** Bit 1: speaker data enable (stored; there is no speaker). */
  SPEAKER_DATA: 1 << 1,
  /** Bits 3:0 are writable. */
  WRITABLE: 0x0f,
  /** Bit 4: refresh request toggle (read-only), flips every 18 PIT ticks (~15 µs). */
  REFRESH_TOGGLE: 1 << 4,
  /** Bit 5: PIT channel 2 OUT (read-only). */
  TIMER2_OUT: 1 << 5,
} as const;

/** Status byte bits (8254 read-back status). */
const STATUS_OUT = 1 << 7;
const STATUS_NULL_COUNT = 1 << 6;
const REFRESH_PERIOD_TICKS = 18;
const NOTHING_LATCHED = -1;

/** Byte-order state of one channel's data port. */
class DataPort {
  access: number = PIT_ACCESS.LOW_THEN_HIGH;
  readHighNext = false;
  writeHighNext = false;
  pendingLow = 0;
  latchedCount = NOTHING_LATCHED;
  latchedStatus = NOTHING_LATCHED;
}

/** The PIT device; map it at ports 0x40–0x43 and 0x61. */
export class Pit extends BytePortDevice {
  /** Counters 0, 1 and 2 (index = channel number). */
  readonly channels: readonly PitChannel[];
  /** Ignored accesses (reads of port 0x43, ports the PIT does not decode). */
  readonly counters: DeviceAccessCounters = createAccessCounters();
  private readonly ports = [new DataPort(), new DataPort(), new DataPort()];
  private systemControl = 0;

  /** @param irq0 the line channel 0's OUT drives (IOAPIC pin 2 on a PC, by ISA override). */
  constructor(
    private readonly clock: Clock,
    irq0: IrqLine,
  ) {
    super();
    this.channels = [new PitChannel(clock, irq0), new PitChannel(clock, null), new PitChannel(clock, null)];
    this.channels[2]!.setGate(false);
  }

  override in8(port: number): number {
    if (port >= PIT_PORT.CHANNEL0 && port <= PIT_PORT.CHANNEL2)
      return this.readData(port - PIT_PORT.CHANNEL0);
    if (port === PIT_PORT.SYSTEM_CONTROL_B) return this.readSystemControl();
    this.counters.unknownReads++;
    return 0xff;
  }

  override out8(port: number, value: number): void {
    const byte = value & 0xff;
    if (port >= PIT_PORT.CHANNEL0 && port <= PIT_PORT.CHANNEL2)
      this.writeData(port - PIT_PORT.CHANNEL0, byte);
    else if (port === PIT_PORT.CONTROL) this.writeControl(byte);
    else if (port === PIT_PORT.SYSTEM_CONTROL_B) this.writeSystemControl(byte);
    else this.counters.unknownWrites++;
  }

  private writeControl(byte: number): void {
    const select = byte >>> PIT_CONTROL.SELECT_SHIFT;
    if (select === PIT_CONTROL.READ_BACK) {
      this.readBack(byte);
      return;
    }
    const access = (byte >>> PIT_CONTROL.ACCESS_SHIFT) & 3;
    const port = this.ports[select]!;
    if (access === PIT_ACCESS.LATCH) {
      this.latchCount(select);
      return;
    }
    port.access = access;
    port.readHighNext = false;
    port.writeHighNext = false;
    port.latchedCount = NOTHING_LATCHED;
    port.latchedStatus = NOTHING_LATCHED;
    this.channels[select]!.program((byte >>> PIT_CONTROL.MODE_SHIFT) & 7, (byte & PIT_CONTROL.BCD) !== 0);
  }

  private readBack(byte: number): void {
    for (let channel = 0; channel < 3; channel++) {
      if ((byte & (2 << channel)) === 0) continue;
      if ((byte & PIT_CONTROL.READ_BACK_NO_COUNT) === 0) this.latchCount(channel);
      if ((byte & PIT_CONTROL.READ_BACK_NO_STATUS) === 0) this.latchStatus(channel);
    }
  }

  private latchCount(channel: number): void {
    const port = this.ports[channel]!;
    if (port.latchedCount !== NOTHING_LATCHED) return;
    port.latchedCount = this.channels[channel]!.currentCount();
  }

  private latchStatus(channel: number): void {
    const port = this.ports[channel]!;
    if (port.latchedStatus !== NOTHING_LATCHED) return;
    const state = this.channels[channel]!;
    port.latchedStatus =
      (state.out() ? STATUS_OUT : 0) |
      (state.nullCount ? STATUS_NULL_COUNT : 0) |
      (port.access << PIT_CONTROL.ACCESS_SHIFT) |
      (state.mode << PIT_CONTROL.MODE_SHIFT) |
      (state.bcd ? PIT_CONTROL.BCD : 0);
  }

  private readData(channel: number): number {
    const port = this.ports[channel]!;
    if (port.latchedStatus !== NOTHING_LATCHED) {
      const status = port.latchedStatus;
      port.latchedStatus = NOTHING_LATCHED;
      return status;
    }
    const latched = port.latchedCount !== NOTHING_LATCHED;
    const count = latched ? port.latchedCount : this.channels[channel]!.currentCount();
    let byte: number;
    let finished = true;
    if (port.access === PIT_ACCESS.LOW_BYTE) byte = count & 0xff;
    else if (port.access === PIT_ACCESS.HIGH_BYTE) byte = (count >>> 8) & 0xff;
    else {
      byte = port.readHighNext ? (count >>> 8) & 0xff : count & 0xff;
      finished = port.readHighNext;
      port.readHighNext = !port.readHighNext;
    }
    if (latched && finished) port.latchedCount = NOTHING_LATCHED;
    return byte;
  }

  private writeData(channel: number, byte: number): void {
    const port = this.ports[channel]!;
    const state = this.channels[channel]!;
    if (port.access === PIT_ACCESS.LOW_BYTE) state.load(byte);
    else if (port.access === PIT_ACCESS.HIGH_BYTE) state.load(byte << 8);
    else if (!port.writeHighNext) {
      port.pendingLow = byte;
      port.writeHighNext = true;
    } else {
      port.writeHighNext = false;
      state.load(port.pendingLow | (byte << 8));
    }
  }

  private readSystemControl(): number {
    const ticks = pitTicksIn(this.clock.now(), this.clock.frequencyHz);
    const refresh = Math.floor(ticks / REFRESH_PERIOD_TICKS) % 2 === 1 ? SYSTEM_CONTROL_B.REFRESH_TOGGLE : 0;
    const out2 = this.channels[2]!.out() ? SYSTEM_CONTROL_B.TIMER2_OUT : 0;
    return this.systemControl | refresh | out2;
  }

  private writeSystemControl(byte: number): void {
    this.systemControl = byte & SYSTEM_CONTROL_B.WRITABLE;
    this.channels[2]!.setGate((byte & SYSTEM_CONTROL_B.TIMER2_GATE) !== 0);
  }
}
