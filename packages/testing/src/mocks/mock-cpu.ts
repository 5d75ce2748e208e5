/**
 * `MockCpu`: a `CpuContext` (the user register file a trap hands the kernel)
 * with named register access for tests, plus the CPU's `MsrAccess` and
 * `Cpuid`, so a syscall handler or a context switch can be unit-tested
 * without the emulator.
 *
 * `cpu.set("rdi", 5n)`, `cpu.get("rax")` read and write full 64-bit slots as
 * `bigint` (tests are a cold path); `setNumber` / `getNumber` /
 * `getSigned` use the same number conventions as the kernel's helpers
 * (`-errno` sign-extended). The register layout is exactly the
 * `CpuContext` one, so `copyCpuContext(task, cpu)` works on it.
 *
 * `syscall(entries)` plays the SYSCALL instruction and the return the
 * handler chose (SDM vol 2 SYSCALL/SYSRET), as the emulated CPU does:
 * EFER.SCE clear → #UD; RCX ← next RIP and R11 ← RFLAGS (the RIP/RFLAGS
 * slots hold the same values), the handler bound at IA32_LSTAR runs with
 * RFLAGS & ~IA32_FMASK, then SYSRET (RIP ← RCX, RFLAGS ← (R11 & 3C7FD7H) | 2;
 * a non-canonical RCX is the CVE-2012-0217 shutdown) or IRET (RIP/RFLAGS
 * from the slots; a non-canonical RIP is #GP).
 */
import {
  type CpuContext,
  createCpuContext,
  GPR,
  isCanonicalBig,
  NO_ERROR_CODE,
  NO_VECTOR,
  RETURN_PATH,
  type ReturnPath,
  RFLAGS,
  RFLAGS_RESERVED_MASK,
  readBig,
  readNumber,
  readSignedNumber,
  SLOT,
  TRAP_KIND,
  type TrapFrame,
  type TrapHandler,
  writeBig,
  writeNumber,
} from "@tsos/hw-x86";
import { type CpuidFeature, MockCpuid, type MockCpuidOptions } from "./mock-cpuid";
import { MOCK_MSR, MockMsrs } from "./mock-msr";

/** Bits SYSRET restores from R11 (SDM vol 2 SYSRET). */
const SYSRET_FLAGS_MASK = 0x3c7fd7n;
const EFER_SCE = 1n;

/** Where {@link MockCpu.syscall} bound handlers are looked up (a `MockKernelEntries`, or any map). */
export interface MockEntryLookup {
  /** The handler bound at `address`, if any. */
  handlerAt(address: bigint): TrapHandler | undefined;
}

/** What {@link MockCpu.syscall} did. */
export interface MockSyscallOutcome {
  /**
   * `returned`: the handler ran and user mode resumed; `ud`: EFER.SCE was
   * clear (#UD, nothing changed); `no-handler`: nothing bound at IA32_LSTAR
   * (the emulator double-faults); `shutdown`: SYSRET to a non-canonical RCX;
   * `gp`: IRET to a non-canonical RIP (#GP to the kernel).
   */
  readonly outcome: "returned" | "ud" | "no-handler" | "shutdown" | "gp";
  /** The return path the handler left in the frame (SYSRET when it did not run). */
  readonly returnPath: ReturnPath;
  /** RFLAGS the handler ran with (user RFLAGS & ~IA32_FMASK). */
  readonly kernelFlags: bigint;
}

/** Slot of each register name `MockCpu` accepts. */
export const REGISTER_SLOT = {
  rax: GPR.RAX,
  rcx: GPR.RCX,
  rdx: GPR.RDX,
  rbx: GPR.RBX,
  rsp: GPR.RSP,
  rbp: GPR.RBP,
  rsi: GPR.RSI,
  rdi: GPR.RDI,
  r8: GPR.R8,
  r9: GPR.R9,
  r10: GPR.R10,
  r11: GPR.R11,
  r12: GPR.R12,
  r13: GPR.R13,
  r14: GPR.R14,
  r15: GPR.R15,
  rip: SLOT.RIP,
  rflags: SLOT.RFLAGS,
  fs_base: SLOT.FS_BASE,
  gs_base: SLOT.GS_BASE,
} as const;

/** A register name of {@link REGISTER_SLOT}. */
export type RegisterName = keyof typeof REGISTER_SLOT;

/** Options of {@link MockCpu}. */
export interface MockCpuOptions extends MockCpuidOptions {
  /** CPU (LAPIC) id (default 0). */
  readonly id?: number;
}

