/**
 * A 16550A UART (National Semiconductor PC16550D datasheet) at COM1
 * (ports 0x3F8–0x3FF, IRQ 4 on a PC).
 *
 * Host side: bytes the guest transmits go to `onTransmit` in order; bytes
 * the host types are queued with {@link Uart16550.receive}.
 *
 * Timing: there is no line timing. A byte written to THR is transmitted at
 * once (THR and the shifter are empty again when the write returns, so LSR
 * THRE and TEMT always read 1), and received bytes are available at once.
 * Host input beyond the 16-byte FIFO waits in a host-side backlog (perfect
 * flow control), so overrun never happens. In FIFO mode, data below the
 * trigger level raises the character-timeout indication immediately rather
 * than after four character times.
 *
 * Interrupts (datasheet Table 4, highest first): receiver line status (never
 * raised: no line errors occur), received data available (FIFO at or above
 * the trigger level), character timeout, THR empty, modem status. The THRE
 * source is latched when THR empties and when IER bit 1 is set while THR is
 * empty; reading IIR while it is the reported source, or writing THR, clears
 * it. The IRQ output is a level that follows "any enabled source pending",
 * gated by MCR OUT2 as PC hardware wires it, and is disconnected in loopback
 * mode. On an edge-triggered IOAPIC input a handler must therefore read IIR
 * until it reports no interrupt (as PC serial drivers do), or a source still
 * pending at its EOI raises no new edge.
 *
 * Loopback (MCR bit 4): transmitted bytes come back to the receiver instead
 * of the host, and MSR reflects MCR (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2).
 * Otherwise the host end is always connected: CTS, DSR and DCD read 1.
 */

import type { IrqLine } from "../../interfaces/irq-line";
import { BytePortDevice } from "./byte-port-device";
import { RegisterTable } from "./register-table";

/** COM1 base port and its ISA IRQ on a PC. */
export const COM1 = {
  /** First of COM1's eight ports. */
  BASE: 0x3f8,
  /** ISA IRQ of COM1. */
  IRQ: 4,
} as const;

/** Register offsets from the base port (PC16550D Table 2; DLAB selects DLL/DLM at 0 and 1). */
export const UART_REGISTER = {
  /** Receive buffer (read) / transmit holding (write); DLL when DLAB = 1. */
  DATA: 0,
  /** Interrupt enable register; DLM when DLAB = 1. */
  IER: 1,
  /** Interrupt identification (read) / FIFO control (write). */
  IIR_FCR: 2,
  /** Line control register (bit 7: DLAB). */
  LCR: 3,
  /** Modem control register. */
  MCR: 4,
  /** Line status register (read-only). */
  LSR: 5,
  /** Modem status register (read-only). */
  MSR: 6,
  /** Scratch register. */
  SCR: 7,
} as const;

/** Interrupt enable register bits (PC16550D §8.6.2). */
export const UART_IER = {
  RX_AVAILABLE: 1,
  THR_EMPTY: 2,
  LINE_STATUS: 4,
  MODEM_STATUS: 8,
  WRITABLE: 0x0f,
} as const;

/** Interrupt identification values (PC16550D Table 4). */
export const UART_IIR = {
  NONE: 0x01,
  MODEM_STATUS: 0x00,
  THR_EMPTY: 0x02,
  RX_AVAILABLE: 0x04,
  LINE_STATUS: 0x06,
  CHARACTER_TIMEOUT: 0x0c,
  /** Bits 7:6 set while FIFOs are enabled. */
  FIFOS_ENABLED: 0xc0,
} as const;

/** FIFO control register bits (PC16550D §8.6.3). */
export const UART_FCR = { ENABLE: 1, CLEAR_RX: 2, CLEAR_TX: 4, TRIGGER_SHIFT: 6 } as const;
/** Receiver trigger levels for FCR bits 7:6. */
const TRIGGER_LEVELS = [1, 4, 8, 14] as const;

/** Line control register: bit 7 is the divisor latch access bit (PC16550D §8.6.4). */
export const UART_LCR = { DLAB: 0x80 } as const;

/** Modem control register bits (PC16550D §8.6.5). */
export const UART_MCR = { DTR: 1, RTS: 2, OUT1: 4, OUT2: 8, LOOPBACK: 0x10, WRITABLE: 0x1f } as const;

/** Line status register bits (PC16550D §8.6.6). */
export const UART_LSR = { DATA_READY: 1, OVERRUN: 2, THR_EMPTY: 0x20, TRANSMITTER_EMPTY: 0x40 } as const;

