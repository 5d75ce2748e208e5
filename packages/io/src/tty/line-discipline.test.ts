import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineDiscipline, MAX_LINE, TTY_WOULD_BLOCK } from "./line-discipline";
import { LFLAG, TERMIOS_BYTES, VCHAR } from "./termios";

function tty() {
  const echoed: number[] = [];
  const signals: number[] = [];
  let wakes = 0;
  const discipline = new LineDiscipline({
    echo: (bytes) => echoed.push(...bytes),
    signal: (signal) => signals.push(signal),
    readable: () => void wakes++,
  });
  const type = (text: string) => {
    for (const character of text) discipline.receive(character.charCodeAt(0));
  };
  const read = (size = 256): string | number => {
    const into = new Uint8Array(size);
    const count = discipline.read(into);
    return count <= 0 ? count : Buffer.from(into.subarray(0, count)).toString("latin1");
  };
  return {
    discipline,
    echoed: () => Buffer.from(echoed).toString("latin1"),
    signals,
    wakes: () => wakes,
    type,
    read,
  };
}

describe("LineDiscipline, canonical mode (the default termios)", () => {
  it("returns whole lines only, with CR turned into NL (ICRNL), and echoes what was typed", () => {
    const t = tty();
    t.type("ls -l");
    expect(t.read()).toBe(TTY_WOULD_BLOCK);
    t.type("\r");
    expect(t.read()).toBe("ls -l\n");
    expect(t.echoed()).toBe("ls -l\n");
    expect(t.read()).toBe(TTY_WOULD_BLOCK);
  });

  it("gives one line per read, and the rest of a line to the next read", () => {
    const t = tty();
    t.type("first\nsecond\n");
    expect(t.read(3)).toBe("fir");
    expect(t.read()).toBe("st\n");
    expect(t.read()).toBe("second\n");
  });

  it("edits: DEL erases a character with \\b \\b, ^U the line, ^W a word; control characters echo as ^X", () => {
    const t = tty();
    t.type("abc\x7f\x7fd\n");
    expect(t.read()).toBe("ad\n");
    expect(t.echoed()).toBe("abc\b \b\b \bd\n");
    const u = tty();
    u.type("junk\x15ok\n");
    expect(u.read()).toBe("ok\n");
    const w = tty();
    w.type("echo two words\x17\x17three\n");
    expect(w.read()).toBe("echo three\n");
    const c = tty();
    c.type("a\x01\x7fb\n");
    expect(c.echoed()).toBe("a^A\b \b\b \bb\n");
    expect(c.read()).toBe("ab\n");
  });

  it("^D ends a line without itself; at the start of a line it is end of file, once", () => {
    const t = tty();
    t.type("partial\x04");
    expect(t.read()).toBe("partial");
    t.type("\x04");
    expect(t.read()).toBe(0);
    expect(t.read()).toBe(TTY_WOULD_BLOCK);
  });

  it("^C, ^\\ and ^Z raise SIGINT, SIGQUIT and SIGTSTP, echo as ^C, and flush the line", () => {
    const t = tty();
    t.type("half a line\x03");
    expect(t.signals).toEqual([2]);
    expect(t.echoed()).toBe("half a line^C");
    t.type("x\n");
    expect(t.read()).toBe("x\n");
    t.type("\x1c\x1a");
    expect(t.signals).toEqual([2, 3, 20]);
  });

  it("without ECHO nothing is echoed; ECHONL still echoes newlines", () => {
    const t = tty();
    const termios = t.discipline.termios;
    termios.lflag &= ~LFLAG.ECHO;
    termios.lflag |= LFLAG.ECHONL;
    t.type("secret\n");
    expect(t.read()).toBe("secret\n");
    expect(t.echoed()).toBe("\n");
  });

  it("drops input past the line buffer and counts it", () => {
    const t = tty();
    t.type("x".repeat(MAX_LINE + 10));
    t.type("\n");
    expect(t.discipline.overflows).toBe(10);
    expect((t.read(8192) as string).length).toBe(MAX_LINE + 1);
  });

  it("reads end of file after hang-up, once the buffered lines are read", () => {
    const t = tty();
    t.type("last\n");
    t.discipline.hangUp();
    expect(t.read()).toBe("last\n");
    expect(t.read()).toBe(0);
  });
});

describe("LineDiscipline, non-canonical mode", () => {
  function raw(vmin: number) {
    const t = tty();
    const termios = t.discipline.termios;
    const bytes = termios.encode();
    const copy = new Uint8Array(bytes);
    copy.set(bytes);
    // ~(ICANON | ECHO) in c_lflag, VMIN in c_cc.
    const view = new DataView(copy.buffer);
    view.setUint32(12, view.getUint32(12, true) & ~(LFLAG.ICANON | LFLAG.ECHO), true);
    copy[17 + VCHAR.VMIN] = vmin;
    return { t, copy };
  }

  it("hands every byte over at once (VMIN 1), unedited and unechoed; DEL is a byte like any other", () => {
    const { t, copy } = raw(1);
    t.type("ab");
    t.discipline.setTermios(copy);
    // The line being edited when ICANON went off is readable now.
    expect(t.read()).toBe("ab");
    t.type("x\x7f");
    expect(t.read()).toBe("x\x7f");
    expect(t.read()).toBe(TTY_WOULD_BLOCK);
    expect(t.echoed()).toBe("ab");
  });

  it("VMIN 0 returns what there is, possibly nothing (0, as read(2) does)", () => {
    const { t, copy } = raw(0);
    t.discipline.setTermios(copy);
    expect(t.read()).toBe(0);
    expect(t.discipline.readable).toBe(false); // poll waits for a byte, as n_tty_poll
    t.type("q");
    expect(t.discipline.readable).toBe(true);
    expect(t.read()).toBe("q");
  });

  it("TCGETS round-trips the 36-byte termios", () => {
    const t = tty();
    const bytes = t.discipline.termios.encode();
    expect(bytes.length).toBe(TERMIOS_BYTES);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(12, true)).toBe(0o105073); // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
    expect(Array.from(bytes.subarray(17, 24))).toEqual([3, 28, 127, 21, 4, 0, 1]);
    const other = tty();
    other.discipline.setTermios(bytes);
    expect(other.discipline.termios.encode()).toEqual(bytes);
  });
});

describe("LineDiscipline properties", () => {
  it("a typed line of printable characters reads back as itself, however the reads are sized", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        (codes, chunk) => {
          const t = tty();
          for (const code of codes) t.discipline.receive(code);
          t.discipline.receive(0x0d);
          let text = "";
          for (;;) {
            const part = t.read(chunk);
            if (typeof part !== "string") break;
            text += part;
            if (text.endsWith("\n")) break;
          }
          expect(text).toBe(`${String.fromCharCode(...codes)}\n`);
          expect(t.echoed()).toBe(text);
        },
      ),
    );
  });
});
