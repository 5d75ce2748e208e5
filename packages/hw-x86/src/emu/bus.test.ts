/**
 * Bus dispatch: MMIO and port routing, region boundaries, all-ones for
 * unclaimed accesses at every width, counters, split wide accesses, and
 * rejection of bad or overlapping mappings.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MmioRegion } from "../interfaces/mmio-region";
import type { PortIo } from "../interfaces/port-io";
import { Bus } from "./bus";

/** A region that logs every access as "r8@offset" / "w32@offset=value" and reads back a fixed pattern. */
class LoggingRegion implements MmioRegion {
  readonly log: string[] = [];
  constructor(
    readonly size: number,
    private readonly pattern: number,
  ) {}
  read8(offset: number): number {
    this.log.push(`r8@${offset}`);
    return (this.pattern + offset) & 0xff;
  }
  read16(offset: number): number {
    this.log.push(`r16@${offset}`);
    return (this.pattern + offset) & 0xffff;
  }
  read32(offset: number): number {
    this.log.push(`r32@${offset}`);
    return (this.pattern + offset) >>> 0;
  }
  write8(offset: number, value: number): void {
    this.log.push(`w8@${offset}=${value}`);
  }
  write16(offset: number, value: number): void {
    this.log.push(`w16@${offset}=${value}`);
  }
  write32(offset: number, value: number): void {
    this.log.push(`w32@${offset}=${value}`);
  }
}

/** A port device that logs accesses by absolute port and reads back `port + 1` (masked to the width). */
class LoggingPorts implements PortIo {
  readonly log: string[] = [];
  in8(port: number): number {
    this.log.push(`in8@${port}`);
    return (port + 1) & 0xff;
  }
  in16(port: number): number {
    this.log.push(`in16@${port}`);
    return (port + 1) & 0xffff;
  }
  in32(port: number): number {
    this.log.push(`in32@${port}`);
    return port + 1;
  }
  out8(port: number, value: number): void {
    this.log.push(`out8@${port}=${value}`);
  }
  out16(port: number, value: number): void {
    this.log.push(`out16@${port}=${value}`);
  }
  out32(port: number, value: number): void {
    this.log.push(`out32@${port}=${value}`);
  }
}

const LAPIC_BASE = 0xfee00000;
const IOAPIC_BASE = 0xfec00000;
const PAGE = 4096;
const COM1 = 0x3f8;

