/**
 * The keyboard driver: programs an 8042 controller with a PS/2 keyboard
 * (ports 0x60/0x64, IBM PC/AT Technical Reference) through `PortIo`, and
 * turns the scancodes its IRQ 1 brings into terminal input bytes
 * ({@link ScancodeDecoder}).
 *
 * Initialisation (as Linux's i8042 and atkbd drivers do it, minus the
 * mouse): disable both ports, drain the output buffer, self-test the
 * controller (0xAA → 0x55), set the configuration byte (keyboard
 * interrupt on, translation to set 1 on, keyboard clock enabled), enable
 * the keyboard port, reset the keyboard (0xFF → ACK, 0xAA) and enable
 * scanning (0xF4 → ACK). Every wait for a byte is bounded.
 */
import type { PortIo } from "@tsos/hw-x86";
import { ScancodeDecoder } from "./scancode-decoder";

const DATA = 0x60;
const STATUS = 0x64;
const OUTPUT_FULL = 0x01;
const INPUT_FULL = 0x02;
const COMMAND = {
  READ_CONFIG: 0x20,
  WRITE_CONFIG: 0x60,
  DISABLE_AUX: 0xa7,
  SELF_TEST: 0xaa,
  DISABLE_KEYBOARD: 0xad,
  ENABLE_KEYBOARD: 0xae,
} as const;
const CONFIG = { KEYBOARD_INTERRUPT: 0x01, AUX_INTERRUPT: 0x02, KEYBOARD_DISABLED: 0x10, TRANSLATION: 0x40 };
const KEYBOARD = { RESET: 0xff, ENABLE_SCANNING: 0xf4, ACK: 0xfa, SELF_TEST_PASSED: 0xaa } as const;
const SELF_TEST_PASSED = 0x55;
/** Status polls before a wait gives up. */
const POLLS = 10_000;
/** Bytes drained at most while flushing. */
const FLUSH_LIMIT = 64;

/** How initialisation went. */
export type KeyboardInitResult = { ok: true } | { ok: false; error: string };

/** The PS/2 keyboard behind an 8042. */
export class I8042Keyboard {
  /** Scancode bytes taken from the controller. */
  bytesReceived = 0;
  private readonly decoder: ScancodeDecoder;

  constructor(
    private readonly ports: PortIo,
    emit: (bytes: readonly number[]) => void,
  ) {
    this.decoder = new ScancodeDecoder(emit);
  }

  /** Keys that produced no byte. */
  get ignoredKeys(): number {
    return this.decoder.ignoredKeys;
  }

  /** Brings the controller and the keyboard up; IRQ 1 fires for each key afterwards. */
  initialise(): KeyboardInitResult {
    this.command(COMMAND.DISABLE_KEYBOARD);
    this.command(COMMAND.DISABLE_AUX);
    for (let index = 0; index < FLUSH_LIMIT && (this.ports.in8(STATUS) & OUTPUT_FULL) !== 0; index++)
      this.ports.in8(DATA);
    this.command(COMMAND.SELF_TEST);
    const test = this.readByte();
    if (test !== SELF_TEST_PASSED)
      return { ok: false, error: `8042 self-test answered ${describe(test)}, not 0x55` };
    this.command(COMMAND.READ_CONFIG);
    const config = this.readByte();
    if (config < 0) return { ok: false, error: "8042 did not answer the configuration read" };
    const wanted =
      (config | CONFIG.KEYBOARD_INTERRUPT | CONFIG.TRANSLATION) &
      ~CONFIG.KEYBOARD_DISABLED &
      ~CONFIG.AUX_INTERRUPT &
      0xff;
    this.command(COMMAND.WRITE_CONFIG);
    this.writeData(wanted);
    this.command(COMMAND.ENABLE_KEYBOARD);
    this.writeData(KEYBOARD.RESET);
    const ack = this.readByte();
    const passed = this.readByte();
    if (ack !== KEYBOARD.ACK || passed !== KEYBOARD.SELF_TEST_PASSED)
      return { ok: false, error: `keyboard reset answered ${describe(ack)} ${describe(passed)}` };
    this.writeData(KEYBOARD.ENABLE_SCANNING);
    const enabled = this.readByte();
    if (enabled !== KEYBOARD.ACK)
      return { ok: false, error: `keyboard enable answered ${describe(enabled)}` };
    return { ok: true };
  }

  /** IRQ 1: every byte the controller holds goes through the decoder. */
  interrupt(): void {
    for (let index = 0; index < FLUSH_LIMIT && (this.ports.in8(STATUS) & OUTPUT_FULL) !== 0; index++) {
      this.bytesReceived++;
      this.decoder.feed(this.ports.in8(DATA));
    }
  }

  private waitWritable(): void {
    for (let poll = 0; poll < POLLS && (this.ports.in8(STATUS) & INPUT_FULL) !== 0; poll++);
  }

  private command(byte: number): void {
    this.waitWritable();
    this.ports.out8(STATUS, byte);
  }

  private writeData(byte: number): void {
    this.waitWritable();
    this.ports.out8(DATA, byte);
  }

  /** The next output byte, or -1 when none came. */
  private readByte(): number {
    for (let poll = 0; poll < POLLS; poll++)
      if ((this.ports.in8(STATUS) & OUTPUT_FULL) !== 0) return this.ports.in8(DATA);
    return -1;
  }
}

function describe(byte: number): string {
  return byte < 0 ? "nothing" : `0x${byte.toString(16)}`;
}
