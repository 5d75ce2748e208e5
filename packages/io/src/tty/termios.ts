/**
 * struct termios as the kernel's TCGETS/TCSETS see it (x86-64,
 * include/uapi/asm-generic/termbits.h): four 32-bit flag words, the line
 * discipline byte and 19 control characters — 36 bytes, little-endian.
 * Defaults are a Linux tty's after boot (`stty sane`: ICRNL IXON, OPOST
 * ONLCR, B38400 CS8 CREAD HUPCL, ISIG ICANON ECHO ECHOE ECHOK ECHOCTL
 * ECHOKE IEXTEN; ^C ^\ DEL ^U ^D, VMIN 1, ^Z ^R ^W ^V).
 */

/** c_iflag bits. */
export const IFLAG = { INLCR: 0o100, IGNCR: 0o200, ICRNL: 0o400, IXON: 0o2000 } as const;
/** c_oflag bits. */
export const OFLAG = { OPOST: 0o1, ONLCR: 0o4 } as const;
/** c_lflag bits. */
export const LFLAG = {
  ISIG: 0o1,
  ICANON: 0o2,
  ECHO: 0o10,
  ECHOE: 0o20,
  ECHOK: 0o40,
  ECHONL: 0o100,
  NOFLSH: 0o200,
  ECHOCTL: 0o1000,
  ECHOKE: 0o4000,
  IEXTEN: 0o100000,
} as const;
/** Indexes into c_cc. */
export const VCHAR = {
  VINTR: 0,
  VQUIT: 1,
  VERASE: 2,
  VKILL: 3,
  VEOF: 4,
  VTIME: 5,
  VMIN: 6,
  VSTART: 8,
  VSTOP: 9,
  VSUSP: 10,
  VEOL: 11,
  VREPRINT: 12,
  VWERASE: 14,
  VLNEXT: 15,
  VEOL2: 16,
} as const;

/** Size of the kernel's struct termios. */
export const TERMIOS_BYTES = 36;
/** Control characters in c_cc. */
export const NCCS = 19;
const CC_OFFSET = 17;
const DEFAULT_CC = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0];

/** A terminal's settings. */
export class Termios {
  iflag = IFLAG.ICRNL | IFLAG.IXON;
  oflag = OFLAG.OPOST | OFLAG.ONLCR;
  /** B38400 | CS8 | CREAD | HUPCL. */
  cflag = 0o2277;
  lflag =
    LFLAG.ISIG |
    LFLAG.ICANON |
    LFLAG.ECHO |
    LFLAG.ECHOE |
    LFLAG.ECHOK |
    LFLAG.ECHOCTL |
    LFLAG.ECHOKE |
    LFLAG.IEXTEN;
  line = 0;
  readonly cc = Uint8Array.from(DEFAULT_CC);

  /** The 36 bytes TCGETS writes. */
  encode(into: Uint8Array = new Uint8Array(TERMIOS_BYTES)): Uint8Array {
    const view = new DataView(into.buffer, into.byteOffset, TERMIOS_BYTES);
    view.setUint32(0, this.iflag, true);
    view.setUint32(4, this.oflag, true);
    view.setUint32(8, this.cflag, true);
    view.setUint32(12, this.lflag, true);
    into[16] = this.line;
    into.set(this.cc, CC_OFFSET);
    return into;
  }

  /** Takes the settings TCSETS passes (36 bytes). */
  decode(bytes: Uint8Array): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, TERMIOS_BYTES);
    this.iflag = view.getUint32(0, true);
    this.oflag = view.getUint32(4, true);
    this.cflag = view.getUint32(8, true);
    this.lflag = view.getUint32(12, true);
    this.line = bytes[16]!;
    this.cc.set(bytes.subarray(CC_OFFSET, CC_OFFSET + NCCS));
  }
}
