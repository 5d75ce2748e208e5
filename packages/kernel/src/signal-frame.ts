/**
 * The Linux x86-64 signal frame (`struct rt_sigframe`, arch/x86/kernel/
 * signal_64.c) built on the user stack when a handler runs, and its undoing
 * by rt_sigreturn.
 *
 * Placement, as Linux's get_sigframe: below the interrupted RSP's 128-byte
 * red zone — or at the top of the alternate stack for an SA_ONSTACK
 * handler not already on it — the FXSAVE-format FP state (512 bytes,
 * 64-byte aligned), then the frame, aligned so that RSP + 8 is a multiple
 * of 16 at the handler's first instruction (as after a call):
 *
 *     frame + 0    pretcode: sa_restorer, the handler's return address
 *     frame + 8    ucontext: uc_flags, uc_link, uc_stack (24), sigcontext (256), uc_sigmask (8)
 *     frame + 312  siginfo (128 bytes)
 *
 * The sigcontext holds r8–r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp,
 * rip, eflags, cs/gs/fs/ss, err, trapno, oldmask, cr2 and the fpstate
 * pointer. The handler starts with rdi = signal, rsi = &info, rdx = &uc,
 * rax = 0, DF/TF/RF clear and the FP/SSE state in its initial values.
 *
 * rt_sigreturn reads the frame back at RSP − 8. It restores every saved
 * general register, RIP and the FIX_EFLAGS bits (AC OF DF TF SF ZF AF PF CF
 * RF) only — a forged frame cannot set IOPL, IF, VM or reserved flags, and
 * the segment selectors are not taken from it (this CPU's user CS/SS are
 * fixed), so it cannot raise privilege; an MXCSR with reserved bits makes
 * the frame bad (SIGSEGV), as on Linux. The x87 part of the FP image is the
 * FNINIT state: the CPU context has no x87 registers yet (issue #17).
 */
import {
  type CpuContext,
  fxsaveImageValid,
  MXCSR_DEFAULT,
  readFxsaveImage,
  resetFpu,
  SLOT,
  writeFxsaveImage,
} from "@tsos/hw-x86";
import type { UserMemory } from "@tsos/syscall";

/** sigaction flags (x86-64). */
export const SA = {
  NOCLDSTOP: 0x1,
  NOCLDWAIT: 0x2,
  SIGINFO: 0x4,
  RESTORER: 0x04000000,
  ONSTACK: 0x08000000,
  RESTART: 0x10000000,
  NODEFER: 0x40000000,
  RESETHAND: 0x80000000,
} as const;

/** sigaltstack flags. */
export const SS = { ONSTACK: 1, DISABLE: 2, AUTODISARM: 0x80000000 } as const;

/** Linux's MINSIGSTKSZ on x86-64 (sigaltstack refuses smaller stacks with ENOMEM). */
export const MINSIGSTKSZ = 2048;

/** Size of `struct rt_sigframe` without the FP state. */
export const SIGFRAME_SIZE = 440;
/** Size of the FXSAVE-format FP state. */
export const FPSTATE_SIZE = 512;
/** Offsets in the frame. */
const FRAME = {
  RESTORER: 0,
  UC_FLAGS: 8,
  UC_STACK_SP: 24,
  UC_STACK_FLAGS: 32,
  UC_STACK_SIZE: 40,
  SIGCONTEXT: 48,
  SEGMENTS: 48 + 144,
  ERR: 48 + 152,
  TRAPNO: 48 + 160,
  OLDMASK: 48 + 168,
  CR2: 48 + 176,
  FPSTATE: 48 + 184,
  SIGMASK: 304,
  INFO: 312,
} as const;
/** UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS: what Linux sets without XSAVE. */
const UC_FLAGS = 0x6;
const USER_CS = 0x33;
const USER_DS = 0x2b;
/** The sigcontext's register order, as hw-x86 context slots. */
const SIGCONTEXT_SLOTS = [8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4, SLOT.RIP, SLOT.RFLAGS];
const RSP_SLOT = 4;
const RAX_SLOT = 0;
const RDI_SLOT = 7;
const RSI_SLOT = 6;
const RDX_SLOT = 2;
/** RFLAGS bits rt_sigreturn takes from the frame (Linux's FIX_EFLAGS). */
const FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
/** DF | RF | TF: cleared for the handler. */
const HANDLER_CLEARS = 0x400 | 0x10000 | 0x100;
/** Red zone below the interrupted RSP that the frame must not touch. */
const RED_ZONE = 128;
const TWO_POW_32 = 4294967296;

