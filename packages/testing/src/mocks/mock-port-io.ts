/**
 * `MockPortIo`: a `PortIo` for legacy-device driver tests. Records every
 * `in`/`out`, serves register models or scripted values per port, and checks
 * expectations (see {@link MockRegisterSpace}).
 *
 * The space is the whole 64 Ki port range. Default fallback is `all-ones`
 * (as the bus answers an unclaimed port); pass `{ fallback: "memory" }` for
 * ports that read back what was written.
 */
import type { PortIo } from "@tsos/hw-x86";
import { type FallbackBehaviour, MockRegisterSpace } from "./mock-register-space";

/** Number of I/O ports on x86 (ports 0 – 0xffff). */
export const PORT_COUNT = 0x10000;

/** Options of {@link MockPortIo}. */
export interface MockPortIoOptions {
  /** What a port without handlers does (default `all-ones`). */
  readonly fallback?: FallbackBehaviour;
}

/** A recording, scriptable port space. */
export class MockPortIo extends MockRegisterSpace implements PortIo {
  constructor(options: MockPortIoOptions = {}) {
    super(PORT_COUNT, options.fallback ?? "all-ones");
  }

  /** `in al, dx`. */
  in8(port: number): number {
    return this.read(port, 8);
  }
  /** `in ax, dx`. */
  in16(port: number): number {
    return this.read(port, 16);
  }
  /** `in eax, dx`. */
  in32(port: number): number {
    return this.read(port, 32);
  }
  /** `out dx, al`. */
  out8(port: number, value: number): void {
    this.write(port, 8, value);
  }
  /** `out dx, ax`. */
  out16(port: number, value: number): void {
    this.write(port, 16, value);
  }
  /** `out dx, eax`. */
  out32(port: number, value: number): void {
    this.write(port, 32, value);
  }
}
