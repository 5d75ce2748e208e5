/**
 * The console: COM1 (a 16550A UART) for output and input, as Linux's
 * ttyS0 with `console=ttyS0`. The kernel's own messages (boot log, panics)
 * and every process's /dev/console descriptors go here.
 *
 * Output is written to the transmit register byte by byte (the emulated
 * UART drains it at once; on real hardware we would poll LSR.THRE).
 * Input arrives by interrupt (IRQ 4, "received data available"): the
 * handler drains the receive register into a buffer and wakes readers.
 * A read returns what is buffered up to and including the first newline
 * (a canonical-mode tty's line, without echo or editing), blocks while
 * nothing is buffered, and returns 0 (end of file) once the host has
 * signalled end of input (`hangUp`). That plain mode stands for a file or
 * pipe on standard input, so runs compare with native ones.
 *
 * Terminal mode ({@link SerialConsole.becomeTerminal}): input — from the
 * PS/2 keyboard driver and from COM1 — goes through `@tsos/io`'s line
 * discipline (echo, line editing, ^C → SIGINT for the foreground process
 * group, termios through TCGETS/TCSETS). Output is never processed
 * (no ONLCR): the bytes reach the host as written.
 */
import type { PortIo } from "@tsos/hw-x86";
import { LineDiscipline, TTY_WOULD_BLOCK } from "@tsos/io";
import type { WaitQueue } from "@tsos/sched";
import { type FileOperations, type FileStatus, type OpenFile, POLL, S_IF, WOULD_BLOCK } from "./files";

/** COM1 registers (offsets from 0x3F8), 16550A datasheet. */
const COM1 = 0x3f8;
const REGISTER = { DATA: 0, IER: 1, FCR: 2, LCR: 3, MCR: 4, LSR: 5 } as const;
const LSR_DATA_READY = 0x01;
const IER_RECEIVED_DATA = 0x01;
const MCR_DTR_RTS_OUT2 = 0x0b;
const FCR_ENABLE_CLEAR = 0x07;
const LCR_8N1 = 0x03;

/** `OpenFile.node` of the descriptions init's stderr uses (see {@link SerialConsole.errorSink}). */
export const CONSOLE_ERROR_STREAM = "stderr";

/** Linux's device number of /dev/console (5, 1). */
const CONSOLE_RDEV = (5 << 8) | 1;

/** The serial console. */
export class SerialConsole implements FileOperations {
  readonly seekable = false;
  readonly isTerminal = true;
  /** Bytes written to the console (kernel and processes). */
  bytesWritten = 0;
  /**
   * Where writes through init's stderr descriptions go instead of COM1 (a
   * host-side split, so a runner can keep a program's stdout and stderr
   * apart as Linux would on two descriptors); null: COM1 like the rest.
   */
  errorSink: ((bytes: Uint8Array) => void) | null = null;
  private readonly input: number[] = [];
  private inputHead = 0;
  private hungUp = false;
  private readers: WaitQueue | null = null;
  /** Called when input arrives or ends (pollers wait for it). */
  changed: () => void = () => {};
  /** The line discipline in terminal mode; null: plain mode. */
  terminal: LineDiscipline | null = null;
  /** The terminal's foreground process group (TIOCGPGRP/TIOCSPGRP; ISIG signals go there). */
  foregroundGroup = 1;

  constructor(
    private readonly ports: PortIo,
    private readonly clock: () => number,
  ) {}

  /** Programs the UART: 8N1, FIFO on, receive interrupts on (OUT2 gates the IRQ line). */
  initialise(): void {
    this.ports.out8(COM1 + REGISTER.LCR, LCR_8N1);
    this.ports.out8(COM1 + REGISTER.FCR, FCR_ENABLE_CLEAR);
    this.ports.out8(COM1 + REGISTER.MCR, MCR_DTR_RTS_OUT2);
    this.ports.out8(COM1 + REGISTER.IER, IER_RECEIVED_DATA);
  }

  /** The queue blocked readers sleep on (set by the kernel, which owns the waker). */
  attachReaders(queue: WaitQueue): void {
    this.readers = queue;
  }

