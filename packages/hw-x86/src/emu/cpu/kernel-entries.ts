/**
 * The binding between CPL 0 code addresses and TypeScript trap handlers
 * (DESIGN §2): the kernel binds the address it writes into IA32_LSTAR and
 * into each IDT gate; when a CPU would jump there, it calls the handler.
 * Shared by all CPUs of a machine. Addresses are 64-bit canonical values;
 * they are keyed internally as signed numbers in [-2^47, 2^47).
 */
import type { KernelEntryTable } from "../../interfaces/kernel-entry-table";
import type { TrapHandler } from "../../interfaces/trap-frame";

const TWO_POW_32 = 4294967296;

/** Map from kernel entry address to handler. */
export class KernelEntries implements KernelEntryTable {
  private readonly handlers = new Map<number, TrapHandler>();
  /** Increases on every bind and unbind (CPUs cache their LSTAR handler against it). */
  version = 0;

  /** Binds `handler` to the canonical address `address`. Throws RangeError for a non-canonical address (kernel bug). */
  bind(address: bigint, handler: TrapHandler): void {
    this.handlers.set(KernelEntries.key(address), handler);
    this.version++;
  }

  /** Removes a binding; returns whether one existed. */
  unbind(address: bigint): boolean {
    this.version++;
    return this.handlers.delete(KernelEntries.key(address));
  }

  /** The handler at the address given as 32-bit halves, or undefined (none bound, or non-canonical). */
  lookup(low: number, high: number): TrapHandler | undefined {
    let key: number;
    if (high < 0x8000) key = high * TWO_POW_32 + low;
    else if (high >= 0xffff8000) key = (high | 0) * TWO_POW_32 + low;
    else return undefined;
    return this.handlers.get(key);
  }

  private static key(address: bigint): number {
    const signed = BigInt.asIntN(64, address);
    if (signed < -(1n << 47n) || signed >= 1n << 47n) {
      throw new RangeError(`KernelEntries: 0x${BigInt.asUintN(64, address).toString(16)} is not canonical`);
    }
    return Number(signed);
  }
}
