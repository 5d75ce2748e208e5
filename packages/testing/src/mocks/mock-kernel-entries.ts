/**
 * `MockKernelEntries`: a `KernelEntryTable` that records what the kernel
 * binds, so a test can check "the syscall entry is bound at IA32_LSTAR" and
 * call the bound handler itself (or let {@link MockCpu.syscall} do it).
 *
 * Same outcomes as the emulator's `KernelEntries`: `bind` replaces an
 * existing binding, a non-canonical address throws `RangeError` (a kernel
 * bug), `unbind` answers whether there was a binding. Addresses are keyed in
 * their unsigned 64-bit form, so `-0x7f000000n` and `0xffffffff81000000n`
 * name the same entry.
 */
import { isCanonicalBig, type KernelEntryTable, type TrapHandler } from "@tsos/hw-x86";

/** One call made on a {@link MockKernelEntries}, in order. */
export interface KernelEntryCall {
  /** Which method was called. */
  readonly operation: "bind" | "unbind";
  /** The address, as an unsigned 64-bit value. */
  readonly address: bigint;
  /** `unbind` only: whether a handler was bound (always true for `bind`). */
  readonly found: boolean;
}

/** A recording map from canonical kernel addresses to trap handlers. */
export class MockKernelEntries implements KernelEntryTable {
  /** Every accepted `bind` / `unbind` call (a refused non-canonical `bind` throws and is not logged). */
  readonly log: KernelEntryCall[] = [];
  private readonly handlers = new Map<bigint, TrapHandler>();

  /** Binds `handler` at `address`; throws `RangeError` when `address` is not canonical. */
  bind(address: bigint, handler: TrapHandler): void {
    const key = canonicalKey(address);
    this.handlers.set(key, handler);
    this.log.push({ operation: "bind", address: key, found: true });
  }

  /** Removes the binding at `address`; returns whether there was one (false for a non-canonical address). */
  unbind(address: bigint): boolean {
    const key = BigInt.asUintN(64, address);
    const found = this.handlers.delete(key);
    this.log.push({ operation: "unbind", address: key, found });
    return found;
  }

  /** The handler bound at `address`, or `undefined` (none bound, or not canonical). */
  handlerAt(address: bigint): TrapHandler | undefined {
    return this.handlers.get(BigInt.asUintN(64, address));
  }

  /** The bound addresses (unsigned 64-bit), in ascending order. */
  bindings(): bigint[] {
    return [...this.handlers.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function canonicalKey(address: bigint): bigint {
  const key = BigInt.asUintN(64, address);
  if (!isCanonicalBig(key)) throw new RangeError(`MockKernelEntries: 0x${key.toString(16)} is not canonical`);
  return key;
}
