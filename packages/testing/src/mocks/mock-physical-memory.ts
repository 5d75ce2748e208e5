/**
 * `MockPhysicalMemory`: `PhysicalMemory` over one ArrayBuffer, with the
 * interface's exact outcomes (little-endian, unaligned allowed, `RangeError`
 * for any byte outside memory) and a log of `notifyWritten` calls so tests
 * can check that DMA-style writers announce their writes.
 *
 * It is the base of `MockMemoryController`, which adds frame allocation.
 */
import type { PhysicalMemory } from "@tsos/hw-x86";

const TWO_POW_32 = 4294967296;
/** Largest high half of a 64-bit value below 2^53. */
const MAX_SAFE_HIGH = 0x1fffff;

/** Byte-addressed little-endian memory over an ArrayBuffer. */
export class MockPhysicalMemory implements PhysicalMemory {
  readonly size: number;
  /** The backing store (tests may inspect it directly). */
  readonly buffer: ArrayBuffer;
  /** Every `notifyWritten(address, length)`, in order. */
  readonly notifications: { readonly address: number; readonly length: number }[] = [];
  private readonly view: DataView;
  private readonly bytesView: Uint8Array;

  /** `size` bytes of zeroed memory. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`MockPhysicalMemory: bad size ${size}`);
    this.size = size;
    this.buffer = new ArrayBuffer(size);
    this.view = new DataView(this.buffer);
    this.bytesView = new Uint8Array(this.buffer);
  }

  read8(address: number): number {
    this.check(address, 1);
    return this.view.getUint8(address);
  }
  read16(address: number): number {
    this.check(address, 2);
    return this.view.getUint16(address, true);
  }
  read32(address: number): number {
    this.check(address, 4);
    return this.view.getUint32(address, true);
  }
  read64Number(address: number): number {
    this.check(address, 8);
    const high = this.view.getUint32(address + 4, true);
    if (high > MAX_SAFE_HIGH) return Number.NaN;
    return high * TWO_POW_32 + this.view.getUint32(address, true);
  }
  read64(address: number): bigint {
    this.check(address, 8);
    return this.view.getBigUint64(address, true);
  }
  write8(address: number, value: number): void {
    this.check(address, 1);
    this.view.setUint8(address, value);
  }
  write16(address: number, value: number): void {
    this.check(address, 2);
    this.view.setUint16(address, value, true);
  }
  write32(address: number, value: number): void {
    this.check(address, 4);
    this.view.setUint32(address, value >>> 0, true);
  }
  write64Number(address: number, value: number): void {
    this.check(address, 8);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`write64Number: ${value} is not a non-negative integer below 2^53`);
    }
    const high = Math.floor(value / TWO_POW_32);
    this.view.setUint32(address, value - high * TWO_POW_32, true);
    this.view.setUint32(address + 4, high, true);
  }
  write64(address: number, value: bigint): void {
    this.check(address, 8);
    this.view.setBigUint64(address, BigInt.asUintN(64, value), true);
  }
  bytes(address: number, length: number): Uint8Array {
    this.check(address, length);
    return this.bytesView.subarray(address, address + length);
  }
  notifyWritten(address: number, length: number): void {
    this.notifications.push({ address, length });
  }

  /** Throws `RangeError` unless `[address, address + length)` lies inside memory. */
  protected check(address: number, length: number): void {
    if (
      !Number.isInteger(address) ||
      !Number.isInteger(length) ||
      address < 0 ||
      length < 0 ||
      address + length > this.size
    ) {
      throw new RangeError(`physical access [${address}, +${length}) outside memory of ${this.size} bytes`);
    }
  }
}
