/**
 * The recording register space behind {@link MockMmio} and `MockPortIo`: an
 * ordered log of every access, a per-address table of read and write
 * handlers (the register model), scripted read values, and expectations.
 *
 * Invariants:
 * - Every access is logged, in order, with its width (8/16/32), address and
 *   the value read or written (masked to the width) — including accesses
 *   outside the space, which are also flagged `outside: true`.
 * - A read is served, in priority: a scripted value queued for that
 *   address; the address's read handler; the fallback (`memory`: what was
 *   last written, little-endian; `all-ones`: 0xff.. for the width, as a
 *   bus does for an undecoded address).
 * - A write goes to the address's write handler when there is one; else
 *   (fallback `memory`) into the backing bytes. Accesses outside the space
 *   read all-ones and write nothing; nothing here throws for any address.
 * - The expectation helpers (`expectWrites`, `expectNoAccessOutside`) throw
 *   an `Error` describing the difference: they are test assertions.
 */

/** Width of one access in bits. */
export type AccessWidth = 8 | 16 | 32;

/** One logged access. */
export interface RegisterAccess {
  readonly kind: "read" | "write";
  /** Offset (MMIO) or port number (port I/O). */
  readonly address: number;
  readonly width: AccessWidth;
  /** Value read or written, masked to the width. */
  readonly value: number;
  /** True when the access touched bytes outside the space. */
  readonly outside: boolean;
}

/** An expected write for {@link MockRegisterSpace.expectWrites}; width defaults to "any". */
export interface ExpectedWrite {
  readonly address: number;
  readonly value: number;
  readonly width?: AccessWidth;
}

/** Computes a register's read value; `width` is the access width. */
export type ReadHandler = (width: AccessWidth, address: number) => number;
/** Applies a write to a register model. */
export type WriteHandler = (value: number, width: AccessWidth, address: number) => void;

/** What an address with no handler does. */
export type FallbackBehaviour = "memory" | "all-ones";

const WIDTH_MASK: Record<AccessWidth, number> = { 8: 0xff, 16: 0xffff, 32: 0xffffffff };