/** A register file with named access, MSRs and CPUID. */
export class MockCpu implements CpuContext {
  readonly id: number;
  readonly regs: Uint32Array;
  readonly xmm: Uint32Array;
  mxcsr: number;
  readonly fpu: Uint32Array;
  /** This CPU's MSRs. */
  readonly msr: MockMsrs;
  /** This CPU's `cpuid`. */
  readonly cpuid: MockCpuid;

  constructor(options: MockCpuOptions = {}) {
    const context = createCpuContext();
    this.regs = context.regs;
    this.xmm = context.xmm;
    this.mxcsr = context.mxcsr;
    this.fpu = context.fpu;
    this.id = options.id ?? 0;
    this.msr = new MockMsrs();
    this.cpuid = new MockCpuid(options);
  }

  /** The 64-bit value of `name`. */
  get(name: RegisterName): bigint {
    return readBig(this.regs, REGISTER_SLOT[name]);
  }

  /** Sets `name` to `value` modulo 2^64. */
  set(name: RegisterName, value: bigint): this {
    writeBig(this.regs, REGISTER_SLOT[name], value);
    return this;
  }

  /** `name` as an unsigned number, `NaN` when ≥ 2^53. */
  getNumber(name: RegisterName): number {
    return readNumber(this.regs, REGISTER_SLOT[name]);
  }

  /** `name` as a signed number (e.g. a `-errno` return), `NaN` outside ±2^53. */
  getSigned(name: RegisterName): number {
    return readSignedNumber(this.regs, REGISTER_SLOT[name]);
  }

  /** Sets `name` to a safe integer, sign-extended (throws `RangeError` otherwise). */
  setNumber(name: RegisterName, value: number): this {
    writeNumber(this.regs, REGISTER_SLOT[name], value);
    return this;
  }

  /** Sets several registers at once: `cpu.setAll({ rax: 1n, rdi: 5n })`. */
  setAll(values: Partial<Record<RegisterName, bigint>>): this {
    for (const [name, value] of Object.entries(values)) this.set(name as RegisterName, value as bigint);
    return this;
  }

  /** Every register's value, for `toEqual` comparisons and failure messages. */
  snapshot(): Record<RegisterName, bigint> {
    const out = {} as Record<RegisterName, bigint>;
    for (const name of Object.keys(REGISTER_SLOT) as RegisterName[]) out[name] = this.get(name);
    return out;
  }

  /**
   * Executes a SYSCALL at the current RIP (`instructionLength` bytes long,
   * 2 for `0f 05`) against the handlers in `entries`, and the return the
   * handler chose. See the file header for the exact semantics.
   */
  syscall(entries: MockEntryLookup, instructionLength = 2): MockSyscallOutcome {
    const efer = this.msr.read(MOCK_MSR.IA32_EFER) ?? 0n;
    if ((efer & EFER_SCE) === 0n) return { outcome: "ud", returnPath: RETURN_PATH.SYSRET, kernelFlags: 0n };
    const next = BigInt.asUintN(64, this.get("rip") + BigInt(instructionLength));
    const userFlags = this.get("rflags");
    const kernelFlags = userFlags & ~(this.msr.read(MOCK_MSR.IA32_FMASK) ?? 0n);
    this.set("rcx", next).set("r11", userFlags).set("rip", next);
    const handler = entries.handlerAt(this.msr.read(MOCK_MSR.IA32_LSTAR) ?? 0n);
    if (handler === undefined) return { outcome: "no-handler", returnPath: RETURN_PATH.SYSRET, kernelFlags };
    const frame: TrapFrame = {
      cpuId: this.id,
      kind: TRAP_KIND.SYSCALL,
      vector: NO_VECTOR,
      errorCode: NO_ERROR_CODE,
      faultAddressLow: 0,
      faultAddressHigh: 0,
      context: this,
      returnPath: RETURN_PATH.SYSRET,
    };
    handler(frame);
    const returnPath = frame.returnPath;
    if (returnPath === RETURN_PATH.SYSRET) {
      const target = this.get("rcx");
      if (!isCanonicalBig(target)) return { outcome: "shutdown", returnPath, kernelFlags };
      this.set("rip", target).set("rflags", (this.get("r11") & SYSRET_FLAGS_MASK) | BigInt(RFLAGS.FIXED));
      return { outcome: "returned", returnPath, kernelFlags };
    }
    if (!isCanonicalBig(this.get("rip"))) return { outcome: "gp", returnPath, kernelFlags };
    const flags = this.get("rflags") & ~BigInt(RFLAGS_RESERVED_MASK >>> 0);
    this.set("rflags", (flags & 0xffffffffn) | BigInt(RFLAGS.FIXED));
    return { outcome: "returned", returnPath, kernelFlags };
  }

  /** True when `cpuid` reports `feature`. */
  hasFeature(feature: CpuidFeature): boolean {
    return this.cpuid.has(feature);
  }
}
