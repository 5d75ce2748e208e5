import { Machine } from "@tsos/hw-x86/emu";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { I8042Keyboard } from "./i8042-keyboard";
import { ScancodeDecoder } from "./scancode-decoder";

function decoder() {
  const out: number[] = [];
  const decode = new ScancodeDecoder((bytes) => out.push(...bytes));
  const feed = (...bytes: number[]) => {
    for (const byte of bytes) decode.feed(byte);
  };
  return { decode, feed, text: () => Buffer.from(out).toString("latin1"), out };
}

describe("ScancodeDecoder (set 1, US layout)", () => {
  it("letters, Shift, Caps Lock, Enter as CR and Backspace as DEL", () => {
    const d = decoder();
    d.feed(0x1e, 0x9e); // a
    d.feed(0x2a, 0x1e, 0x9e, 0xaa); // Shift+a
    d.feed(0x3a, 0xba, 0x1e, 0x9e, 0x02, 0x82, 0x3a, 0xba); // Caps Lock: A, but 1 stays 1
    d.feed(0x1c, 0x9c, 0x0e, 0x8e);
    expect(d.text()).toBe("aAA1\r\x7f");
  });

  it("Ctrl+letter is the control character, Alt+key is ESC then the key", () => {
    const d = decoder();
    d.feed(0x1d, 0x2e, 0xae, 0x9d); // Ctrl+C
    d.feed(0x38, 0x30, 0xb0, 0xb8); // Alt+b
    expect(d.out).toEqual([0x03, 0x1b, 0x62]);
  });

  it("extended keys: arrows and Delete as the Linux console's sequences; keypad Enter; F1 is ignored", () => {
    const d = decoder();
    d.feed(0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x4b, 0xe0, 0x53, 0xe0, 0x1c, 0x3b);
    expect(d.text()).toBe("\x1b[A\x1b[D\x1b[3~\r");
    expect(d.decode.ignoredKeys).toBe(1);
  });
});

describe("I8042Keyboard on the emulated 8042 and PS/2 keyboard", () => {
  function machine() {
    const m = new Machine({ memoryBytes: 16 * 1024 * 1024, cpuCount: 1 });
    const out: number[] = [];
    const keyboard = new I8042Keyboard(m.bus, (bytes) => out.push(...bytes));
    return { m, keyboard, out };
  }

  it("initialises the controller and the keyboard, then decodes what the host types", () => {
    const { m, keyboard, out } = machine();
    expect(keyboard.initialise()).toEqual({ ok: true });
    m.keyboard.typeText("echo Hi|wc\n");
    keyboard.interrupt();
    expect(Buffer.from(out).toString("latin1")).toBe("echo Hi|wc\r");
  });

  it("every printable ASCII string typed comes out as itself", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
        (text) => {
          const { m, keyboard, out } = machine();
          keyboard.initialise();
          expect(m.keyboard.typeText(text)).toBe(text.length);
          keyboard.interrupt();
          expect(Buffer.from(out).toString("latin1")).toBe(text);
        },
      ),
      { numRuns: 50 },
    );
  });
});
