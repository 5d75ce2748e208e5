/**
 * `@tsos/io`: drivers and I/O layers over the `@tsos/hw-x86` interfaces.
 * So far: the terminal — termios, the N_TTY line discipline — and the PS/2
 * keyboard behind an 8042. The asynchronous request layer, DMA, virtio
 * block and network are still to come.
 *
 * @packageDocumentation
 */
export { I8042Keyboard, type KeyboardInitResult } from "./keyboard/i8042-keyboard";
export { ScancodeDecoder } from "./keyboard/scancode-decoder";
export { LineDiscipline, type LineDisciplineHost, MAX_LINE, TTY_WOULD_BLOCK } from "./tty/line-discipline";
export { IFLAG, LFLAG, NCCS, OFLAG, TERMIOS_BYTES, Termios, VCHAR } from "./tty/termios";
