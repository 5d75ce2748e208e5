/**
 * The 8042 keyboard controller on ports 0x60 (data) and 0x64 (status /
 * command), with a {@link Ps2Device} (the keyboard) on its first port and
 * IRQ 1 (IBM PC/AT Technical Reference, "Keyboard Controller").
 *
 * Scheme: one output-buffer byte. It is filled, whenever it is empty, first
 * from controller responses, then from the keyboard (unless the keyboard
 * port is disabled by command 0xAD / config bit 4). Status bit 0 (OBF) shows
 * it is full; IRQ 1 is high while OBF is set and config bit 0 enables it, so
 * every byte is a fresh rising edge (the line drops when port 0x60 is read).
 * Input is processed at once, so IBF (status bit 1) always reads 0.
 *
 * Commands: 0x20–0x3F read controller RAM (0x20 = configuration byte),
 * 0x60–0x7F write it, 0xAA self-test (→ 0x55, sets the system flag), 0xAB
 * keyboard interface test (→ 0x00), 0xAD / 0xAE disable / enable the
 * keyboard port, 0xD0 / 0xD1 read / write the output port (bit 0 low = system
 * reset, bit 1 = A20), 0xD2 write the output buffer as if from the keyboard,
 * 0xF0–0xFF pulse output lines (bit 0 clear = system reset). There is no
 * auxiliary (mouse) port: 0xA7 / 0xA8 leave config bit 5 set, 0xA9 answers
 * 0x01 (clock line stuck low), 0xD3 / 0xD4 data is dropped; these and
 * unknown commands are counted. The translation bit (config bit 6) is stored,
 * but the keyboard always produces set 1 (translated) codes.
 */

import type { IrqLine } from "../../interfaces/irq-line";
import { BytePortDevice } from "./byte-port-device";
import type { Ps2Device } from "./ps2-keyboard";
import { createAccessCounters, type DeviceAccessCounters } from "./register-table";

/** Controller ports. */
export const I8042_PORT = {
  /** Data port: reads the output buffer, writes go to the keyboard or a command's parameter. */
  DATA: 0x60,
  /** Reads the status register, writes a controller command. */
  STATUS_COMMAND: 0x64,
} as const;

/** Status register bits (read from port 0x64). */
export const I8042_STATUS = {
  OUTPUT_FULL: 1 << 0,
  INPUT_FULL: 1 << 1,
  SYSTEM_FLAG: 1 << 2,
  /** Last write was to port 0x64 (a command). */
  LAST_WRITE_COMMAND: 1 << 3,
  /** Keyboard not inhibited (keylock open). */
  UNLOCKED: 1 << 4,
  AUX_OUTPUT_FULL: 1 << 5,
} as const;

/** Configuration byte bits (controller RAM byte 0). */
export const I8042_CONFIG = {
  KEYBOARD_INTERRUPT: 1 << 0,
  AUX_INTERRUPT: 1 << 1,
  SYSTEM_FLAG: 1 << 2,
  KEYBOARD_DISABLED: 1 << 4,
  AUX_DISABLED: 1 << 5,
  TRANSLATION: 1 << 6,
  /** After firmware: keyboard interrupt on, system flag, no aux port, translation. */
  DEFAULT: (1 << 0) | (1 << 2) | (1 << 5) | (1 << 6),
} as const;

/** Controller commands (written to port 0x64). */
export const I8042_COMMAND = {
  READ_RAM_FIRST: 0x20,
  READ_RAM_LAST: 0x3f,
  WRITE_RAM_FIRST: 0x60,
  WRITE_RAM_LAST: 0x7f,
  DISABLE_AUX: 0xa7,
  ENABLE_AUX: 0xa8,
  TEST_AUX: 0xa9,
  SELF_TEST: 0xaa,
  TEST_KEYBOARD: 0xab,
  DISABLE_KEYBOARD: 0xad,
  ENABLE_KEYBOARD: 0xae,
  READ_OUTPUT_PORT: 0xd0,
  WRITE_OUTPUT_PORT: 0xd1,
  WRITE_KEYBOARD_OUTPUT: 0xd2,
  WRITE_AUX_OUTPUT: 0xd3,
  WRITE_AUX: 0xd4,
  PULSE_FIRST: 0xf0,
} as const;