/** Modem status register bits (PC16550D §8.6.7). */
export const UART_MSR = { DELTA_MASK: 0x0f, CTS: 0x10, DSR: 0x20, RI: 0x40, DCD: 0x80 } as const;

const FIFO_DEPTH = 16;
/** Host bytes that may wait beyond the FIFO; more are refused (returned as not accepted). */
const BACKLOG_CAPACITY = 65536;
const CONNECTED_LINES = UART_MSR.CTS | UART_MSR.DSR | UART_MSR.DCD;

/** Construction parameters of a {@link Uart16550}. */
export interface UartOptions {
  /** First of the eight ports (default COM1, 0x3F8). */
  readonly basePort?: number;
  /** The interrupt line (IOAPIC pin 4 for COM1). */
  readonly irq: IrqLine;
  /** Receives each transmitted byte, in order. */
  readonly onTransmit: (byte: number) => void;
}

/** The UART; see the file header. */
export class Uart16550 extends BytePortDevice {
  /** First of the UART's eight consecutive ports ({@link UartOptions.basePort}, default COM1). */
  readonly basePort: number;
  private readonly registers: RegisterTable;
  private readonly irq: IrqLine;
  private readonly onTransmit: (byte: number) => void;
  private readonly rx = new Uint8Array(BACKLOG_CAPACITY);
  private rxHead = 0;
  private rxCount = 0;
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scratch = 0;
  private divisor = 1;
  private fifoControl = 0;
  private thrInterrupt = false;
  private modemDeltas = 0;
  private irqHigh = false;

  constructor(options: UartOptions) {
    super();
    this.basePort = options.basePort ?? COM1.BASE;
    this.irq = options.irq;
    this.onTransmit = options.onTransmit;
    this.registers = new RegisterTable(8, [
      [
        UART_REGISTER.DATA,
        { name: "RBR/THR/DLL", read: () => this.readData(), write: (v) => this.writeData(v) },
      ],
      [UART_REGISTER.IER, { name: "IER/DLM", read: () => this.readIer(), write: (v) => this.writeIer(v) }],
      [
        UART_REGISTER.IIR_FCR,
        { name: "IIR/FCR", read: () => this.readIir(), write: (v) => this.writeFcr(v) },
      ],
      [UART_REGISTER.LCR, { name: "LCR", read: () => this.lcr, write: (v) => (this.lcr = v) }],
      [UART_REGISTER.MCR, { name: "MCR", read: () => this.mcr, write: (v) => this.writeMcr(v) }],
      [UART_REGISTER.LSR, { name: "LSR", read: () => this.readLsr() }],
      [UART_REGISTER.MSR, { name: "MSR", read: () => this.readMsr() }],
      [UART_REGISTER.SCR, { name: "SCR", read: () => this.scratch, write: (v) => (this.scratch = v) }],
    ]);
  }

  /** Ignored accesses (writes to LSR/MSR, ports outside the eight). */
  get counters() {
    return this.registers.counters;
  }

  /** The divisor latch (DLM:DLL); the baud rate is 115200 / divisor. */
  get divisorLatch(): number {
    return this.divisor;
  }

  /** Host input: queues `bytes` for the guest. Returns how many were accepted (all unless the backlog is full). */
  receive(bytes: ArrayLike<number>): number {
    let accepted = 0;
    for (let index = 0; index < bytes.length && this.rxCount < BACKLOG_CAPACITY; index++) {
      this.pushRx(bytes[index]! & 0xff);
      accepted++;
    }
    this.updateIrq();
    return accepted;
  }

  /** Bytes received but not yet read by the guest. */
  get pendingInput(): number {
    return this.rxCount;
  }

  override in8(port: number): number {
    const value = this.registers.read(port - this.basePort, 0xff);
    this.updateIrq();
    return value;
  }

  override out8(port: number, value: number): void {
    this.registers.write(port - this.basePort, value & 0xff);
    this.updateIrq();
  }

  // ---- registers ---------------------------------------------------------------

  private get dlab(): boolean {
    return (this.lcr & UART_LCR.DLAB) !== 0;
  }

  private get fifosEnabled(): boolean {
    return (this.fifoControl & UART_FCR.ENABLE) !== 0;
  }

  private readData(): number {
    if (this.dlab) return this.divisor & 0xff;
    if (this.rxCount === 0) return 0;
    const byte = this.rx[this.rxHead]!;
    this.rxHead = (this.rxHead + 1) % BACKLOG_CAPACITY;
    this.rxCount--;
    return byte;
  }

