/**
 * Fixed addresses and vectors of the kernel.
 *
 * The kernel is TypeScript, so its "code" addresses are binding points in
 * the entry table (DESIGN §2), in the upper canonical half like Linux's
 * text (0xffffffff81000000). The IDT is the one kernel page the CPU reads
 * through the current page tables, so it is mapped (supervisor-only,
 * read-only) into every address space at {@link IDT_VIRTUAL}.
 */

/** IA32_LSTAR: the SYSCALL entry (Linux's entry_SYSCALL_64 lives near here). */
export const SYSCALL_ENTRY = 0xffffffff81000000n;
/** Gate target of vector v: GATE_BASE + 16·v. */
export const GATE_BASE = 0xffffffff81100000n;
/**
 * Linear address of the IDT in every address space: 0xffff800000001000,
 * written as the signed number mm uses for upper-half addresses (2^64
 * values do not fit a double exactly).
 */
export const IDT_VIRTUAL = -0x7fff_ffff_f000;
/** Bytes of the IDT (256 16-byte gates). */
export const IDT_BYTES = 256 * 16;

/** Interrupt vectors (Linux's numbering where it has one). */
export const KERNEL_VECTOR = {
  /** ISA IRQ n arrives at 0x20 + n (IOAPIC redirection). */
  ISA_BASE: 0x20,
  /** PS/2 keyboard (ISA IRQ 1). */
  KEYBOARD: 0x21,
  /** COM1 receive interrupts (ISA IRQ 4). */
  SERIAL: 0x24,
  /** LAPIC timer (Linux LOCAL_TIMER_VECTOR). */
  TIMER: 0xec,
  /** Reschedule IPI (Linux RESCHEDULE_VECTOR). */
  RESCHEDULE: 0xfd,
  /** LAPIC error. */
  ERROR: 0xfe,
  /** Spurious interrupt. */
  SPURIOUS: 0xff,
} as const;

/** Physical page an application processor's STARTUP IPI points at (below 1 MiB, page-aligned). */
export const AP_TRAMPOLINE = 0x8000;
