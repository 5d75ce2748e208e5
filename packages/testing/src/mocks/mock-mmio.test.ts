import { describe, expect, it } from "vitest";
import { installTsosMatchers, tsosMatchers } from "../matchers";
import { MockMmio } from "./mock-mmio";
import { MockPortIo } from "./mock-port-io";

installTsosMatchers(expect);

/** Offsets of a tiny device used as the code under test. */
const EOI = 0xb0;
const SVR = 0xf0;

/** A "driver" that acknowledges an interrupt: one 32-bit write of 0 to EOI. */
function acknowledge(mmio: MockMmio): void {
  mmio.write32(EOI, 0);
}

describe("MockMmio", () => {
  it("records accesses in order with width and masked value", () => {
    const mmio = new MockMmio(0x400);
    mmio.write8(0x10, 0x1ff);
    mmio.read16(0x10);
    expect(mmio.accesses).toEqual([
      { kind: "write", address: 0x10, width: 8, value: 0xff, outside: false },
      { kind: "read", address: 0x10, width: 16, value: 0xff, outside: false },
    ]);
  });

  it("serves register models, scripted reads and the memory fallback", () => {
    let enabled = 0;
    const mmio = new MockMmio(0x400)
      .onRead(SVR, () => enabled)
      .onWrite(SVR, (value) => {
        enabled = value & 0x100;
      })
      .queueReads(0x20, [1, 2]);
    mmio.write32(SVR, 0x1ff);
    expect(mmio.read32(SVR)).toBe(0x100);
    expect([mmio.read32(0x20), mmio.read32(0x20), mmio.read32(0x20)]).toEqual([1, 2, 0]);
    mmio.write32(0x30, 0xdeadbeef);
    expect(mmio.read32(0x30)).toBe(0xdeadbeef);
    expect(mmio.read8(0x31)).toBe(0xbe);
  });

  it("reads all-ones outside the region or when undecoded, never throwing", () => {
    const mmio = new MockMmio(0x10, { fallback: "all-ones" });
    expect(mmio.read32(0x4)).toBe(0xffffffff);
    expect(mmio.read16(0x10)).toBe(0xffff);
    mmio.write32(0x20, 1);
    expect(mmio.accesses.filter((access) => access.outside)).toHaveLength(2);
  });

  it("matchers accept the right EOI and catch a wrong one", () => {
    const mmio = new MockMmio(0x400);
    acknowledge(mmio);
    expect(mmio).toHaveWritten32(EOI, 0);
    expect(mmio).toHaveWrittenExactly([{ address: EOI, value: 0, width: 32 }]);
    const wrong = new MockMmio(0x400);
    wrong.write8(EOI, 0);
    expect(wrong).not.toHaveWritten32(EOI, 0);
    const result = tsosMatchers.toHaveWritten32(wrong, EOI, 0);
    expect(result.pass).toBe(false);
    expect(result.message()).toContain("write8 0xb0 = 0x0");
  });

  it("expectWrites and expectNoAccessOutside throw on the mistake they exist for", () => {
    const mmio = new MockMmio(0x1000);
    mmio.write32(SVR, 0x1ff);
    mmio.write32(0x400, 1); // beyond the 0x400-byte register window the driver owns
    expect(() => mmio.expectWrites([{ address: SVR, value: 0x1ff }])).toThrow(/actual writes/);
    expect(() => mmio.expectNoAccessOutside(0, 0x400)).toThrow(/write32 0x400 = 0x1/);
    expect(mmio).not.toHaveNoAccessOutside(0, 0x400);
    mmio.clearAccesses();
    mmio.write32(SVR, 0x1ff);
    mmio.expectWrites([{ address: SVR, value: 0x1ff, width: 32 }]);
    mmio.expectNoAccessOutside(0, 0x400);
  });
});

describe("MockPortIo", () => {
  it("reads unclaimed ports as all-ones and records in/out", () => {
    const ports = new MockPortIo();
    expect(ports.in8(0x80)).toBe(0xff);
    ports.out8(0x43, 0x34);
    ports.out8(0x40, 0x9c);
    ports.out8(0x40, 0x2e);
    expect(ports).toHaveWritten8(0x43, 0x34);
    expect(ports).toHaveRead(0x80);
    ports.expectWrites([
      { address: 0x43, value: 0x34 },
      { address: 0x40, value: 0x9c },
      { address: 0x40, value: 0x2e },
    ]);
    expect(ports.writes(0x40).map((access) => access.value)).toEqual([0x9c, 0x2e]);
  });

  it("models a status register with scripted values (poll until ready)", () => {
    const ports = new MockPortIo().queueReads(0x64, [0x02, 0x02, 0x00]);
    let polls = 0;
    while ((ports.in8(0x64) & 0x02) !== 0) polls++;
    expect(polls).toBe(2);
  });

  it("flags a port write outside the device's range", () => {
    const ports = new MockPortIo();
    ports.out8(0x3f8, 0x41);
    ports.out8(0x3ff + 1, 0);
    expect(() => ports.expectNoAccessOutside(0x3f8, 0x400)).toThrow(/0x400/);
  });
});
