/**
 * The machine's address decoder: routes CPU and DMA accesses to the MMIO
 * region or I/O-port device that claims them (DESIGN §2, "Bus").
 *
 * MMIO: regions live in arrays sorted by base (`mmioBases`, `mmioEnds`,
 * `mmioRegions`); a lookup is a one-entry cache check, then a binary search.
 * Ports: a 64 Ki-entry table maps each port to its device's index + 1
 * (0 = unclaimed), so a port access is one typed-array load.
 *
 * Invariants:
 * - Mapped ranges never overlap; mapping is host configuration and throws
 *   on overlap or a bad range. Guest accesses never throw.
 * - An MMIO access is claimed only if all its bytes lie in one region; the
 *   region receives the offset from its base.
 * - Port devices receive the absolute port number (as `PortIo` defines).
 *   A 16/32-bit port access whose ports all belong to one device goes to
 *   that device as one wide access; otherwise it is split into byte
 *   accesses, little-endian, each to its own owner.
 * - Unclaimed reads return all-ones for the width, unclaimed writes are
 *   dropped; both are counted in {@link Bus.stats} with the last address.
 * - No allocation per access.
 */
import type { MmioRegion } from "../interfaces/mmio-region";
import type { PortIo } from "../interfaces/port-io";

/** Width of one MMIO access in bytes (8-byte CPU accesses are split by {@link Bus.readMmio64Halves}). */
export type MmioWidth = 1 | 2 | 4;

/** Number of I/O ports (port numbers 0–0xFFFF). */
export const PORT_COUNT = 0x10000;
/** Highest physical address + 1 the bus decodes (2^52, the architectural MAXPHYADDR limit). */
export const PHYSICAL_ADDRESS_LIMIT = 2 ** 52;

const PORT_MASK = PORT_COUNT - 1;
const NONE = -1;

/** Counters of accesses nobody claimed (diagnostics; `-1` means "none yet"). */
export interface BusStats {
  /** MMIO reads no region claimed (each returned all-ones). */
  unclaimedMmioReads: number;
  /** MMIO writes no region claimed (each dropped). */
  unclaimedMmioWrites: number;
  /** Port reads no device claimed; a split wide access counts each unclaimed byte. */
  unclaimedPortReads: number;
  /** Port writes no device claimed; a split wide access counts each unclaimed byte. */
  unclaimedPortWrites: number;
  /** Physical address of the latest unclaimed MMIO access, or -1. */
  lastUnclaimedMmioAddress: number;
  /** Port of the latest unclaimed port access, or -1. */
  lastUnclaimedPort: number;
}

/** One entry of the bus map, as {@link Bus.mappings} reports it. */
export interface BusMapping {
  /** Memory-mapped window or I/O-port range. */
  readonly kind: "mmio" | "ports";
  /** First address (or port) claimed. */
  readonly first: number;
  /** Last address (or port) claimed, inclusive. */
  readonly last: number;
  /** The name given when mapping (e.g. "lapic0", "com1"). */
  readonly name: string;
}

/** MMIO and port dispatch for the emulated machine. Also a {@link PortIo} over the whole port space. */
export class Bus implements PortIo {
  /** Unclaimed-access counters; reset by the owner if it wants intervals. */
  readonly stats: BusStats = {
    unclaimedMmioReads: 0,
    unclaimedMmioWrites: 0,
    unclaimedPortReads: 0,
    unclaimedPortWrites: 0,
    lastUnclaimedMmioAddress: NONE,
    lastUnclaimedPort: NONE,
  };

  private mmioBases = new Float64Array(0);
  private mmioEnds = new Float64Array(0);
  private mmioRegions: MmioRegion[] = [];
  private mmioNames: string[] = [];
  private cachedIndex = NONE;
  private readonly portOwner = new Uint16Array(PORT_COUNT);
  private readonly portDevices: PortIo[] = [];
  private readonly portRanges: BusMapping[] = [];

