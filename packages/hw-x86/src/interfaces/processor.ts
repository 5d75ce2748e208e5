/**
 * One CPU as the kernel (TypeScript, at CPL 0) controls it: the live user
 * register file while it handles a trap, the paging and system-table
 * registers, the time-stamp counter, and halting. The emulated `Cpu`
 * implements it; so would a mock or another emulator.
 *
 * Outcomes and rules:
 * - `context` is the live register file: inside a trap handler it is the
 *   interrupted user state, and what the handler leaves there is what the
 *   CPU returns to (SYSRET or IRET semantics, as the trap frame says).
 * - Writing `cr3` flushes the non-global TLB entries — with CR4.PCIDE, only
 *   the new PCID's, and none when bit 63 is set; `invlpg` one page.
 *   Nothing is flushed on its own: after changing a PTE the kernel flushes
 *   every CPU that may cache it.
 * - `idle()` from a handler halts the CPU (HLT) until the next interrupt;
 *   the handler's return then resumes nothing: the next interrupt's handler
 *   decides what runs.
 * - `loadContext()` makes the CPU resume from `context`'s RIP/RFLAGS (IRET
 *   rules) outside a trap handler; false, changing nothing, when RIP is not
 *   canonical.
 * - `tsc` counts at the machine's TSC frequency; `retiredInstructions`
 *   counts guest instructions only.
 */
import type { CpuContext } from "./cpu-context";
import type { Cpuid } from "./cpuid";
import type { MsrAccess } from "./msr-access";

/** A CPU under kernel control. */
export interface Processor {
  /** CPU id (= its APIC id on the emulated machine). */
  readonly id: number;
  /** The live user register file. */
  readonly context: CpuContext;
  /** Its model-specific registers (the CPU's own; LAPIC MSRs may live elsewhere). */
  readonly msrs: MsrAccess;
  /** Its CPUID instruction. */
  readonly cpuid: Cpuid;
  /** CR0. */
  cr0: number;
  /** CR3: the root of the current page tables (writing it flushes non-global TLB entries). */
  cr3: bigint;
  /** CR4. */
  cr4: number;
  /** MOV to CR3 with the operand as unsigned 32-bit halves (as writing `cr3`, without a bigint: for every context switch). */
  loadCr3(low: number, high: number): void;
  /** CR2: the last page-fault address. */
  readonly cr2: bigint;
  /** Time-stamp counter. */
  readonly tsc: number;
  /** Guest instructions retired. */
  readonly retiredInstructions: number;
  /** INVLPG of the page holding `address` (the current PCID's translation, and global ones in every PCID). */
  invlpg(address: bigint): void;
  /**
   * INVPCID: type 0 drops `pcid`'s translation of `address`, 1 all of
   * `pcid`'s non-global translations, 2 every translation, 3 every
   * non-global one (SDM vol 2 INVPCID). For CR4.PCIDE = 1 kernels.
   */
  invpcid(type: number, pcid: number, address: bigint): void;
  /** LIDT: `base` is a linear address, `limit` the offset of the table's last byte. */
  setIdtr(base: bigint, limit: number): void;
  /** Resume user mode from `context`'s RIP and RFLAGS (outside a handler). */
  loadContext(): boolean;
  /** From a SYSCALL handler: return by IRET (from the context slots) instead of SYSRET. */
  returnWithIret(): void;
  /** HLT from a trap handler: idle until the next interrupt. */
  idle(): void;
  /** True while idle. */
  readonly isIdle: boolean;
  /** Makes the CPU's current `run` return (the host regains control). */
  requestStop(): void;
}
