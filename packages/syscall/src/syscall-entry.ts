/**
 * SYSCALL entry set-up (SDM vol 3A §5.8.8, "Fast System Calls in 64-Bit
 * Mode"): turns on EFER.SCE, programs IA32_STAR (the selectors SYSCALL and
 * SYSRET load), IA32_LSTAR (the entry RIP) and IA32_FMASK (the RFLAGS bits
 * SYSCALL clears), and binds the dispatcher's handler at the LSTAR address
 * through the hw-x86 interfaces only — `MsrAccess` and `KernelEntryTable` —
 * so the same code sets up an emulated CPU, a mock, or another machine.
 *
 * Defaults follow Linux (arch/x86/kernel/cpu/common.c `syscall_init`): STAR
 * = user32 CS 0x23 in [63:48], kernel CS 0x10 in [47:32]; FMASK =
 * TF|DF|IF|IOPL|NT|AC (0x47700); LSTAR a kernel-text address.
 */
import {
  CANONICAL_BIG,
  isCanonicalBig,
  type KernelEntryTable,
  LINUX_STAR_HIGH,
  MSR,
  type MsrAccess,
  type TrapHandler,
} from "@tsos/hw-x86";
import { SyscallInstallError } from "./errors";

/** Where the default entry "lives": the start of Linux's kernel text mapping. */
export const DEFAULT_LSTAR = 0xffffffff81000000n;

/** RFLAGS bits cleared on entry by default: TF | DF | IF | IOPL | NT | AC, as Linux programs IA32_FMASK. */
export const DEFAULT_FMASK = 0x47700;

const EFER_SCE = 1n;

/** Options of {@link installSyscallEntry}. */
export interface SyscallEntryOptions {
  /** The CPU's MSRs (each CPU of a machine is set up once). */
  readonly msrs: MsrAccess;
  /** Where the handler is bound (shared by the machine's CPUs; binding again is harmless). */
  readonly entries: KernelEntryTable;
  /** The SYSCALL handler, usually `dispatcher.handle`. */
  readonly handler: TrapHandler;
  /** IA32_LSTAR: a canonical kernel-half address (default {@link DEFAULT_LSTAR}). */
  readonly lstar?: bigint;
  /** IA32_FMASK (default {@link DEFAULT_FMASK}). */
  readonly fmask?: number;
  /** High half of IA32_STAR (default Linux's selectors). */
  readonly starHigh?: number;
}

/** An installed entry. */
export interface InstalledSyscallEntry {
  /** The LSTAR address the handler is bound to. */
  readonly lstar: bigint;
  /** Unbinds the handler (the MSRs stay as they are; a SYSCALL then finds no code: #DF on the emulator). */
  uninstall(): void;
}

function writeOrThrow(msrs: MsrAccess, index: number, value: bigint, what: string): void {
  if (!msrs.write(index, value))
    throw new SyscallInstallError(`${what}: wrmsr 0x${index.toString(16)} refused (#GP)`);
}

/** Programs the MSRs and binds the handler; throws {@link SyscallInstallError} when the CPU refuses. */
export function installSyscallEntry(options: SyscallEntryOptions): InstalledSyscallEntry {
  const lstar = BigInt.asUintN(64, options.lstar ?? DEFAULT_LSTAR);
  if (!isCanonicalBig(lstar) || lstar < CANONICAL_BIG.KERNEL_START) {
    throw new SyscallInstallError(`LSTAR 0x${lstar.toString(16)} is not a canonical kernel-half address`);
  }
  const efer = options.msrs.read(MSR.EFER);
  if (efer === undefined) throw new SyscallInstallError("rdmsr IA32_EFER refused (#GP)");
  writeOrThrow(options.msrs, MSR.EFER, efer | EFER_SCE, "EFER.SCE");
  const starHigh = BigInt((options.starHigh ?? LINUX_STAR_HIGH) >>> 0);
  writeOrThrow(options.msrs, MSR.STAR, starHigh << 32n, "IA32_STAR");
  writeOrThrow(options.msrs, MSR.LSTAR, lstar, "IA32_LSTAR");
  writeOrThrow(options.msrs, MSR.FMASK, BigInt((options.fmask ?? DEFAULT_FMASK) >>> 0), "IA32_FMASK");
  options.entries.bind(lstar, options.handler);
  return {
    lstar,
    uninstall: () => {
      options.entries.unbind(lstar);
    },
  };
}