  /**
   * Maps `region` at physical `base` for `region.size` bytes. Throws `Error`
   * for a bad range (base and size must be integers, size positive, the end
   * at most {@link PHYSICAL_ADDRESS_LIMIT}) or an overlap with a mapped region.
   */
  mapMmio(base: number, region: MmioRegion, name: string): void {
    const end = base + region.size;
    if (!Number.isSafeInteger(base) || base < 0 || !Number.isSafeInteger(region.size) || region.size <= 0) {
      throw new Error(`Bus.mapMmio(${name}): bad range base=${base} size=${region.size}`);
    }
    if (end > PHYSICAL_ADDRESS_LIMIT) throw new Error(`Bus.mapMmio(${name}): ends above 2^52`);
    let insertAt = 0;
    while (insertAt < this.mmioRegions.length && this.mmioBases[insertAt]! < base) insertAt++;
    // Regions are sorted and disjoint, so only the neighbours of the insertion point can overlap.
    for (const index of [insertAt - 1, insertAt]) {
      if (index < 0 || index >= this.mmioRegions.length) continue;
      if (this.mmioBases[index]! < end && base < this.mmioEnds[index]!) {
        throw new Error(
          `Bus.mapMmio(${name}): ${formatRange(base, end - 1)} overlaps ${this.mmioNames[index]}`,
        );
      }
    }
    this.mmioRegions.splice(insertAt, 0, region);
    this.mmioNames.splice(insertAt, 0, name);
    this.mmioBases = insertInto(this.mmioBases, insertAt, base);
    this.mmioEnds = insertInto(this.mmioEnds, insertAt, end);
    this.cachedIndex = NONE;
  }

  /** Maps `device` on ports `[firstPort, firstPort + count)`. Throws `Error` for a bad range or a port already claimed. */
  mapPorts(firstPort: number, count: number, device: PortIo, name: string): void {
    const last = firstPort + count - 1;
    if (
      !Number.isInteger(firstPort) ||
      !Number.isInteger(count) ||
      count <= 0 ||
      firstPort < 0 ||
      last > PORT_MASK
    ) {
      throw new Error(`Bus.mapPorts(${name}): bad range first=${firstPort} count=${count}`);
    }
    for (let port = firstPort; port <= last; port++) {
      const owner = this.portOwner[port]!;
      if (owner !== 0)
        throw new Error(
          `Bus.mapPorts(${name}): port ${formatPort(port)} already claimed by ${this.portRanges[owner - 1]!.name}`,
        );
    }
    this.portDevices.push(device);
    this.portRanges.push({ kind: "ports", first: firstPort, last, name });
    this.portOwner.fill(this.portDevices.length, firstPort, last + 1);
  }

  /** True if some region claims the byte at `address` (the MMU asks this for addresses outside RAM). */
  claimsMmio(address: number): boolean {
    return this.findRegion(address, 1) !== NONE;
  }

  /** Reads `width` bytes at physical `address`: the region's value, or all-ones when unclaimed. */
  readMmio(address: number, width: MmioWidth): number {
    const index = this.findRegion(address, width);
    if (index === NONE) {
      this.stats.unclaimedMmioReads++;
      this.stats.lastUnclaimedMmioAddress = address;
      return allOnes(width);
    }
    const region = this.mmioRegions[index]!;
    const offset = address - this.mmioBases[index]!;
    if (width === 4) return region.read32(offset);
    if (width === 2) return region.read16(offset);
    return region.read8(offset);
  }

  /** Writes the low `width` bytes of `value` at physical `address`; dropped (and counted) when unclaimed. */
  writeMmio(address: number, width: MmioWidth, value: number): void {
    const index = this.findRegion(address, width);
    if (index === NONE) {
      this.stats.unclaimedMmioWrites++;
      this.stats.lastUnclaimedMmioAddress = address;
      return;
    }
    const region = this.mmioRegions[index]!;
    const offset = address - this.mmioBases[index]!;
    if (width === 4) region.write32(offset, value);
    else if (width === 2) region.write16(offset, value);
    else region.write8(offset, value);
  }

  /** An 8-byte read as two 4-byte reads, low half first: `out[at]` = low, `out[at + 1]` = high. */
  readMmio64Halves(address: number, out: Uint32Array, at = 0): void {
    out[at] = this.readMmio(address, 4);
    out[at + 1] = this.readMmio(address + 4, 4);
  }

  /** An 8-byte write as two 4-byte writes, low half first. */
  writeMmio64(address: number, low: number, high: number): void {
    this.writeMmio(address, 4, low);
    this.writeMmio(address + 4, 4, high);
  }

  /** `in al, dx`. */
  in8(port: number): number {
    return this.portRead(port & PORT_MASK, 1);
  }

  /** `in ax, dx`. */
  in16(port: number): number {
    return this.portRead(port & PORT_MASK, 2);
  }

  /** `in eax, dx`. */
  in32(port: number): number {
    return this.portRead(port & PORT_MASK, 4);
  }

  /** `out dx, al`. */
  out8(port: number, value: number): void {
    this.portWrite(port & PORT_MASK, 1, value & 0xff);
  }

  /** `out dx, ax`. */
  out16(port: number, value: number): void {
    this.portWrite(port & PORT_MASK, 2, value & 0xffff);
  }

  /** `out dx, eax`. */
  out32(port: number, value: number): void {
    this.portWrite(port & PORT_MASK, 4, value >>> 0);
  }

