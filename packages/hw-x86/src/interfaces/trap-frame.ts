/**
 * What the CPU hands the kernel when user code traps to CPL 0 (DESIGN §2):
 * a SYSCALL, an exception, or an external interrupt.
 *
 * The kernel is TypeScript: instead of jumping to a CPL 0 address, the CPU
 * calls the {@link TrapHandler} bound to it (IA32_LSTAR for SYSCALL, the IDT
 * gate for a vector). The frame's `context` is the live user register file:
 * what the handler leaves there is what user mode resumes with (SYSRET /
 * IRET semantics, including the canonical-RIP check, are applied by the CPU
 * on return; see the emulator's documentation for how a refused SYSRET is
 * reported).
 *
 * Invariants:
 * - One frame object per CPU, reused for every trap: valid only during the
 *   handler call. Copy what must outlive it. No allocation per trap.
 * - For SYSCALL, `context.regs` already holds RCX = return RIP and R11 = the
 *   RFLAGS before IA32_FMASK was applied, as the SDM specifies.
 * - For exceptions, `context` RIP is the faulting instruction (faults) or the
 *   next one (traps such as #BP), per the SDM's classification.
 */
import type { CpuContext } from "./cpu-context";

/** Why control reached the kernel. */
export const TRAP_KIND = {
  /** The SYSCALL instruction. `vector` is {@link NO_VECTOR}. */
  SYSCALL: 0,
  /** A CPU exception, vectors 0–31. */
  EXCEPTION: 1,
  /** An external or inter-processor interrupt, vectors 32–255. */
  INTERRUPT: 2,
} as const;

/** One of the {@link TRAP_KIND} values. */
export type TrapKind = (typeof TRAP_KIND)[keyof typeof TRAP_KIND];

/** `vector` of a SYSCALL trap. */
export const NO_VECTOR = -1;
/** `errorCode` of a trap whose vector pushes no error code. */
export const NO_ERROR_CODE = -1;

/** The kernel's view of one trap. Fields are read-only to the handler except through `context`. */
export interface TrapFrame {
  /** Id of the CPU that trapped (its LAPIC id). */
  readonly cpuId: number;
  /** Why it trapped. */
  readonly kind: TrapKind;
  /** Exception or interrupt vector (0–255), or {@link NO_VECTOR} for SYSCALL. */
  readonly vector: number;
  /** The error code the CPU pushed (e.g. #PF's P/W/U/RSVD/I bits), or {@link NO_ERROR_CODE}. */
  readonly errorCode: number;
  /** CR2 after a #PF, low 32 bits; 0 otherwise. */
  readonly faultAddressLow: number;
  /** CR2 after a #PF, high 32 bits; 0 otherwise. */
  readonly faultAddressHigh: number;
  /** The interrupted user register file; writes take effect on return to user mode. */
  readonly context: CpuContext;
}

/** A kernel entry point bound to IA32_LSTAR or an IDT gate. */
export type TrapHandler = (frame: TrapFrame) => void;
