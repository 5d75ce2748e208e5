/**
 * A system call as the kernel registers it: number, name, typed arguments,
 * how its result prints, and the handler. `defineSyscall` keeps the argument
 * list's literal types so the handler's parameters are typed from it
 * (`string` for {@link arg.string}, `number` for everything else).
 */

import type { ArgSpec, ArgValues, ReturnKind } from "./signature";
import { RETURN_KIND } from "./signature";
import type { SyscallCall } from "./syscall-call";

/**
 * A handler: receives the per-CPU call record and the validated arguments,
 * returns the result (≥ 0), a negative errno, or {@link SYSCALL_BLOCKED}
 * after parking the call (`call.park()`).
 */
export type SyscallHandler<Args extends readonly ArgSpec[] = readonly ArgSpec[]> = (
  call: SyscallCall,
  ...args: ArgValues<Args>
) => number;

/** One table entry's declaration. */
export interface SyscallDefinition<Args extends readonly ArgSpec[] = readonly ArgSpec[]> {
  /** Linux x86-64 syscall number. */
  readonly number: number;
  /** Name as strace prints it (`openat`, `exit_group`). */
  readonly name: string;
  /** Argument declarations, in register order (rdi, rsi, rdx, r10, r8, r9). */
  readonly args: Args;
  /** How the result prints (default {@link RETURN_KIND.INT}). */
  readonly returns: ReturnKind;
  /**
   * The implementation. (Declared as a method so a definition of any
   * signature is a `SyscallDefinition`: a kernel can keep a list of them.)
   */
  handler(call: SyscallCall, ...args: ArgValues<Args>): number;
}

/** Returned by a handler whose call was parked: the caller's frame waits for a waker (continuation.ts). */
export const SYSCALL_BLOCKED = Number.MIN_SAFE_INTEGER;

/**
 * Returned by a handler that set every user register itself (rt_sigreturn):
 * the dispatcher writes no result into RAX and returns with IRET, since RCX
 * and R11 hold the restored values rather than SYSCALL's.
 */
export const SYSCALL_REGISTERS_SET = Number.MIN_SAFE_INTEGER + 1;

/** Declares a system call; `args` should be written inline (or `as const`) so the handler's parameter types follow it. */
export function defineSyscall<const Args extends readonly ArgSpec[]>(definition: {
  number: number;
  name: string;
  args: Args;
  returns?: ReturnKind;
  handler: SyscallHandler<Args>;
}): SyscallDefinition<Args> {
  return Object.freeze({ ...definition, returns: definition.returns ?? RETURN_KIND.INT });
}