/** Masks `value` to `width` bits as an unsigned number. */
export function maskToWidth(value: number, width: AccessWidth): number {
  return (value & WIDTH_MASK[width]) >>> 0;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** Formats an access as `write32 0xb0 = 0x0` (for assertion messages). */
export function formatAccess(access: RegisterAccess): string {
  const where = access.outside ? " (outside)" : "";
  return `${access.kind}${access.width} ${hex(access.address)} ${access.kind === "write" ? "=" : "->"} ${hex(access.value)}${where}`;
}

/** The shared recording engine; mocks wrap it with their interface's method names. */
export class MockRegisterSpace {
  /** Every access, in order. */
  readonly accesses: RegisterAccess[] = [];
  private readonly backing: Uint8Array;
  private readonly readHandlers = new Map<number, ReadHandler>();
  private readonly writeHandlers = new Map<number, WriteHandler>();
  private readonly scripted = new Map<number, number[]>();

  /** A space of `size` bytes (addresses `[0, size)`). */
  constructor(
    readonly size: number,
    readonly fallback: FallbackBehaviour,
  ) {
    this.backing = new Uint8Array(fallback === "memory" ? size : 0);
  }

  /** Serves reads at `address` from `handler`, or always `value`. */
  onRead(address: number, handlerOrValue: ReadHandler | number): this {
    const handler = typeof handlerOrValue === "number" ? () => handlerOrValue : handlerOrValue;
    this.readHandlers.set(address, handler);
    return this;
  }

  /** Routes writes at `address` to `handler` (the register model). */
  onWrite(address: number, handler: WriteHandler): this {
    this.writeHandlers.set(address, handler);
    return this;
  }

  /** Queues values returned by the next reads at `address`, one per read, before any handler. */
  queueReads(address: number, values: readonly number[]): this {
    const queue = this.scripted.get(address) ?? [];
    queue.push(...values);
    this.scripted.set(address, queue);
    return this;
  }

  /** Performs and logs a read. */
  read(address: number, width: AccessWidth): number {
    const outside = this.isOutside(address, width);
    const value = outside ? WIDTH_MASK[width] >>> 0 : maskToWidth(this.serveRead(address, width), width);
    this.accesses.push({ kind: "read", address, width, value, outside });
    return value;
  }

  /** Performs and logs a write. */
  write(address: number, width: AccessWidth, value: number): void {
    const masked = maskToWidth(value, width);
    const outside = this.isOutside(address, width);
    this.accesses.push({ kind: "write", address, width, value: masked, outside });
    if (outside) return;
    const handler = this.writeHandlers.get(address);
    if (handler) handler(masked, width, address);
    else if (this.fallback === "memory") this.store(address, width, masked);
  }

  /** The backing bytes as little-endian: what a `memory` fallback read at `address` returns. */
  peek(address: number, width: AccessWidth): number {
    let value = 0;
    for (let byte = width / 8 - 1; byte >= 0; byte--)
      value = value * 256 + (this.backing[address + byte] ?? 0xff);
    return value;
  }

  /** Every write, optionally only those at `address`. */
  writes(address?: number): RegisterAccess[] {
    return this.accesses.filter(
      (access) => access.kind === "write" && (address === undefined || access.address === address),
    );
  }

  /** Every read, optionally only those at `address`. */
  reads(address?: number): RegisterAccess[] {
    return this.accesses.filter(
      (access) => access.kind === "read" && (address === undefined || access.address === address),
    );
  }

  /** Forgets the access log (handlers, scripts and backing bytes stay). */
  clearAccesses(): void {
    this.accesses.length = 0;
  }

  /** Throws unless the writes, in order, are exactly `expected` (reads are ignored). */
  expectWrites(expected: readonly ExpectedWrite[]): void {
    const actual = this.writes();
    const matches =
      actual.length === expected.length &&
      expected.every((want, index) => writeMatches(actual[index]!, want));
    if (matches) return;
    throw new Error(
      `expected writes:\n${expected.map(formatExpected).join("\n") || "  (none)"}\nactual writes:\n${
        actual.map((access) => `  ${formatAccess(access)}`).join("\n") || "  (none)"
      }`,
    );
  }

  /** Accesses with any byte outside `[start, end)`. */
  accessesOutside(start: number, end: number): RegisterAccess[] {
    return this.accesses.filter(
      (access) => access.address < start || access.address + access.width / 8 > end,
    );
  }

  /** Throws if any access touched a byte outside `[start, end)`. */
  expectNoAccessOutside(start: number, end: number): void {
    const offending = this.accessesOutside(start, end);
    if (offending.length === 0) return;
    throw new Error(
      `expected no access outside [${hex(start)}, ${hex(end)}), found:\n${offending.map((access) => `  ${formatAccess(access)}`).join("\n")}`,
    );
  }

  private serveRead(address: number, width: AccessWidth): number {
    const queue = this.scripted.get(address);
    if (queue && queue.length > 0) return queue.shift()!;
    const handler = this.readHandlers.get(address);
    if (handler) return handler(width, address);
    return this.fallback === "memory" ? this.peek(address, width) : WIDTH_MASK[width];
  }

  private store(address: number, width: AccessWidth, value: number): void {
    for (let byte = 0; byte < width / 8; byte++) this.backing[address + byte] = (value >>> (byte * 8)) & 0xff;
  }

  private isOutside(address: number, width: AccessWidth): boolean {
    return !Number.isInteger(address) || address < 0 || address + width / 8 > this.size;
  }
}

/** True when a logged write satisfies an expectation. */
export function writeMatches(access: RegisterAccess, want: ExpectedWrite): boolean {
  return (
    access.kind === "write" &&
    access.address === want.address &&
    access.value === maskToWidth(want.value, want.width ?? 32) &&
    (want.width === undefined || access.width === want.width)
  );
}

function formatExpected(want: ExpectedWrite): string {
  return `  write${want.width ?? ""} ${hex(want.address)} = ${hex(maskToWidth(want.value, want.width ?? 32))}`;
}
