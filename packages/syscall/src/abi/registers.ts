/**
 * The Linux x86-64 system-call register convention (arch/x86/entry/entry_64.S,
 * System V psABI §A.2.1): the number in RAX; arguments in RDI, RSI, RDX,
 * R10, R8, R9 (R10, not RCX: SYSCALL overwrites RCX with the return RIP and
 * R11 with RFLAGS); the result in RAX, with -4095..-1 meaning -errno.
 */
import { GPR } from "@tsos/hw-x86";

/** Register slot ({@link GPR}) of each argument, in ABI order. */
export const ARGUMENT_REGISTERS = [GPR.RDI, GPR.RSI, GPR.RDX, GPR.R10, GPR.R8, GPR.R9] as const;

/** Names of the argument registers, in ABI order. */
export const ARGUMENT_REGISTER_NAMES = ["rdi", "rsi", "rdx", "r10", "r8", "r9"] as const;

/** Register slot of the syscall number and of the result. */
export const NUMBER_REGISTER = GPR.RAX;

/** Register slot of the result. */
export const RESULT_REGISTER = GPR.RAX;

/** Registers SYSCALL itself clobbers: RCX (return RIP) and R11 (RFLAGS). */
export const CLOBBERED_REGISTERS = [GPR.RCX, GPR.R11] as const;
