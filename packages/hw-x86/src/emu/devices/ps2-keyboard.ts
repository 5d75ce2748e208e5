/**
 * A PS/2 (MF2) keyboard on the first port of an 8042: answers the host's
 * keyboard commands and turns host-injected key events into scancode set 1
 * bytes (see `scancode-set1.ts`).
 *
 * Commands (IBM PS/2 keyboard reference): 0xED set LEDs (+1 parameter),
 * 0xEE echo, 0xF2 identify (ACK, 0xAB, 0x41: an MF2 keyboard behind a
 * translating controller), 0xF3 typematic rate (+1 parameter, stored; key
 * repeat is the host's business), 0xF4 enable scanning, 0xF5 disable
 * scanning and restore defaults, 0xF6 restore defaults, 0xFE resend, 0xFF
 * reset (ACK, then 0xAA self-test passed). Anything else, including 0xF0
 * (scancode set selection: only set 1 output exists), is answered with
 * 0xFE (resend), as a keyboard does for a command it rejects.
 *
 * Output: bytes wait in a FIFO until the controller takes them, one at a
 * time. Real keyboards buffer 16 bytes; this one buffers
 * {@link KEYBOARD_BUFFER_BYTES} so a host can type a whole line at once. A key
 * event that does not fit is dropped whole and counted. Key events while
 * scanning is disabled are dropped and counted.
 */
import { BREAK_BIT, EXTENDED, EXTENDED_PREFIX, keystrokeOf, scancodeOf } from "./scancode-set1";

/** What an 8042 port sees of the device plugged into it. */
export interface Ps2Device {
  /** A byte from the controller to the device (command or parameter). */
  writeByte(byte: number): void;
  /** True if the device has a byte for the controller. */
  hasOutput(): boolean;
  /** Takes the next byte for the controller (call only when {@link Ps2Device.hasOutput}). */
  takeOutput(): number;
  /** Registers the callback the device calls when output becomes available. */
  setOutputListener(listener: () => void): void;
}

/** Keyboard command bytes and responses (IBM PS/2 keyboard reference). */
export const KEYBOARD_COMMAND = {
  SET_LEDS: 0xed,
  ECHO: 0xee,
  SCANCODE_SET: 0xf0,
  IDENTIFY: 0xf2,
  SET_TYPEMATIC: 0xf3,
  ENABLE_SCANNING: 0xf4,
  DISABLE_SCANNING: 0xf5,
  SET_DEFAULTS: 0xf6,
  RESEND: 0xfe,
  RESET: 0xff,
} as const;

/** Bytes a keyboard sends back. */
export const KEYBOARD_RESPONSE = {
  ACK: 0xfa,
  SELF_TEST_PASSED: 0xaa,
  RESEND: 0xfe,
  ECHO: 0xee,
  /** Identify response: MF2 keyboard, translated. */
  ID_FIRST: 0xab,
  ID_SECOND_TRANSLATED: 0x41,
} as const;

/** Output FIFO size in bytes. */
export const KEYBOARD_BUFFER_BYTES = 4096;
const DEFAULT_TYPEMATIC = 0x2b;
const NO_PARAMETER = -1;
const LED_MASK = 0x07;
/** Typematic byte: bits 6:5 delay, 4:0 rate; bit 7 must be 0. */
const TYPEMATIC_MASK = 0x7f;
/** The make code proper, without the extended flag or break bit. */
const MAKE_CODE_MASK = 0x7f;
const SHIFT_CODE = scancodeOf("ShiftLeft");

/** Counters of dropped input. */
export interface KeyboardStats {
  /** Key events dropped because scanning was disabled. */
  droppedWhileDisabled: number;
  /** Key events dropped because the output FIFO was full. */
  droppedOverflow: number;
}

/** The keyboard; see the file header. */
export class Ps2Keyboard implements Ps2Device {
  /** LED state from the last 0xED: bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock. */
  leds = 0;
  /** Typematic byte from the last 0xF3. */
  typematic = DEFAULT_TYPEMATIC;
  /** Whether key events produce scancodes (0xF4 / 0xF5; on after reset). */
  scanning = true;
  /** Counters of dropped key events. */
  readonly stats: KeyboardStats = { droppedWhileDisabled: 0, droppedOverflow: 0 };
  private readonly buffer = new Uint8Array(KEYBOARD_BUFFER_BYTES);
  private head = 0;
  private count = 0;
  private lastSent = KEYBOARD_RESPONSE.SELF_TEST_PASSED as number;
  private awaitingParameterFor = NO_PARAMETER;
  private listener: () => void = () => {};

  // ---- host side -----------------------------------------------------------------

