/**
 * Scancode set 1 (what an 8042 with translation delivers; IBM PC/AT
 * Technical Reference) to the bytes a Linux console sends for each key, on
 * a US layout: printable characters with Shift and Caps Lock, Ctrl+key as
 * the control character (Ctrl+C → 0x03), Alt+key as ESC then the key
 * (meta), Enter as CR, Backspace as DEL (0x7F, the default VERASE), and
 * the Linux console's escape sequences for the arrows (ESC [ A–D), Home,
 * Insert, Delete, End, Page Up and Page Down (ESC [ 1~ … 6~).
 *
 * Break codes (bit 7) release keys; 0xE0 prefixes an extended key. Keys
 * with no character (F1–F12, Num Lock, the Windows keys) produce nothing
 * and are counted.
 */

const ESC = 0x1b;
const EXTENDED_PREFIX = 0xe0;
const BREAK_BIT = 0x80;

/** Make codes of the modifier keys. */
const CODE = {
  LEFT_SHIFT: 0x2a,
  RIGHT_SHIFT: 0x36,
  CONTROL: 0x1d,
  ALT: 0x38,
  CAPS_LOCK: 0x3a,
  ENTER: 0x1c,
  BACKSPACE: 0x0e,
  TAB: 0x0f,
  ESCAPE: 0x01,
  SPACE: 0x39,
  KEYPAD_SLASH: 0x35,
} as const;

/** US rows: the make code of each row's first key, its characters, and shifted. */
const ROWS: readonly (readonly [number, string, string])[] = [
  [0x02, "1234567890-=", "!@#$%^&*()_+"],
  [0x10, "qwertyuiop[]", "QWERTYUIOP{}"],
  [0x1e, "asdfghjkl;'`", 'ASDFGHJKL:"~'],
  [0x2b, "\\zxcvbnm,./", "|ZXCVBNM<>?"],
];

/** Extended keys → the Linux console's sequence (after ESC). */
const EXTENDED_KEYS: Readonly<Record<number, string>> = {
  72: "[A",
  80: "[B",
  77: "[C",
  75: "[D",
  71: "[1~",
  82: "[2~",
  83: "[3~",
  79: "[4~",
  73: "[5~",
  81: "[6~",
};

function buildTable(): { plain: Int16Array; shifted: Int16Array } {
  const plain = new Int16Array(128).fill(-1);
  const shifted = new Int16Array(128).fill(-1);
  for (const [first, normal, withShift] of ROWS) {
    for (let index = 0; index < normal.length; index++) {
      plain[first + index] = normal.charCodeAt(index);
      shifted[first + index] = withShift.charCodeAt(index);
    }
  }
  const same = (code: number, byte: number) => {
    plain[code] = byte;
    shifted[code] = byte;
  };
  same(CODE.SPACE, 0x20);
  same(CODE.TAB, 0x09);
  same(CODE.ENTER, 0x0d);
  same(CODE.BACKSPACE, 0x7f);
  same(CODE.ESCAPE, ESC);
  return { plain, shifted };
}

const TABLE = buildTable();

/** Turns scancode bytes into terminal input bytes. */
export class ScancodeDecoder {
  /** Keys that produce no byte (function keys …), counted. */
  ignoredKeys = 0;
  private extended = false;
  private shift = 0;
  private control = false;
  private alt = false;
  private capsLock = false;

  constructor(private readonly emit: (bytes: readonly number[]) => void) {}

  /** One byte from the controller. */
  feed(byte: number): void {
    if (byte === EXTENDED_PREFIX) {
      this.extended = true;
      return;
    }
    const extended = this.extended;
    this.extended = false;
    const release = (byte & BREAK_BIT) !== 0;
    const code = byte & 0x7f;
    if (code === CODE.LEFT_SHIFT || code === CODE.RIGHT_SHIFT) {
      if (extended) return; // the fake shifts some keyboards wrap around extended keys
      const bit = code === CODE.LEFT_SHIFT ? 1 : 2;
      this.shift = release ? this.shift & ~bit : this.shift | bit;
      return;
    }
    if (code === CODE.CONTROL) {
      this.control = !release;
      return;
    }
    if (code === CODE.ALT) {
      this.alt = !release;
      return;
    }
    if (release) return;
    if (code === CODE.CAPS_LOCK && !extended) {
      this.capsLock = !this.capsLock;
      return;
    }
    if (extended) {
      if (code === CODE.ENTER || code === CODE.KEYPAD_SLASH) {
        this.emit([code === CODE.ENTER ? 0x0d : 0x2f]);
        return;
      }
      const sequence = EXTENDED_KEYS[code];
      if (sequence === undefined) {
        this.ignoredKeys++;
        return;
      }
      this.emit([ESC, ...Array.from(sequence, (character) => character.charCodeAt(0))]);
      return;
    }
    let value = (this.shift !== 0 ? TABLE.shifted : TABLE.plain)[code]!;
    if (value < 0) {
      this.ignoredKeys++;
      return;
    }
    const letter = (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7a;
    if (this.capsLock && letter) value ^= 0x20;
    if (this.control) {
      if (letter || (value >= 0x40 && value <= 0x5f)) value &= 0x1f;
      else if (value === 0x20 || value === 0x32)
        value = 0; // Ctrl+Space, Ctrl+2: NUL
      else if (value === 0x2f) value = 0x1f; // Ctrl+/
    }
    this.emit(this.alt ? [ESC, value] : [value]);
  }
}
