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
 */
import {
  type CpuContext,
  createCpuContext,
  GPR,
  readBig,
  readNumber,
  readSignedNumber,
  SLOT,
  writeBig,
  writeNumber,
} from "@tsos/hw-x86";
import { type CpuidFeature, MockCpuid, type MockCpuidOptions } from "./mock-cpuid";
import { MockMsrs } from "./mock-msr";

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
  /** This CPU's MSRs. */
  readonly msr: MockMsrs;
  /** This CPU's `cpuid`. */
  readonly cpuid: MockCpuid;

  constructor(options: MockCpuOptions = {}) {
    const context = createCpuContext();
    this.regs = context.regs;
    this.xmm = context.xmm;
    this.mxcsr = context.mxcsr;
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

  /** True when `cpuid` reports `feature`. */
  hasFeature(feature: CpuidFeature): boolean {
    return this.cpuid.has(feature);
  }
}