/** Controller responses. */
export const I8042_RESPONSE = { SELF_TEST_PASSED: 0x55, INTERFACE_OK: 0x00, CLOCK_STUCK_LOW: 0x01 } as const;

/** Output port bits (command 0xD0 / 0xD1). */
export const I8042_OUTPUT_PORT = { RESET_INACTIVE: 1 << 0, A20: 1 << 1, DEFAULT: 0x03 } as const;

const RAM_BYTES = 32;
const NONE = -1;

/** Construction parameters of an {@link I8042}. */
export interface I8042Options {
  /** The device on the first port (the keyboard). */
  readonly keyboard: Ps2Device;
  /** IRQ 1. */
  readonly irq: IrqLine;
  /** Called when software asks for a system reset (output port bit 0 low, or command 0xFE). */
  readonly onSystemReset?: () => void;
}

/** The 8042; see the file header. */
export class I8042 extends BytePortDevice {
  /** Ignored accesses (ports other than 0x60 and 0x64). */
  readonly counters: DeviceAccessCounters = createAccessCounters();
  /** Commands for the absent aux port, and unknown commands. */
  unsupportedCommands = 0;
  /** System reset requests seen. */
  resetRequests = 0;
  private readonly keyboard: Ps2Device;
  private readonly irq: IrqLine;
  private readonly onSystemReset: (() => void) | undefined;
  private readonly ram = new Uint8Array(RAM_BYTES);
  private outputByte = 0;
  private outputFull = false;
  private response = NONE;
  private pendingCommand = NONE;
  private lastWriteCommand = false;
  private systemFlag = true;
  private outputPort: number = I8042_OUTPUT_PORT.DEFAULT;
  private irqHigh = false;

  constructor(options: I8042Options) {
    super();
    this.keyboard = options.keyboard;
    this.irq = options.irq;
    this.onSystemReset = options.onSystemReset;
    this.ram[0] = I8042_CONFIG.DEFAULT;
    this.keyboard.setOutputListener(() => this.refill());
  }

  /** The configuration byte. */
  get config(): number {
    return this.ram[0]!;
  }

  /** The A20 gate as last written through the output port. */
  get a20Enabled(): boolean {
    return (this.outputPort & I8042_OUTPUT_PORT.A20) !== 0;
  }

  override in8(port: number): number {
    if (port === I8042_PORT.DATA) return this.readData();
    if (port === I8042_PORT.STATUS_COMMAND) return this.readStatus();
    this.counters.unknownReads++;
    return 0xff;
  }

  override out8(port: number, value: number): void {
    const byte = value & 0xff;
    if (port === I8042_PORT.DATA) this.writeData(byte);
    else if (port === I8042_PORT.STATUS_COMMAND) this.writeCommand(byte);
    else this.counters.unknownWrites++;
  }

  private readStatus(): number {
    return (
      (this.outputFull ? I8042_STATUS.OUTPUT_FULL : 0) |
      (this.systemFlag ? I8042_STATUS.SYSTEM_FLAG : 0) |
      (this.lastWriteCommand ? I8042_STATUS.LAST_WRITE_COMMAND : 0) |
      I8042_STATUS.UNLOCKED
    );
  }

  /** Port 0x60 read: takes the output byte (a stale byte when empty, as hardware returns). */
  private readData(): number {
    const byte = this.outputByte;
    this.outputFull = false;
    this.updateIrq();
    this.refill();
    return byte;
  }

  private writeData(byte: number): void {
    this.lastWriteCommand = false;
    const command = this.pendingCommand;
    this.pendingCommand = NONE;
    if (command === NONE) {
      this.keyboard.writeByte(byte);
    } else if (command >= I8042_COMMAND.WRITE_RAM_FIRST && command <= I8042_COMMAND.WRITE_RAM_LAST) {
      this.writeRam(command - I8042_COMMAND.WRITE_RAM_FIRST, byte);
    } else if (command === I8042_COMMAND.WRITE_OUTPUT_PORT) {
      this.outputPort = byte;
      if ((byte & I8042_OUTPUT_PORT.RESET_INACTIVE) === 0) this.requestReset();
    } else if (command === I8042_COMMAND.WRITE_KEYBOARD_OUTPUT) {
      this.respond(byte);
    }
    // WRITE_AUX_OUTPUT / WRITE_AUX: there is no aux device; the byte is dropped (counted at the command).
  }

