/**
 * Where the kernel's entry points are bound (DESIGN §2): the kernel is
 * TypeScript, so instead of placing code at the address it writes into
 * IA32_LSTAR or an IDT gate, it binds a {@link TrapHandler} to that address,
 * and a CPU that would jump there calls the handler.
 *
 * Outcomes:
 * - `bind` replaces any handler already bound to the address; a
 *   non-canonical address throws `RangeError` (a kernel bug, never a guest
 *   outcome).
 * - `unbind` returns whether a handler was bound; afterwards a CPU reaching
 *   the address finds nothing (the emulator delivers #DF, as for a gate
 *   whose code is missing).
 */
import type { TrapHandler } from "./trap-frame";

/** The binding from CPL 0 code addresses to trap handlers, shared by the CPUs of a machine. */
export interface KernelEntryTable {
  /** Binds `handler` to the canonical 64-bit address `address`. */
  bind(address: bigint, handler: TrapHandler): void;
  /** Removes the binding at `address`; returns whether there was one. */
  unbind(address: bigint): boolean;
}
