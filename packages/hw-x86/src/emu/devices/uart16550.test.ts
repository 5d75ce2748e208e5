import { describe, expect, it } from "vitest";
import type { IrqLine } from "../../interfaces/irq-line";
import { COM1, Uart16550 } from "./uart16550";

const DATA = COM1.BASE;
const IER = COM1.BASE + 1;
const IIR = COM1.BASE + 2;
const FCR = COM1.BASE + 2;
const LCR = COM1.BASE + 3;
const MCR = COM1.BASE + 4;
const LSR = COM1.BASE + 5;
const MSR = COM1.BASE + 6;
const SCR = COM1.BASE + 7;

function setup() {
  const line = { high: false, raises: 0 };
  const irq: IrqLine = {
    raise: () => {
      if (!line.high) line.raises++;
      line.high = true;
    },
    lower: () => {
      line.high = false;
    },
    pulse: () => {
      line.raises++;
    },
  };
  const sent: number[] = [];
  const uart = new Uart16550({ irq, onTransmit: (byte) => sent.push(byte) });
  return { uart, sent, line };
}

describe("Uart16550 transmit and receive", () => {
  it("delivers transmitted bytes to the host in order", () => {
    const { uart, sent } = setup();
    for (const char of "hello\n") uart.out8(DATA, char.charCodeAt(0));
    expect(String.fromCharCode(...sent)).toBe("hello\n");
    expect(uart.in8(LSR) & 0x60).toBe(0x60); // THRE and TEMT
  });

  it("queues host input: LSR.DR, then RBR pops bytes in order", () => {
    const { uart } = setup();
    expect(uart.in8(LSR) & 1).toBe(0);
    expect(uart.receive([0x41, 0x42])).toBe(2);
    expect(uart.in8(LSR) & 1).toBe(1);
    expect(uart.in8(DATA)).toBe(0x41);
    expect(uart.in8(DATA)).toBe(0x42);
    expect(uart.in8(LSR) & 1).toBe(0);
  });

  it("selects the divisor latch with LCR.DLAB without touching IER", () => {
    const { uart, sent } = setup();
    uart.out8(IER, 0x01);
    uart.out8(LCR, 0x80);
    uart.out8(DATA, 0x03);
    uart.out8(IER, 0x00);
    expect(uart.divisorLatch).toBe(3);
    expect(uart.in8(DATA)).toBe(0x03);
    expect(uart.in8(IER)).toBe(0x00);
    uart.out8(LCR, 0x03);
    expect(uart.in8(IER)).toBe(0x01);
    expect(sent).toEqual([]); // DLL writes are not transmissions
  });

  it("keeps the scratch register", () => {
    const { uart } = setup();
    uart.out8(SCR, 0x5a);
    expect(uart.in8(SCR)).toBe(0x5a);
  });
});

describe("Uart16550 interrupts", () => {
  it("reports IIR sources by priority: received data before THR empty", () => {
    const { uart } = setup();
    uart.out8(IER, 0x03);
    expect(uart.in8(IIR)).toBe(0x02); // enabling ETBEI with THR empty latches THRE
    expect(uart.in8(IIR)).toBe(0x01); // reading IIR cleared it
    uart.out8(DATA, 0x61); // THR empties again at once
    uart.receive([0x31]);
    expect(uart.in8(IIR)).toBe(0x04);
    expect(uart.in8(DATA)).toBe(0x31);
    expect(uart.in8(IIR)).toBe(0x02);
    expect(uart.in8(IIR)).toBe(0x01);
  });

  it("drives the IRQ line only while OUT2 is set and a source is enabled and pending", () => {
    const { uart, line } = setup();
    uart.out8(IER, 0x01);
    uart.receive([1]);
    expect(line.high).toBe(false); // OUT2 clear: not wired to the PIC/IOAPIC
    uart.out8(MCR, 0x08);
    expect(line.high).toBe(true);
    uart.in8(DATA);
    expect(line.high).toBe(false);
    uart.receive([2]);
    expect(line.raises).toBe(2);
  });

  it("uses the FIFO trigger level, with a character timeout below it", () => {
    const { uart } = setup();
    uart.out8(FCR, 0xc1); // enable, trigger 14
    uart.out8(IER, 0x01);
    uart.receive(new Uint8Array(5));
    expect(uart.in8(IIR)).toBe(0xc0 | 0x0c);
    uart.receive(new Uint8Array(9));
    expect(uart.in8(IIR)).toBe(0xc0 | 0x04);
    uart.out8(FCR, 0xc3); // clear RX FIFO
    expect(uart.in8(LSR) & 1).toBe(0);
    expect(uart.in8(IIR)).toBe(0xc1);
  });

  it("loops bytes back and mirrors MCR in MSR in loopback mode", () => {
    const { uart, sent, line } = setup();
    uart.out8(IER, 0x09);
    uart.out8(MCR, 0x10 | 0x08 | 0x01); // loopback, OUT2, DTR
    uart.out8(DATA, 0x55);
    expect(sent).toEqual([]);
    expect(uart.in8(DATA)).toBe(0x55);
    const msr = uart.in8(MSR);
    expect(msr & 0xf0).toBe(0x20 | 0x80); // DSR = DTR, DCD = OUT2
    expect(msr & 0x0f).not.toBe(0); // deltas from entering loopback
    expect(uart.in8(MSR) & 0x0f).toBe(0); // reading MSR cleared them
    expect(line.high).toBe(false); // IRQ output disconnected in loopback
  });

  it("reports CTS, DSR and DCD for the connected host end", () => {
    const { uart } = setup();
    expect(uart.in8(MSR)).toBe(0xb0);
  });
});

describe("Uart16550 bad input", () => {
  it("ignores writes to LSR and MSR and counts accesses outside its ports", () => {
    const { uart } = setup();
    uart.out8(LSR, 0);
    uart.out8(MSR, 0);
    expect(uart.counters.readOnlyWrites).toBe(2);
    expect(uart.in8(COM1.BASE + 8)).toBe(0xff);
    expect(uart.counters.unknownReads).toBe(1);
    expect(uart.in8(DATA)).toBe(0); // empty receiver
  });
});