  private writeCommand(command: number): void {
    this.lastWriteCommand = true;
    this.pendingCommand = NONE;
    if (command >= I8042_COMMAND.READ_RAM_FIRST && command <= I8042_COMMAND.READ_RAM_LAST) {
      this.respond(this.ram[command - I8042_COMMAND.READ_RAM_FIRST]!);
    } else if (command >= I8042_COMMAND.WRITE_RAM_FIRST && command <= I8042_COMMAND.WRITE_RAM_LAST) {
      this.pendingCommand = command;
    } else if (command >= I8042_COMMAND.PULSE_FIRST) {
      if ((command & 1) === 0) this.requestReset();
    } else {
      this.runCommand(command);
    }
  }

  private runCommand(command: number): void {
    switch (command) {
      case I8042_COMMAND.SELF_TEST:
        this.systemFlag = true;
        this.writeRam(0, this.ram[0]! | I8042_CONFIG.SYSTEM_FLAG);
        this.respond(I8042_RESPONSE.SELF_TEST_PASSED);
        return;
      case I8042_COMMAND.TEST_KEYBOARD:
        this.respond(I8042_RESPONSE.INTERFACE_OK);
        return;
      case I8042_COMMAND.DISABLE_KEYBOARD:
        this.writeRam(0, this.ram[0]! | I8042_CONFIG.KEYBOARD_DISABLED);
        return;
      case I8042_COMMAND.ENABLE_KEYBOARD:
        this.writeRam(0, this.ram[0]! & ~I8042_CONFIG.KEYBOARD_DISABLED);
        return;
      case I8042_COMMAND.READ_OUTPUT_PORT:
        this.respond(this.outputPort);
        return;
      case I8042_COMMAND.WRITE_OUTPUT_PORT:
      case I8042_COMMAND.WRITE_KEYBOARD_OUTPUT:
        this.pendingCommand = command;
        return;
      case I8042_COMMAND.TEST_AUX:
        this.unsupportedCommands++;
        this.respond(I8042_RESPONSE.CLOCK_STUCK_LOW);
        return;
      case I8042_COMMAND.WRITE_AUX_OUTPUT:
      case I8042_COMMAND.WRITE_AUX:
        this.pendingCommand = command;
        this.unsupportedCommands++;
        return;
      default:
        this.unsupportedCommands++; // includes 0xA7 / 0xA8: no aux port
    }
  }

  private writeRam(index: number, byte: number): void {
    if (index === 0) {
      byte |= I8042_CONFIG.AUX_DISABLED; // no aux port: the bit stays set
      this.systemFlag = (byte & I8042_CONFIG.SYSTEM_FLAG) !== 0;
    }
    this.ram[index] = byte;
    if (index === 0) {
      this.updateIrq();
      this.refill();
    }
  }

  private requestReset(): void {
    this.resetRequests++;
    this.onSystemReset?.();
  }

  /** Queues a controller response ahead of keyboard bytes. */
  private respond(byte: number): void {
    this.response = byte;
    this.refill();
  }

  /** Moves the next byte into an empty output buffer and raises IRQ 1 when enabled. */
  private refill(): void {
    if (this.outputFull) return;
    if (this.response !== NONE) {
      this.outputByte = this.response;
      this.response = NONE;
    } else if ((this.ram[0]! & I8042_CONFIG.KEYBOARD_DISABLED) === 0 && this.keyboard.hasOutput()) {
      this.outputByte = this.keyboard.takeOutput();
    } else {
      return;
    }
    this.outputFull = true;
    this.updateIrq();
  }

  private updateIrq(): void {
    const high = this.outputFull && (this.ram[0]! & I8042_CONFIG.KEYBOARD_INTERRUPT) !== 0;
    if (high === this.irqHigh) return;
    this.irqHigh = high;
    if (high) this.irq.raise();
    else this.irq.lower();
  }
}