/** A thread's alternate signal stack (sigaltstack); size 0 = none. */
export interface AltStack {
  sp: number;
  size: number;
  /** SS_AUTODISARM when set with it. */
  flags: number;
}

/** sas_ss_flags: SS_DISABLE without an alternate stack, SS_ONSTACK when `sp` is on it, else 0. */
export function altStackFlags(stack: AltStack, sp: number): number {
  if (stack.size === 0) return SS.DISABLE;
  return sp > stack.sp && sp - stack.sp <= stack.size ? SS.ONSTACK : 0;
}

/** What a frame records besides the registers. */
export interface SignalFrameRequest {
  readonly signal: number;
  /** The 128-byte siginfo (copied when SA_SIGINFO is set). */
  readonly info: Uint8Array;
  readonly handler: number;
  readonly flags: number;
  readonly restorer: number;
  /** The blocked mask to restore at sigreturn (uc_sigmask), two halves. */
  readonly maskLow: number;
  readonly maskHigh: number;
  /** The thread's last fault: trap number, error code, CR2 (sigcontext's trapno/err/cr2). */
  readonly trapNumber: number;
  readonly errorCode: number;
  readonly faultAddress: number;
}

/** Where rt_sigreturn's restored mask and alternate stack go. */
export interface SignalReturn {
  maskLow: number;
  maskHigh: number;
  readonly stack: AltStack;
}

/** Builds and reads signal frames through one reusable buffer (handlers run one at a time). */
export class SignalFrames {
  private readonly frame = new Uint8Array(SIGFRAME_SIZE);
  private readonly frameView = new DataView(this.frame.buffer);
  private readonly fp = new Uint8Array(FPSTATE_SIZE);
  private readonly fpView = new DataView(this.fp.buffer);

  /**
   * Pushes a frame for `request` on the user stack of `context` and points
   * the context at the handler. False when the frame cannot be written (a
   * bad stack, an overflowing alternate stack, no SA_RESTORER): the caller
   * then kills the thread with SIGSEGV, as Linux's force_sigsegv.
   */
  push(memory: UserMemory, context: CpuContext, request: SignalFrameRequest, stack: AltStack): boolean {
    if ((request.flags & SA.RESTORER) === 0) return false;
    const regs = context.regs;
    const rsp = readSlot(regs, RSP_SLOT);
    let sp = rsp - RED_ZONE;
    const onStack = altStackFlags(stack, sp) === SS.ONSTACK;
    let entering = false;
    if ((request.flags & SA.ONSTACK) !== 0 && stack.size !== 0 && !onStack) {
      sp = stack.sp + stack.size;
      entering = true;
    }
    const fpAddress = Math.floor((sp - FPSTATE_SIZE) / 64) * 64;
    const frameAddress = Math.floor((fpAddress - SIGFRAME_SIZE) / 16) * 16 - 8;
    if ((entering || onStack) && altStackFlags(stack, frameAddress) !== SS.ONSTACK) return false;
    if (frameAddress < 0) return false;

    const view = this.frameView;
    this.frame.fill(0);
    putU64(view, FRAME.RESTORER, request.restorer);
    view.setUint32(FRAME.UC_FLAGS, UC_FLAGS, true);
    putU64(view, FRAME.UC_STACK_SP, stack.sp);
    view.setUint32(FRAME.UC_STACK_FLAGS, altStackFlags(stack, rsp) | (stack.flags & SS.AUTODISARM), true);
    putU64(view, FRAME.UC_STACK_SIZE, stack.size);
    for (let index = 0; index < SIGCONTEXT_SLOTS.length; index++) {
      const slot = SIGCONTEXT_SLOTS[index]!;
      view.setUint32(FRAME.SIGCONTEXT + index * 8, regs[slot * 2]!, true);
      view.setUint32(FRAME.SIGCONTEXT + index * 8 + 4, regs[slot * 2 + 1]!, true);
    }
    view.setUint16(FRAME.SEGMENTS, USER_CS, true);
    view.setUint16(FRAME.SEGMENTS + 6, USER_DS, true);
    putU64(view, FRAME.ERR, request.errorCode);
    putU64(view, FRAME.TRAPNO, request.trapNumber);
    view.setUint32(FRAME.OLDMASK, request.maskLow, true);
    view.setUint32(FRAME.OLDMASK + 4, request.maskHigh, true);
    putU64(view, FRAME.CR2, request.faultAddress);
    putU64(view, FRAME.FPSTATE, fpAddress);
    view.setUint32(FRAME.SIGMASK, request.maskLow, true);
    view.setUint32(FRAME.SIGMASK + 4, request.maskHigh, true);
    if ((request.flags & SA.SIGINFO) !== 0) this.frame.set(request.info.subarray(0, 128), FRAME.INFO);

    this.fp.fill(0);
    writeFxsaveImage(context, this.fpView, true);

    if (!memory.write(fpAddress, this.fp) || !memory.write(frameAddress, this.frame)) return false;

    writeSlot(regs, RDI_SLOT, request.signal);
    writeSlot(regs, RSI_SLOT, frameAddress + FRAME.INFO);
    writeSlot(regs, RDX_SLOT, frameAddress + FRAME.UC_FLAGS);
    writeSlot(regs, RAX_SLOT, 0);
    writeSlot(regs, RSP_SLOT, frameAddress);
    writeSlot(regs, SLOT.RIP, request.handler);
    regs[SLOT.RFLAGS * 2] = (regs[SLOT.RFLAGS * 2]! & ~HANDLER_CLEARS) >>> 0;
    // The handler starts with a clean FPU (Linux's fpu__clear_user_states).
    context.xmm.fill(0);
    context.mxcsr = MXCSR_DEFAULT;
    resetFpu(context.fpu);
    return true;
  }

