/**
 * PC keyboard scancode set 1 (the set an 8042 with translation enabled
 * delivers; IBM PC/AT Technical Reference, keyboard scan codes): key names
 * to make codes, and text characters to key + shift.
 *
 * Encoding: a make code below 0x80 is one byte; extended keys carry
 * {@link EXTENDED} and are sent as 0xE0 followed by the low byte. The break
 * code is the make code with bit 7 set (after the same 0xE0 prefix).
 *
 * Key names are `KeyboardEvent.code`-style ("KeyA", "Digit1", "Enter",
 * "ArrowUp", "ShiftLeft"), plus single unshifted characters ("a", "1", "-")
 * and the aliases "Shift", "Control", "Alt" and "Space" for convenience.
 * Pause and PrintScreen (multi-code sequences) are not in the table.
 */

/** Flag marking an E0-prefixed extended key in {@link scancodeOf} results. */
export const EXTENDED = 0x100;
/** The extended-key prefix byte. */
export const EXTENDED_PREFIX = 0xe0;
/** Bit 7 turns a make code into its break code. */
export const BREAK_BIT = 0x80;

const LETTERS = "qwertyuiop|asdfghjkl|zxcvbnm";
const LETTER_ROW_STARTS = [0x10, 0x1e, 0x2c];

const NAMED: Record<string, number> = {
  Escape: 0x01,
  Minus: 0x0c,
  Equal: 0x0d,
  Backspace: 0x0e,
  Tab: 0x0f,
  BracketLeft: 0x1a,
  BracketRight: 0x1b,
  Enter: 0x1c,
  ControlLeft: 0x1d,
  Control: 0x1d,
  Semicolon: 0x27,
  Quote: 0x28,
  Backquote: 0x29,
  ShiftLeft: 0x2a,
  Shift: 0x2a,
  Backslash: 0x2b,
  Comma: 0x33,
  Period: 0x34,
  Slash: 0x35,
  ShiftRight: 0x36,
  NumpadMultiply: 0x37,
  AltLeft: 0x38,
  Alt: 0x38,
  Space: 0x39,
  CapsLock: 0x3a,
  NumLock: 0x45,
  ScrollLock: 0x46,
  Numpad7: 0x47,
  Numpad8: 0x48,
  Numpad9: 0x49,
  NumpadSubtract: 0x4a,
  Numpad4: 0x4b,
  Numpad5: 0x4c,
  Numpad6: 0x4d,
  NumpadAdd: 0x4e,
  Numpad1: 0x4f,
  Numpad2: 0x50,
  Numpad3: 0x51,
  Numpad0: 0x52,
  NumpadDecimal: 0x53,
  F11: 0x57,
  F12: 0x58,
  NumpadEnter: EXTENDED | 0x1c,
  ControlRight: EXTENDED | 0x1d,
  NumpadDivide: EXTENDED | 0x35,
  AltRight: EXTENDED | 0x38,
  Home: EXTENDED | 0x47,
  ArrowUp: EXTENDED | 0x48,
  PageUp: EXTENDED | 0x49,
  ArrowLeft: EXTENDED | 0x4b,
  ArrowRight: EXTENDED | 0x4d,
  End: EXTENDED | 0x4f,
  ArrowDown: EXTENDED | 0x50,
  PageDown: EXTENDED | 0x51,
  Insert: EXTENDED | 0x52,
  Delete: EXTENDED | 0x53,
  MetaLeft: EXTENDED | 0x5b,
  MetaRight: EXTENDED | 0x5c,
  ContextMenu: EXTENDED | 0x5d,
};

/** Unshifted characters of the US layout → key names. */
const CHARACTER_KEYS: Record<string, string> = {
  "-": "Minus",
  "=": "Equal",
  "[": "BracketLeft",
  "]": "BracketRight",
  ";": "Semicolon",
  "'": "Quote",
  "`": "Backquote",
  "\\": "Backslash",
  ",": "Comma",
  ".": "Period",
  "/": "Slash",
  " ": "Space",
  "\n": "Enter",
  "\t": "Tab",
  "\b": "Backspace",
};

/** Shifted characters of the US layout → the unshifted character on the same key. */
const SHIFTED: Record<string, string> = {
  "!": "1",
  "@": "2",
  "#": "3",
  $: "4",
  "%": "5",
  "^": "6",
  "&": "7",
  "*": "8",
  "(": "9",
  ")": "0",
  _: "-",
  "+": "=",
  "{": "[",
  "}": "]",
  ":": ";",
  '"': "'",
  "~": "`",
  "|": "\\",
  "<": ",",
  ">": ".",
  "?": "/",
};

function buildTable(): Map<string, number> {
  const table = new Map<string, number>(Object.entries(NAMED));
  LETTERS.split("|").forEach((row, rowIndex) => {
    for (let column = 0; column < row.length; column++) {
      const letter = row[column]!;
      const code = LETTER_ROW_STARTS[rowIndex]! + column;
      table.set(letter, code);
      table.set(`Key${letter.toUpperCase()}`, code);
    }
  });
  for (let digit = 1; digit <= 10; digit++) {
    const name = String(digit % 10);
    table.set(name, digit + 1);
    table.set(`Digit${name}`, digit + 1);
  }
  for (let index = 1; index <= 10; index++) table.set(`F${index}`, 0x3a + index);
  for (const [character, key] of Object.entries(CHARACTER_KEYS)) table.set(character, table.get(key)!);
  return table;
}

const TABLE = buildTable();

/** The make code of `key` (with {@link EXTENDED} for E0 keys), or -1 for an unknown key. */
export function scancodeOf(key: string): number {
  return TABLE.get(key) ?? -1;
}

/** How to type one character: the key's make code and whether Shift is held; `undefined` if not typeable. */
export function keystrokeOf(
  character: string,
): { readonly code: number; readonly shift: boolean } | undefined {
  const direct = TABLE.get(character);
  if (direct !== undefined && character.length === 1) return { code: direct, shift: false };
  const lower = character.toLowerCase();
  if (lower !== character && lower.length === 1 && TABLE.has(lower))
    return { code: TABLE.get(lower)!, shift: true };
  const base = SHIFTED[character];
  if (base !== undefined) return { code: TABLE.get(base)!, shift: true };
  return undefined;
}