  /**
   * Terminal mode: input passes through a line discipline from now on;
   * `signal` delivers its ISIG signals to a process group.
   */
  becomeTerminal(signal: (group: number, signal: number) => void): LineDiscipline {
    const terminal = new LineDiscipline({
      echo: (bytes) => {
        for (const byte of bytes) this.ports.out8(COM1, byte);
        this.bytesWritten += bytes.length;
      },
      signal: (number) => signal(this.foregroundGroup, number),
      readable: () => {
        this.readers?.wakeAll();
        this.changed();
      },
    });
    this.terminal = terminal;
    for (let index = this.inputHead; index < this.input.length; index++) terminal.receive(this.input[index]!);
    this.input.length = 0;
    this.inputHead = 0;
    return terminal;
  }

  /** Input bytes a read could take now (FIONREAD). */
  pending(): number {
    this.receiveInterrupt();
    return this.terminal !== null ? this.terminal.pending() : this.input.length - this.inputHead;
  }

  /** Bytes from the keyboard driver (terminal mode). */
  keyboardInput(bytes: readonly number[]): void {
    const terminal = this.terminal;
    if (terminal === null) return;
    for (const byte of bytes) terminal.receive(byte);
  }

  /** Writes kernel text (Latin-1). */
  print(text: string): void {
    for (let index = 0; index < text.length; index++) this.ports.out8(COM1, text.charCodeAt(index) & 0xff);
    this.bytesWritten += text.length;
  }

  /** The receive interrupt: moves every received byte into the buffer, wakes readers. */
  receiveInterrupt(): void {
    let received = 0;
    const terminal = this.terminal;
    while ((this.ports.in8(COM1 + REGISTER.LSR) & LSR_DATA_READY) !== 0) {
      const byte = this.ports.in8(COM1 + REGISTER.DATA);
      if (terminal !== null) terminal.receive(byte);
      else {
        this.input.push(byte);
        received++;
      }
    }
    if (received > 0) {
      this.readers?.wakeAll();
      this.changed();
    }
  }

  poll(_file: OpenFile): number {
    this.receiveInterrupt();
    const terminal = this.terminal;
    if (terminal !== null) return POLL.OUT | (terminal.readable ? POLL.IN : 0) | (this.hungUp ? POLL.HUP : 0);
    return (
      POLL.OUT | (this.input.length > this.inputHead ? POLL.IN : 0) | (this.hungUp ? POLL.IN | POLL.HUP : 0)
    );
  }

  /** No more input will come (the host's stdin closed): readers get end of file. */
  hangUp(): void {
    this.hungUp = true;
    this.terminal?.hangUp();
    this.readers?.wakeAll();
    this.changed();
  }

  read(_file: OpenFile, into: Uint8Array, _position: number): number {
    if (into.length === 0) return 0;
    // Pick up bytes that arrived before interrupts were routed (or with the IRQ masked).
    this.receiveInterrupt();
    const terminal = this.terminal;
    if (terminal !== null) {
      const count = terminal.read(into);
      return count === TTY_WOULD_BLOCK ? WOULD_BLOCK : count;
    }
    const available = this.input.length - this.inputHead;
    if (available === 0) return this.hungUp ? 0 : WOULD_BLOCK;
    let count = 0;
    while (count < into.length && this.inputHead < this.input.length) {
      const byte = this.input[this.inputHead++]!;
      into[count++] = byte;
      if (byte === 0x0a) break;
    }
    if (this.inputHead === this.input.length) {
      this.input.length = 0;
      this.inputHead = 0;
    }
    return count;
  }

  write(file: OpenFile, bytes: Uint8Array, _position: number): number {
    if (this.errorSink !== null && file.node === CONSOLE_ERROR_STREAM) {
      this.errorSink(bytes.slice());
      return bytes.length;
    }
    for (let index = 0; index < bytes.length; index++) this.ports.out8(COM1, bytes[index]!);
    this.bytesWritten += bytes.length;
    return bytes.length;
  }

  waitQueue(): WaitQueue | null {
    return this.readers;
  }

  status(_file: OpenFile): FileStatus {
    const now = this.clock();
    return {
      dev: 5,
      ino: 1,
      mode: S_IF.CHR | 0o620,
      nlink: 1,
      uid: 0,
      gid: 0,
      rdev: CONSOLE_RDEV,
      size: 0,
      blksize: 1024,
      blocks: 0,
      atimeNs: now,
      mtimeNs: now,
      ctimeNs: now,
    };
  }
}