  /** Presses `key` (see `scancode-set1.ts` for names). Returns `false` for an unknown key or a dropped event. */
  pressKey(key: string): boolean {
    const code = scancodeOf(key);
    return code >= 0 && this.sendKey(code, false);
  }

  /** Releases `key`. Returns `false` for an unknown key or a dropped event. */
  releaseKey(key: string): boolean {
    const code = scancodeOf(key);
    return code >= 0 && this.sendKey(code, true);
  }

  /** Types `text` on a US layout (press/release, with Shift where needed). Returns the characters typed. */
  typeText(text: string): number {
    let typed = 0;
    for (const character of text) {
      const stroke = keystrokeOf(character);
      if (stroke === undefined) continue;
      if (stroke.shift && !this.sendKey(SHIFT_CODE, false)) break;
      const ok = this.sendKey(stroke.code, false) && this.sendKey(stroke.code, true);
      if (stroke.shift) this.sendKey(SHIFT_CODE, true);
      if (!ok) break;
      typed++;
    }
    return typed;
  }

  // ---- Ps2Device ----------------------------------------------------------------

  hasOutput(): boolean {
    return this.count > 0;
  }

  takeOutput(): number {
    const byte = this.buffer[this.head]!;
    this.head = (this.head + 1) % KEYBOARD_BUFFER_BYTES;
    this.count--;
    this.lastSent = byte;
    return byte;
  }

  setOutputListener(listener: () => void): void {
    this.listener = listener;
  }

  writeByte(byte: number): void {
    if (this.awaitingParameterFor !== NO_PARAMETER) {
      this.applyParameter(this.awaitingParameterFor, byte);
      this.awaitingParameterFor = NO_PARAMETER;
    } else {
      this.runCommand(byte);
    }
    this.listener();
  }

  private runCommand(command: number): void {
    switch (command) {
      case KEYBOARD_COMMAND.SET_LEDS:
      case KEYBOARD_COMMAND.SET_TYPEMATIC:
        this.awaitingParameterFor = command;
        this.queue(KEYBOARD_RESPONSE.ACK);
        return;
      case KEYBOARD_COMMAND.ECHO:
        this.queue(KEYBOARD_RESPONSE.ECHO);
        return;
      case KEYBOARD_COMMAND.IDENTIFY:
        this.queue(KEYBOARD_RESPONSE.ACK);
        this.queue(KEYBOARD_RESPONSE.ID_FIRST);
        this.queue(KEYBOARD_RESPONSE.ID_SECOND_TRANSLATED);
        return;
      case KEYBOARD_COMMAND.ENABLE_SCANNING:
        this.scanning = true;
        this.queue(KEYBOARD_RESPONSE.ACK);
        return;
      case KEYBOARD_COMMAND.DISABLE_SCANNING:
        this.scanning = false;
        this.restoreDefaults();
        this.queue(KEYBOARD_RESPONSE.ACK);
        return;
      case KEYBOARD_COMMAND.SET_DEFAULTS:
        this.restoreDefaults();
        this.queue(KEYBOARD_RESPONSE.ACK);
        return;
      case KEYBOARD_COMMAND.RESEND:
        this.queue(this.lastSent);
        return;
      case KEYBOARD_COMMAND.RESET:
        this.head = 0;
        this.count = 0;
        this.leds = 0;
        this.scanning = true;
        this.restoreDefaults();
        this.queue(KEYBOARD_RESPONSE.ACK);
        this.queue(KEYBOARD_RESPONSE.SELF_TEST_PASSED);
        return;
      default:
        this.queue(KEYBOARD_RESPONSE.RESEND);
    }
  }

  private applyParameter(command: number, parameter: number): void {
    if (command === KEYBOARD_COMMAND.SET_LEDS) this.leds = parameter & LED_MASK;
    else this.typematic = parameter & TYPEMATIC_MASK;
    this.queue(KEYBOARD_RESPONSE.ACK);
  }

  private restoreDefaults(): void {
    this.typematic = DEFAULT_TYPEMATIC;
  }

  private sendKey(code: number, release: boolean): boolean {
    if (!this.scanning) {
      this.stats.droppedWhileDisabled++;
      return false;
    }
    const extended = (code & EXTENDED) !== 0;
    if (this.count + (extended ? 2 : 1) > KEYBOARD_BUFFER_BYTES) {
      this.stats.droppedOverflow++;
      return false;
    }
    if (extended) this.queue(EXTENDED_PREFIX);
    this.queue((code & MAKE_CODE_MASK) | (release ? BREAK_BIT : 0));
    this.listener();
    return true;
  }

  private queue(byte: number): void {
    if (this.count >= KEYBOARD_BUFFER_BYTES) return;
    this.buffer[(this.head + this.count) % KEYBOARD_BUFFER_BYTES] = byte;
    this.count++;
  }
}
