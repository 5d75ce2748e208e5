/**
 * The terminal line discipline (Linux's N_TTY, drivers/tty/n_tty.c, as
 * termios(3) describes it) between a character source (a keyboard driver,
 * a serial port) and the processes reading the terminal.
 *
 * Input, byte by byte ({@link LineDiscipline.receive}):
 * - c_iflag: IGNCR drops CR, ICRNL turns CR into NL, INLCR NL into CR;
 * - ISIG: VINTR, VQUIT and VSUSP flush pending input (unless NOFLSH), echo
 *   as ^C and raise SIGINT, SIGQUIT and SIGTSTP for the foreground group;
 * - ICANON: a line is edited until NL, VEOL or VEOF ends it — VERASE
 *   removes a character, VKILL the line, VWERASE (with IEXTEN) a word; a
 *   read returns at most one line; VEOF at the start of a line is end of
 *   file (the read returns 0). Without ICANON every byte is readable at
 *   once, and a read needs min(VMIN, its length) of them (VTIME is not
 *   implemented: VMIN 0 returns what there is, possibly nothing);
 * - ECHO echoes input (ECHOCTL: control characters as ^X; ECHOE erases
 *   with "\b \b"; ECHOK/ECHOKE for VKILL; ECHONL echoes NL even without
 *   ECHO).
 * Output processing (OPOST/ONLCR) is the device's business: this class
 * only echoes.
 *
 * The line buffer holds {@link MAX_LINE} bytes; input beyond it is dropped
 * (as n_tty does once its 4 KiB buffer is full).
 */
import { IFLAG, LFLAG, Termios, VCHAR } from "./termios";

/** What the line discipline asks of its terminal. */
export interface LineDisciplineHost {
  /** Write echo bytes to the terminal's output. */
  echo(bytes: readonly number[]): void;
  /** Deliver `signal` (2 SIGINT, 3 SIGQUIT, 20 SIGTSTP) to the terminal's foreground process group. */
  signal(signal: number): void;
  /** Input became readable, or end of file arrived (wake readers and pollers). */
  readable(): void;
}

/** A read found nothing to return yet. */
export const TTY_WOULD_BLOCK = -11;
/** Longest line (n_tty's buffer, less the newline). */
export const MAX_LINE = 4095;
const NL = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const BACKSPACE = 0x08;
const SIGINT = 2;
const SIGQUIT = 3;
const SIGTSTP = 20;

interface Line {
  readonly bytes: number[];
  offset: number;
  /** A VEOF at the start of a line: the read that reaches it returns 0. */
  readonly endOfFile: boolean;
}

/** One terminal's input side. */
export class LineDiscipline {
  readonly termios = new Termios();
  /** Bytes dropped because the line was full. */
  overflows = 0;
  /** Completed lines (canonical mode), or one line holding every byte (non-canonical). */
  private readonly ready: Line[] = [];
  /** The line being edited (canonical mode). */
  private editing: number[] = [];
  private hungUp = false;

  constructor(private readonly host: LineDisciplineHost) {}

  /**
   * poll's POLLIN: a line (canonical mode), or at least max(1, VMIN) bytes,
   * or end of file. As n_tty_poll, a VMIN 0 terminal is readable only with
   * a byte waiting — although a read would return 0 at once.
   */
  get readable(): boolean {
    if (this.hungUp) return true;
    if (this.canonical) return this.ready.length > 0;
    return this.pending() >= Math.max(1, this.termios.cc[VCHAR.VMIN]!);
  }

  /** The source is gone (the host closed its input): once the buffered bytes are read, reads return 0. */
  hangUp(): void {
    this.hungUp = true;
    this.host.readable();
  }

  /** TCSETS: new settings; leaving canonical mode makes the line being edited readable. */
  setTermios(bytes: Uint8Array): void {
    const wasCanonical = this.canonical;
    this.termios.decode(bytes);
    if (wasCanonical && !this.canonical && this.editing.length > 0) {
      this.ready.push({ bytes: this.editing, offset: 0, endOfFile: false });
      this.editing = [];
      this.host.readable();
    } else if (!wasCanonical && this.canonical) {
      // Bytes typed in raw mode become the start of the line being edited.
      for (const line of this.ready.splice(0)) this.editing.push(...line.bytes.slice(line.offset));
    }
  }

  /** TCFLSH (and TCSETSF): forget unread input. */
  flushInput(): void {
    this.ready.length = 0;
    this.editing = [];
  }