  private writeData(value: number): void {
    if (this.dlab) {
      this.divisor = (this.divisor & 0xff00) | value;
      return;
    }
    this.thrInterrupt = false;
    if ((this.mcr & UART_MCR.LOOPBACK) !== 0) {
      if (this.rxCount < BACKLOG_CAPACITY) this.pushRx(value);
    } else {
      this.onTransmit(value);
    }
    this.thrInterrupt = true; // transmitted at once: THR is empty again
  }

  private readIer(): number {
    return this.dlab ? this.divisor >>> 8 : this.ier;
  }

  private writeIer(value: number): void {
    if (this.dlab) {
      this.divisor = (this.divisor & 0xff) | (value << 8);
      return;
    }
    const enablingThre = (value & UART_IER.THR_EMPTY) !== 0 && (this.ier & UART_IER.THR_EMPTY) === 0;
    this.ier = value & UART_IER.WRITABLE;
    if (enablingThre) this.thrInterrupt = true;
  }

  private readIir(): number {
    const id = this.pendingInterrupt();
    if (id === UART_IIR.THR_EMPTY) this.thrInterrupt = false;
    return id | (this.fifosEnabled ? UART_IIR.FIFOS_ENABLED : 0);
  }

  private writeFcr(value: number): void {
    const toggled = ((value ^ this.fifoControl) & UART_FCR.ENABLE) !== 0;
    if (toggled || (value & UART_FCR.CLEAR_RX) !== 0) this.clearRx();
    this.fifoControl = value & (UART_FCR.ENABLE | (3 << UART_FCR.TRIGGER_SHIFT));
  }

  private writeMcr(value: number): void {
    const before = this.modemLines();
    this.mcr = value & UART_MCR.WRITABLE;
    const after = this.modemLines();
    const changed = before ^ after;
    // Delta bits: DCTS, DDSR, DDCD on any change; TERI only on RI going inactive (PC16550D §8.6.7).
    this.modemDeltas |= (changed >>> 4) & 0b1011;
    if ((before & UART_MSR.RI) !== 0 && (after & UART_MSR.RI) === 0) this.modemDeltas |= 0b0100;
  }

  private readLsr(): number {
    return (this.rxCount > 0 ? UART_LSR.DATA_READY : 0) | UART_LSR.THR_EMPTY | UART_LSR.TRANSMITTER_EMPTY;
  }

  private readMsr(): number {
    const value = this.modemLines() | this.modemDeltas;
    this.modemDeltas = 0;
    return value;
  }

  // ---- interrupt logic ----------------------------------------------------------

  /** The highest-priority enabled source as an IIR value, or {@link UART_IIR.NONE}. */
  private pendingInterrupt(): number {
    const ier = this.ier;
    if ((ier & UART_IER.RX_AVAILABLE) !== 0 && this.rxCount > 0) {
      const level = Math.min(this.rxCount, this.fifosEnabled ? FIFO_DEPTH : 1);
      const trigger = this.fifosEnabled ? TRIGGER_LEVELS[this.fifoControl >>> UART_FCR.TRIGGER_SHIFT]! : 1;
      return level >= trigger ? UART_IIR.RX_AVAILABLE : UART_IIR.CHARACTER_TIMEOUT;
    }
    if ((ier & UART_IER.THR_EMPTY) !== 0 && this.thrInterrupt) return UART_IIR.THR_EMPTY;
    if ((ier & UART_IER.MODEM_STATUS) !== 0 && this.modemDeltas !== 0) return UART_IIR.MODEM_STATUS;
    return UART_IIR.NONE;
  }

  private updateIrq(): void {
    const gated = (this.mcr & (UART_MCR.OUT2 | UART_MCR.LOOPBACK)) === UART_MCR.OUT2;
    const high = gated && this.pendingInterrupt() !== UART_IIR.NONE;
    if (high === this.irqHigh) return;
    this.irqHigh = high;
    if (high) this.irq.raise();
    else this.irq.lower();
  }

  private modemLines(): number {
    const mcr = this.mcr;
    if ((mcr & UART_MCR.LOOPBACK) === 0) return CONNECTED_LINES;
    return (
      ((mcr & UART_MCR.RTS) !== 0 ? UART_MSR.CTS : 0) |
      ((mcr & UART_MCR.DTR) !== 0 ? UART_MSR.DSR : 0) |
      ((mcr & UART_MCR.OUT1) !== 0 ? UART_MSR.RI : 0) |
      ((mcr & UART_MCR.OUT2) !== 0 ? UART_MSR.DCD : 0)
    );
  }

  private pushRx(byte: number): void {
    this.rx[(this.rxHead + this.rxCount) % BACKLOG_CAPACITY] = byte;
    this.rxCount++;
  }

  private clearRx(): void {
    this.rxHead = 0;
    this.rxCount = 0;
  }
}
