/**
 * Declarative register dispatch for device models (the PCjs pattern): a
 * device lists its registers once as `slot → { name, read, write }` and its
 * port or MMIO entry points index that table instead of switching on offsets.
 *
 * Invariants:
 * - A slot with no `read` is write-only or undecoded; a slot with neither is
 *   undecoded. Reads of such slots return the caller's `unknownValue` and are
 *   counted; writes to a slot without `write` are counted as read-only writes
 *   (slot has `read`) or unknown writes (slot has neither). Nothing throws.
 * - Handlers are bound once at construction; a dispatch allocates nothing.
 */

/** Counts of accesses a device ignored, for tests and the machine's report. */
export interface DeviceAccessCounters {
  /** Reads of offsets or ports the device does not decode. */
  unknownReads: number;
  /** Writes to offsets or ports the device does not decode. */
  unknownWrites: number;
  /** Writes to read-only registers (ignored, as hardware ignores them). */
  readOnlyWrites: number;
  /** Accesses of a width the register does not support (ignored writes, narrowed reads). */
  badWidthAccesses: number;
}

/** A fresh set of zeroed {@link DeviceAccessCounters}. */
export function createAccessCounters(): DeviceAccessCounters {
  return { unknownReads: 0, unknownWrites: 0, readOnlyWrites: 0, badWidthAccesses: 0 };
}

/** One register: its manual name and its read and write behaviour. */
export interface RegisterSpec {
  /** The register's name as the manual spells it (for traces and errors). */
  readonly name: string;
  /** Returns the register's value; absent for write-only registers. */
  readonly read?: () => number;
  /** Applies a write; absent for read-only registers. */
  readonly write?: (value: number) => void;
}

/** A slot-indexed table of {@link RegisterSpec}s with counted fallbacks. */
export class RegisterTable {
  /** Ignored accesses, by kind. */
  readonly counters: DeviceAccessCounters;
  private readonly readers: Array<(() => number) | undefined>;
  private readonly writers: Array<((value: number) => void) | undefined>;
  private readonly names: Array<string | undefined>;

  /**
   * @param slotCount number of slots; slot indices outside `[0, slotCount)` are undecoded.
   * @param specs the decoded registers as `[slot, spec]` pairs.
   * @param counters counters to update (shared with the device's other tables if given).
   */
  constructor(
    slotCount: number,
    specs: ReadonlyArray<readonly [number, RegisterSpec]>,
    counters: DeviceAccessCounters = createAccessCounters(),
  ) {
    this.counters = counters;
    this.readers = new Array(slotCount).fill(undefined);
    this.writers = new Array(slotCount).fill(undefined);
    this.names = new Array(slotCount).fill(undefined);
    for (const [slot, spec] of specs) {
      this.names[slot] = spec.name;
      this.readers[slot] = spec.read;
      this.writers[slot] = spec.write;
    }
  }

  /** True if `slot` has a readable register. */
  isReadable(slot: number): boolean {
    return this.readers[slot] !== undefined;
  }

  /** True if `slot` decodes any register (readable or writable). */
  isDecoded(slot: number): boolean {
    return this.names[slot] !== undefined;
  }

  /** The register's manual name, or `undefined` for an undecoded slot. */
  nameOf(slot: number): string | undefined {
    return this.names[slot];
  }

  /** Reads `slot`; an unreadable slot is counted and reads as `unknownValue`. */
  read(slot: number, unknownValue: number): number {
    const reader = this.readers[slot];
    if (reader === undefined) {
      this.counters.unknownReads++;
      return unknownValue;
    }
    return reader();
  }

  /** Writes `slot`; a read-only or undecoded slot ignores the value and is counted. */
  write(slot: number, value: number): void {
    const writer = this.writers[slot];
    if (writer !== undefined) {
      writer(value);
    } else if (this.readers[slot] !== undefined) {
      this.counters.readOnlyWrites++;
    } else {
      this.counters.unknownWrites++;
    }
  }
}