  /** One byte from the terminal's source. */
  receive(input: number): void {
    const { iflag, lflag, cc } = this.termios;
    let byte = input & 0xff;
    if (byte === CR) {
      if ((iflag & IFLAG.IGNCR) !== 0) return;
      if ((iflag & IFLAG.ICRNL) !== 0) byte = NL;
    } else if (byte === NL && (iflag & IFLAG.INLCR) !== 0) byte = CR;
    if ((lflag & LFLAG.ISIG) !== 0 && byte !== 0) {
      const signal =
        byte === cc[VCHAR.VINTR]
          ? SIGINT
          : byte === cc[VCHAR.VQUIT]
            ? SIGQUIT
            : byte === cc[VCHAR.VSUSP]
              ? SIGTSTP
              : 0;
      if (signal !== 0) {
        if ((lflag & LFLAG.NOFLSH) === 0) this.flushInput();
        this.echoCharacter(byte);
        this.host.signal(signal);
        return;
      }
    }
    if (!this.canonical) {
      this.echoCharacter(byte);
      const last = this.ready.at(-1);
      if (last === undefined) this.ready.push({ bytes: [byte], offset: 0, endOfFile: false });
      else if (last.bytes.length - last.offset < MAX_LINE) last.bytes.push(byte);
      else this.overflows++;
      this.host.readable();
      return;
    }
    if (byte !== 0 && byte === cc[VCHAR.VERASE]) {
      this.erase(1);
      return;
    }
    if (byte !== 0 && byte === cc[VCHAR.VKILL]) {
      this.kill();
      return;
    }
    if (byte !== 0 && byte === cc[VCHAR.VWERASE] && (lflag & LFLAG.IEXTEN) !== 0) {
      this.eraseWord();
      return;
    }
    if (byte !== 0 && byte === cc[VCHAR.VEOF]) {
      this.ready.push({ bytes: this.editing, offset: 0, endOfFile: this.editing.length === 0 });
      this.editing = [];
      this.host.readable();
      return;
    }
    const endsLine = byte === NL || (byte !== 0 && (byte === cc[VCHAR.VEOL] || byte === cc[VCHAR.VEOL2]));
    if (!endsLine && this.editing.length >= MAX_LINE) {
      this.overflows++;
      return;
    }
    this.editing.push(byte);
    if (byte === NL && (lflag & LFLAG.ECHO) === 0 && (lflag & LFLAG.ECHONL) !== 0) this.host.echo([NL]);
    else this.echoCharacter(byte);
    if (endsLine) {
      this.ready.push({ bytes: this.editing, offset: 0, endOfFile: false });
      this.editing = [];
      this.host.readable();
    }
  }

  /**
   * read(2) on the terminal: bytes copied into `into` (at most one line in
   * canonical mode), 0 at end of file, or {@link TTY_WOULD_BLOCK}.
   */
  read(into: Uint8Array): number {
    if (into.length === 0) return 0;
    if (this.canonical) {
      const line = this.ready[0];
      if (line === undefined) return this.hungUp ? 0 : TTY_WOULD_BLOCK;
      if (line.endOfFile) {
        this.ready.shift();
        return 0;
      }
      const count = Math.min(into.length, line.bytes.length - line.offset);
      for (let index = 0; index < count; index++) into[index] = line.bytes[line.offset + index]!;
      line.offset += count;
      if (line.offset === line.bytes.length) this.ready.shift();
      return count;
    }
    const available = this.pending();
    const minimum = Math.min(this.termios.cc[VCHAR.VMIN]!, into.length);
    if (available === 0 && this.hungUp) return 0;
    if (available < minimum || (available === 0 && minimum > 0)) return this.hungUp ? 0 : TTY_WOULD_BLOCK;
    let count = 0;
    while (count < into.length && this.ready.length > 0) {
      const line = this.ready[0]!;
      while (count < into.length && line.offset < line.bytes.length)
        into[count++] = line.bytes[line.offset++]!;
      if (line.offset === line.bytes.length) this.ready.shift();
    }
    return count;
  }

  /** Bytes a read could take now (FIONREAD). */
  pending(): number {
    let total = 0;
    for (const line of this.ready) total += line.bytes.length - line.offset;
    return total;
  }

  private get canonical(): boolean {
    return (this.termios.lflag & LFLAG.ICANON) !== 0;
  }

  /** Echo of one input byte: itself, ^X for a control character under ECHOCTL, nothing without ECHO. */
  private echoCharacter(byte: number): void {
    const lflag = this.termios.lflag;
    if ((lflag & LFLAG.ECHO) === 0) return;
    if ((lflag & LFLAG.ECHOCTL) !== 0 && isControl(byte)) this.host.echo([0x5e, byte ^ 0x40]);
    else this.host.echo([byte]);
  }

  /** Columns the echo of `byte` took (for erasing it). */
  private echoWidth(byte: number): number {
    return (this.termios.lflag & LFLAG.ECHOCTL) !== 0 && isControl(byte) ? 2 : 1;
  }

  private erase(count: number): void {
    const lflag = this.termios.lflag;
    for (let index = 0; index < count && this.editing.length > 0; index++) {
      const byte = this.editing.pop()!;
      if ((lflag & LFLAG.ECHO) === 0) continue;
      if ((lflag & LFLAG.ECHOE) !== 0) {
        const width = this.echoWidth(byte);
        for (let column = 0; column < width; column++) this.host.echo([BACKSPACE, 0x20, BACKSPACE]);
      } else this.echoCharacter(this.termios.cc[VCHAR.VERASE]!);
    }
  }

  private eraseWord(): void {
    let count = 0;
    let at = this.editing.length;
    while (at > 0 && isBlank(this.editing[at - 1]!)) {
      at--;
      count++;
    }
    while (at > 0 && !isBlank(this.editing[at - 1]!)) {
      at--;
      count++;
    }
    this.erase(count);
  }

  private kill(): void {
    const lflag = this.termios.lflag;
    if ((lflag & LFLAG.ECHO) !== 0 && (lflag & LFLAG.ECHOKE) !== 0 && (lflag & LFLAG.ECHOE) !== 0) {
      this.erase(this.editing.length);
      return;
    }
    this.editing = [];
    if ((lflag & LFLAG.ECHO) !== 0) {
      this.echoCharacter(this.termios.cc[VCHAR.VKILL]!);
      if ((lflag & LFLAG.ECHOK) !== 0) this.host.echo([NL]);
    }
  }
}

function isControl(byte: number): boolean {
  return (byte < 0x20 && byte !== TAB && byte !== NL) || byte === 0x7f;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === TAB;
}
