/**
 * Emulated RAM: one `ArrayBuffer` of `size` bytes at physical address 0
 * (DESIGN §2), implementing {@link PhysicalMemory} for devices and the
 * kernel, and exposing typed views (`u8`, `view`) for the CPU's fast paths.
 *
 * Decoded-code invalidation: `codePages` holds one byte per 4 KiB page, set
 * by the CPU's decoded-instruction cache when it caches instructions decoded
 * from that page. Any write through this class, or reported through
 * {@link PhysicalRam.notifyWritten}, to a flagged page clears the flag and
 * calls the registered {@link CodeWriteListener}, so stale decodings are
 * never executed. The CPU's own stores check the same flags.
 *
 * Invariants: `size` is a multiple of 4096; accesses with any byte outside
 * `[0, size)` throw `RangeError` (a caller bug, never a guest outcome).
 */
import type { PhysicalMemory } from "../interfaces/physical-memory";

/** Called with a physical page number when a page holding decoded code is written. */
export type CodeWriteListener = (page: number) => void;

const PAGE_SHIFT = 12;
const TWO_POW_32 = 4294967296;

/** Flat little-endian RAM over one ArrayBuffer. */
export class PhysicalRam implements PhysicalMemory {
  /** Size in bytes. */
  readonly size: number;
  /** Byte view of all of RAM (hot paths). */
  readonly u8: Uint8Array;
  /** DataView of all of RAM (little-endian multi-byte accesses). */
  readonly view: DataView;
  /** One byte per 4 KiB page: non-zero while decoded instructions from that page are cached. */
  readonly codePages: Uint8Array;
  private listener: CodeWriteListener | null = null;

  /** Allocates `size` bytes of zeroed RAM; `size` must be a positive multiple of 4096. */
  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size <= 0 || size % 4096 !== 0) {
      throw new RangeError(`PhysicalRam: size ${size} is not a positive multiple of 4096`);
    }
    this.size = size;
    const buffer = new ArrayBuffer(size);
    this.u8 = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.codePages = new Uint8Array(size >>> PAGE_SHIFT);
  }

  /** Registers the (single) listener told about writes to pages holding decoded code. */
  setCodeWriteListener(listener: CodeWriteListener | null): void {
    this.listener = listener;
  }

  /** Invalidates decoded code on `page` if any is cached; called by every write path. */
  invalidateCodePage(page: number): void {
    if (this.codePages[page] === 0) return;
    this.codePages[page] = 0;
    if (this.listener !== null) this.listener(page);
  }

  read8(address: number): number {
    this.check(address, 1);
    return this.u8[address]!;
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
    if (high > 0x1fffff) return Number.NaN;
    return high * TWO_POW_32 + this.view.getUint32(address, true);
  }
  read64(address: number): bigint {
    this.check(address, 8);
    return this.view.getBigUint64(address, true);
  }

  write8(address: number, value: number): void {
    this.check(address, 1);
    this.u8[address] = value;
    this.touched(address, 1);
  }
  write16(address: number, value: number): void {
    this.check(address, 2);
    this.view.setUint16(address, value, true);
    this.touched(address, 2);
  }
  write32(address: number, value: number): void {
    this.check(address, 4);
    this.view.setUint32(address, value >>> 0, true);
    this.touched(address, 4);
  }
  write64Number(address: number, value: number): void {
    this.check(address, 8);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`write64Number: ${value} is not a non-negative safe integer`);
    }
    const high = Math.floor(value / TWO_POW_32);
    this.view.setUint32(address, value - high * TWO_POW_32, true);
    this.view.setUint32(address + 4, high, true);
    this.touched(address, 8);
  }
  write64(address: number, value: bigint): void {
    this.check(address, 8);
    this.view.setBigUint64(address, BigInt.asUintN(64, value), true);
    this.touched(address, 8);
  }

  bytes(address: number, length: number): Uint8Array {
    this.check(address, length);
    return this.u8.subarray(address, address + length);
  }

  notifyWritten(address: number, length: number): void {
    if (length <= 0) return;
    this.check(address, length);
    this.touched(address, length);
  }

  private touched(address: number, length: number): void {
    const last = (address + length - 1) >>> PAGE_SHIFT;
    for (let page = address >>> PAGE_SHIFT; page <= last; page++) {
      if (this.codePages[page] !== 0) this.invalidateCodePage(page);
    }
  }

  private check(address: number, length: number): void {
    if (!(address >= 0 && length >= 0 && address + length <= this.size && Number.isInteger(address))) {
      throw new RangeError(`physical access [${address}, +${length}) outside RAM of ${this.size} bytes`);
    }
  }
}