  /** Every mapping, MMIO by address then ports in mapping order. */
  mappings(): BusMapping[] {
    const mmio = this.mmioRegions.map((_, index) => ({
      kind: "mmio" as const,
      first: this.mmioBases[index]!,
      last: this.mmioEnds[index]! - 1,
      name: this.mmioNames[index]!,
    }));
    const ports = [...this.portRanges].sort((a, b) => a.first - b.first);
    return [...mmio, ...ports];
  }

  /** The map as text, one mapping per line (for a `--devices` report). */
  describe(): string {
    return this.mappings()
      .map((entry) =>
        entry.kind === "mmio"
          ? `mmio  ${formatRange(entry.first, entry.last)}  ${entry.name}`
          : `ports ${formatPort(entry.first)}-${formatPort(entry.last)}  ${entry.name}`,
      )
      .join("\n");
  }

  /** Index of the region holding all of `[address, address + width)`, or -1. */
  private findRegion(address: number, width: number): number {
    const cached = this.cachedIndex;
    if (cached !== NONE && address >= this.mmioBases[cached]! && address + width <= this.mmioEnds[cached]!) {
      return cached;
    }
    let low = 0;
    let high = this.mmioRegions.length - 1;
    let found = NONE;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.mmioBases[middle]! <= address) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found === NONE || address + width > this.mmioEnds[found]!) return NONE;
    this.cachedIndex = found;
    return found;
  }

  /** True if ports `[port, port + width)` exist and all have owner `owner` (0 = unclaimed). */
  private sameOwner(port: number, width: number, owner: number): boolean {
    if (port + width - 1 > PORT_MASK) return false;
    for (let next = port + 1; next < port + width; next++) if (this.portOwner[next] !== owner) return false;
    return true;
  }

  private portRead(port: number, width: MmioWidth): number {
    const owner = this.portOwner[port]!;
    if (width > 1 && !this.sameOwner(port, width, owner)) return this.splitIn(port, width);
    if (owner === 0) return this.unclaimedPortRead(port, width);
    const device = this.portDevices[owner - 1]!;
    return width === 1 ? device.in8(port) : width === 2 ? device.in16(port) : device.in32(port);
  }

  private portWrite(port: number, width: MmioWidth, value: number): void {
    const owner = this.portOwner[port]!;
    if (width > 1 && !this.sameOwner(port, width, owner)) this.splitOut(port, width, value);
    else if (owner === 0) this.unclaimedPortWrite(port);
    else if (width === 1) this.portDevices[owner - 1]!.out8(port, value);
    else if (width === 2) this.portDevices[owner - 1]!.out16(port, value);
    else this.portDevices[owner - 1]!.out32(port, value);
  }

  /** A wide port read served byte by byte, little-endian; bytes past port 0xFFFF are unclaimed. */
  private splitIn(port: number, width: number): number {
    let value = 0;
    for (let byte = 0; byte < width; byte++) {
      const next = port + byte;
      value |= (next > PORT_MASK ? this.unclaimedPortRead(next, 1) : this.portRead(next, 1)) << (8 * byte);
    }
    return value >>> 0;
  }

  /** A wide port write delivered byte by byte, little-endian; bytes past port 0xFFFF are unclaimed. */
  private splitOut(port: number, width: number, value: number): void {
    for (let byte = 0; byte < width; byte++) {
      const next = port + byte;
      if (next > PORT_MASK) this.unclaimedPortWrite(next);
      else this.portWrite(next, 1, (value >>> (8 * byte)) & 0xff);
    }
  }

  private unclaimedPortRead(port: number, width: MmioWidth): number {
    this.stats.unclaimedPortReads++;
    this.stats.lastUnclaimedPort = port;
    return allOnes(width);
  }

  private unclaimedPortWrite(port: number): void {
    this.stats.unclaimedPortWrites++;
    this.stats.lastUnclaimedPort = port;
  }
}

/** What a floating bus reads: every bit set, for the access width. */
function allOnes(width: number): number {
  return width === 1 ? 0xff : width === 2 ? 0xffff : 0xffffffff;
}

function insertInto(
  array: Float64Array<ArrayBuffer>,
  index: number,
  value: number,
): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(array.length + 1);
  grown.set(array.subarray(0, index));
  grown[index] = value;
  grown.set(array.subarray(index), index + 1);
  return grown;
}

function formatRange(first: number, last: number): string {
  return `0x${first.toString(16).padStart(16, "0")}-0x${last.toString(16).padStart(16, "0")}`;
}

function formatPort(port: number): string {
  return `0x${port.toString(16).padStart(4, "0")}`;
}