describe("Bus MMIO", () => {
  it("routes each width to the region holding the address, with the offset from its base", () => {
    const bus = new Bus();
    const lapic = new LoggingRegion(PAGE, 0x1000);
    const ioapic = new LoggingRegion(0x20, 0x2000);
    bus.mapMmio(LAPIC_BASE, lapic, "lapic0");
    bus.mapMmio(IOAPIC_BASE, ioapic, "ioapic");
    expect(bus.readMmio(LAPIC_BASE + 0x20, 4)).toBe(0x1020);
    expect(bus.readMmio(IOAPIC_BASE + 0x10, 2)).toBe(0x2010);
    expect(bus.readMmio(LAPIC_BASE + 0xb0, 1)).toBe(0xb0);
    bus.writeMmio(LAPIC_BASE + 0xb0, 4, 0);
    bus.writeMmio(IOAPIC_BASE, 1, 0x12);
    bus.writeMmio(IOAPIC_BASE + 2, 2, 0x3456);
    expect(lapic.log).toEqual(["r32@32", "r8@176", "w32@176=0"]);
    expect(ioapic.log).toEqual(["r16@16", "w8@0=18", "w16@2=13398"]);
    expect(bus.stats.unclaimedMmioReads).toBe(0);
  });

  it("claims the first and last byte of a region and nothing beyond", () => {
    const bus = new Bus();
    const region = new LoggingRegion(0x100, 0);
    bus.mapMmio(0x10000, region, "dev");
    expect(bus.claimsMmio(0x10000)).toBe(true);
    expect(bus.claimsMmio(0x100ff)).toBe(true);
    expect(bus.claimsMmio(0xffff)).toBe(false);
    expect(bus.claimsMmio(0x10100)).toBe(false);
    expect(bus.readMmio(0x100fc, 4)).toBe(0xfc);
    expect(bus.readMmio(0x100fd, 4)).toBe(0xffffffff);
    expect(bus.readMmio(0xfffe, 4)).toBe(0xffffffff);
    expect(region.log).toEqual(["r32@252"]);
  });

  it("reads unclaimed addresses as all-ones for each width and counts reads and writes", () => {
    const bus = new Bus();
    expect(bus.readMmio(0x1234, 1)).toBe(0xff);
    expect(bus.readMmio(0x1234, 2)).toBe(0xffff);
    expect(bus.readMmio(0x1238, 4)).toBe(0xffffffff);
    bus.writeMmio(0x5000, 4, 7);
    expect(bus.stats.unclaimedMmioReads).toBe(3);
    expect(bus.stats.unclaimedMmioWrites).toBe(1);
    expect(bus.stats.lastUnclaimedMmioAddress).toBe(0x5000);
  });

  it("splits 64-bit accesses into two 32-bit ones, low half first", () => {
    const bus = new Bus();
    const region = new LoggingRegion(PAGE, 0x10);
    bus.mapMmio(LAPIC_BASE, region, "lapic0");
    const out = new Uint32Array(3);
    bus.readMmio64Halves(LAPIC_BASE + 8, out, 1);
    expect([...out]).toEqual([0, 0x18, 0x1c]);
    bus.writeMmio64(LAPIC_BASE + 0x310, 0xaaaa, 0xbbbb);
    expect(region.log).toEqual(["r32@8", "r32@12", `w32@${0x310}=${0xaaaa}`, `w32@${0x314}=${0xbbbb}`]);
  });

  it("rejects overlapping and malformed mappings", () => {
    const bus = new Bus();
    bus.mapMmio(0x2000, new LoggingRegion(0x1000, 0), "a");
    expect(() => bus.mapMmio(0x2fff, new LoggingRegion(1, 0), "b")).toThrow(/overlaps a/);
    expect(() => bus.mapMmio(0x1000, new LoggingRegion(0x1001, 0), "c")).toThrow(/overlaps a/);
    expect(() => bus.mapMmio(0x1000, new LoggingRegion(0x4000, 0), "d")).toThrow(/overlaps a/);
    expect(() => bus.mapMmio(-1, new LoggingRegion(1, 0), "e")).toThrow(/bad range/);
    expect(() => bus.mapMmio(0, new LoggingRegion(0, 0), "f")).toThrow(/bad range/);
    expect(() => bus.mapMmio(2 ** 52 - 1, new LoggingRegion(2, 0), "g")).toThrow(/2\^52/);
    bus.mapMmio(0x1000, new LoggingRegion(0x1000, 0), "adjacent-below");
    bus.mapMmio(0x3000, new LoggingRegion(0x1000, 0), "adjacent-above");
    expect(bus.mappings().map((entry) => entry.name)).toEqual(["adjacent-below", "a", "adjacent-above"]);
  });

  it("finds the right region among many, in any mapping order (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(63), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(64 * 0x100 - 1), { maxLength: 50 }),
        (slots, probes) => {
          const bus = new Bus();
          for (const slot of slots) bus.mapMmio(slot * 0x100, new LoggingRegion(0x80, slot << 8), `r${slot}`);
          for (const address of probes) {
            const slot = address >> 8;
            const inside = slots.includes(slot) && (address & 0xff) < 0x80;
            expect(bus.readMmio(address, 1)).toBe(inside ? address & 0xff : 0xff);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("Bus ports", () => {
  it("dispatches by absolute port number at every width", () => {
    const bus = new Bus();
    const uart = new LoggingPorts();
    bus.mapPorts(COM1, 8, uart, "com1");
    expect(bus.in8(COM1 + 5)).toBe((COM1 + 6) & 0xff);
    expect(bus.in16(COM1)).toBe(COM1 + 1);
    expect(bus.in32(COM1 + 4)).toBe(COM1 + 5);
    bus.out8(COM1, 0x41);
    bus.out16(COM1 + 2, 0x1234);
    bus.out32(COM1 + 4, 0xdeadbeef);
    expect(uart.log).toEqual([
      `in8@${COM1 + 5}`,
      `in16@${COM1}`,
      `in32@${COM1 + 4}`,
      `out8@${COM1}=65`,
      `out16@${COM1 + 2}=4660`,
      `out32@${COM1 + 4}=${0xdeadbeef}`,
    ]);
  });

  it("reads unclaimed ports as all-ones for each width and counts once per access", () => {
    const bus = new Bus();
    expect(bus.in8(0x80)).toBe(0xff);
    expect(bus.in16(0x80)).toBe(0xffff);
    expect(bus.in32(0x80)).toBe(0xffffffff);
    bus.out8(0x80, 1);
    bus.out32(0x84, 1);
    expect(bus.stats.unclaimedPortReads).toBe(3);
    expect(bus.stats.unclaimedPortWrites).toBe(2);
    expect(bus.stats.lastUnclaimedPort).toBe(0x84);
  });

  it("splits a wide access straddling a device edge into little-endian byte accesses", () => {
    const bus = new Bus();
    const device = new LoggingPorts();
    bus.mapPorts(0x60, 1, device, "ps2-data");
    expect(bus.in16(0x5f)).toBe(0xff | (0x61 << 8));
    expect(bus.in32(0x60)).toBe((0x61 | 0xffffff00) >>> 0);
    bus.out16(0x60, 0xabcd);
    expect(device.log).toEqual(["in8@96", "in8@96", "out8@96=205"]);
    expect(bus.stats.unclaimedPortReads).toBe(4);
    expect(bus.stats.unclaimedPortWrites).toBe(1);
  });

  it("wraps port numbers to 16 bits and does not run past port 0xFFFF", () => {
    const bus = new Bus();
    const device = new LoggingPorts();
    bus.mapPorts(0xffff, 1, device, "last");
    expect(bus.in8(0x1ffff)).toBe(0);
    expect(bus.in16(0xffff)).toBe(0xff00);
    expect(device.log).toEqual(["in8@65535", "in8@65535"]);
  });

  it("rejects overlapping and malformed port ranges", () => {
    const bus = new Bus();
    bus.mapPorts(0x40, 4, new LoggingPorts(), "pit");
    expect(() => bus.mapPorts(0x43, 2, new LoggingPorts(), "x")).toThrow(/0x0043 already claimed by pit/);
    expect(() => bus.mapPorts(0xffff, 2, new LoggingPorts(), "y")).toThrow(/bad range/);
    expect(() => bus.mapPorts(0x100, 0, new LoggingPorts(), "z")).toThrow(/bad range/);
    bus.mapPorts(0x44, 1, new LoggingPorts(), "adjacent");
  });
});

describe("Bus map", () => {
  it("describes MMIO by address, then ports by number", () => {
    const bus = new Bus();
    bus.mapPorts(COM1, 8, new LoggingPorts(), "com1");
    bus.mapPorts(0x60, 1, new LoggingPorts(), "ps2-data");
    bus.mapMmio(LAPIC_BASE, new LoggingRegion(PAGE, 0), "lapic0");
    bus.mapMmio(IOAPIC_BASE, new LoggingRegion(0x20, 0), "ioapic");
    expect(bus.describe().split("\n")).toEqual([
      "mmio  0x00000000fec00000-0x00000000fec0001f  ioapic",
      "mmio  0x00000000fee00000-0x00000000fee00fff  lapic0",
      "ports 0x0060-0x0060  ps2-data",
      "ports 0x03f8-0x03ff  com1",
    ]);
  });
});
