/**
 * What the CPU hands the kernel when user code traps to CPL 0 (DESIGN §2):
 * a SYSCALL, an exception, or an external interrupt.
 *
 * The kernel is TypeScript: instead of jumping to a CPL 0 address, the CPU
 * calls the {@link TrapHandler} bound to it (IA32_LSTAR for SYSCALL, the IDT
 * gate for a vector). The frame's `context` is the live user register file:
 * what the handler leaves there is what user mode resumes with. The
 * handler chooses the way back through `returnPath` (SYSRET or IRET
 * semantics, {@link RETURN_PATH}); the CPU applies it, canonical-RIP check
 * included.
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

/**
 * How the CPU returns to user mode when a handler returns (SDM vol 2
 * SYSRET and IRET).
 */
export const RETURN_PATH = {
  /**
   * SYSRET: RIP ← RCX, RFLAGS ← R11 (restorable bits). Only for SYSCALL
   * frames. RCX must be canonical: on Intel CPUs a SYSRET to a non-canonical
   * RCX raises #GP while still at CPL 0 but already on the user's stack
   * (CVE-2012-0217), so the emulator treats it as a kernel crash (shutdown).
   * A kernel must choose IRET for such a return.
   */
  SYSRET: 0,
  /**
   * IRET: RIP and RFLAGS from the context's RIP/RFLAGS slots. A
   * non-canonical RIP is refused with #GP(0) delivered to the kernel as a
   * user-mode fault, so the kernel can answer with SIGSEGV.
   */
  IRET: 1,
} as const;

/** One of the {@link RETURN_PATH} values. */
export type ReturnPath = (typeof RETURN_PATH)[keyof typeof RETURN_PATH];

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
  /**
   * How the CPU returns to user mode after the handler. A SYSCALL frame
   * starts as {@link RETURN_PATH.SYSRET}; the handler sets
   * {@link RETURN_PATH.IRET} when it changed RIP/RFLAGS through the context
   * slots (context switch, execve, signal delivery) or when RCX is not
   * canonical. Exception and interrupt frames always return with IRET
   * semantics; writing SYSRET there changes nothing.
   */
  returnPath: ReturnPath;
}

/** A kernel entry point bound to IA32_LSTAR or an IDT gate. */
export type TrapHandler = (frame: TrapFrame) => void;