  /**
   * rt_sigreturn: restores the registers saved by {@link push} from the
   * frame at RSP − 8 into `context`, and reports the mask and alternate
   * stack to restore in `out`. False for a frame that cannot be read or is
   * invalid (the caller sends SIGSEGV); `context` is then unchanged.
   */
  pop(memory: UserMemory, context: CpuContext, out: SignalReturn): boolean {
    const regs = context.regs;
    const frameAddress = readSlot(regs, RSP_SLOT) - 8;
    if (!memory.read(frameAddress, this.frame)) return false;
    const view = this.frameView;
    const fpAddress = readU64(view, FRAME.FPSTATE);
    if (fpAddress !== 0) {
      if (!memory.read(fpAddress, this.fp)) return false;
      if (!fxsaveImageValid(this.fpView)) return false;
    }
    for (let index = 0; index < SIGCONTEXT_SLOTS.length - 1; index++) {
      const slot = SIGCONTEXT_SLOTS[index]!;
      regs[slot * 2] = view.getUint32(FRAME.SIGCONTEXT + index * 8, true);
      regs[slot * 2 + 1] = view.getUint32(FRAME.SIGCONTEXT + index * 8 + 4, true);
    }
    const savedFlags = view.getUint32(FRAME.SIGCONTEXT + 17 * 8, true);
    regs[SLOT.RFLAGS * 2] = ((regs[SLOT.RFLAGS * 2]! & ~FIX_EFLAGS) | (savedFlags & FIX_EFLAGS)) >>> 0;
    if (fpAddress !== 0) readFxsaveImage(this.fpView, context, true);
    else {
      context.xmm.fill(0);
      context.mxcsr = MXCSR_DEFAULT;
      resetFpu(context.fpu);
    }
    out.maskLow = view.getUint32(FRAME.SIGMASK, true);
    out.maskHigh = view.getUint32(FRAME.SIGMASK + 4, true);
    out.stack.sp = readU64(view, FRAME.UC_STACK_SP);
    out.stack.flags = view.getUint32(FRAME.UC_STACK_FLAGS, true);
    out.stack.size = readU64(view, FRAME.UC_STACK_SIZE);
    return true;
  }
}

/** True when a 64-bit RIP in `context` is canonical (IRET to anything else faults). */
export function ripIsCanonical(context: CpuContext): boolean {
  const high = context.regs[SLOT.RIP * 2 + 1]!;
  return high < 0x8000 || high >= 0xffff8000;
}

function readSlot(regs: Uint32Array, slot: number): number {
  return regs[slot * 2 + 1]! * TWO_POW_32 + regs[slot * 2]!;
}

function writeSlot(regs: Uint32Array, slot: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  regs[slot * 2] = (value - high * TWO_POW_32) >>> 0;
  regs[slot * 2 + 1] = high >>> 0;
}

/** Writes a 64-bit little-endian field from a number (|value| < 2^53). */
export function putU64(view: DataView, offset: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  view.setUint32(offset, (value - high * TWO_POW_32) >>> 0, true);
  view.setUint32(offset + 4, high >>> 0, true);
}

/** A 64-bit field as an unsigned number (user addresses and sizes; above 2^53 it rounds, which no valid value is). */
function readU64(view: DataView, offset: number): number {
  return view.getUint32(offset + 4, true) * TWO_POW_32 + view.getUint32(offset, true);
}
