/**
 * The MSRs of one emulated CPU as the kernel reads and writes them
 * (`MsrAccess`, SDM vol 4): EFER, STAR, LSTAR, CSTAR, FMASK, FS/GS base
 * (aliases of the context's FS_BASE/GS_BASE slots), KERNEL_GS_BASE,
 * TSC_AUX, TSC and APIC_BASE. Unknown indices read as `undefined` and
 * refuse writes (#GP on hardware); so do writes of reserved EFER bits and
 * non-canonical addresses into address MSRs.
 */
import { SLOT } from "../../interfaces/cpu-context";
import type { MsrAccess } from "../../interfaces/msr-access";
import { EFER, MSR } from "./arch-bits";
import type { CpuState } from "./cpu-state";
import { flushTlb } from "./mmu";

const TWO_POW_32 = 4294967296;
const EFER_WRITABLE = EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE;
/** Default IA32_APIC_BASE: 0xFEE00000, APIC global enable (bit 11), BSP flag (bit 8) for CPU 0 (SDM vol 3 §11.4.4). */
const APIC_BASE_DEFAULT = 0xfee00000 | (1 << 11);
const APIC_BASE_BSP = 1 << 8;

function isCanonical(high: number): boolean {
  return high < 0x8000 || high >= 0xffff8000;
}

/** MSR file of one CPU. */
export class CpuMsrs implements MsrAccess {
  /** Low/high halves of STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE, TSC_AUX, APIC_BASE. */
  readonly words = new Uint32Array(14);

  constructor(
    private readonly state: CpuState,
    bootstrap: boolean,
  ) {
    this.words[12] = (APIC_BASE_DEFAULT | (bootstrap ? APIC_BASE_BSP : 0)) >>> 0;
  }

  /** Index into `words` of an MSR kept here, or -1. */
  private slotOf(index: number): number {
    switch (index >>> 0) {
      case MSR.STAR:
        return 0;
      case MSR.LSTAR:
        return 2;
      case MSR.CSTAR:
        return 4;
      case MSR.FMASK:
        return 6;
      case MSR.KERNEL_GS_BASE:
        return 8;
      case MSR.TSC_AUX:
        return 10;
      case MSR.APIC_BASE:
        return 12;
      default:
        return -1;
    }
  }

  read(index: number): bigint | undefined {
    const regs = this.state.regs;
    switch (index >>> 0) {
      case MSR.EFER:
        return BigInt(this.state.efer >>> 0);
      case MSR.FS_BASE:
        return (BigInt(regs[SLOT.FS_BASE * 2 + 1]!) << 32n) | BigInt(regs[SLOT.FS_BASE * 2]!);
      case MSR.GS_BASE:
        return (BigInt(regs[SLOT.GS_BASE * 2 + 1]!) << 32n) | BigInt(regs[SLOT.GS_BASE * 2]!);
      case MSR.TSC:
        return BigInt(this.state.retired + this.state.tscOffset);
    }
    const slot = this.slotOf(index);
    if (slot < 0) return undefined;
    return (BigInt(this.words[slot + 1]!) << 32n) | BigInt(this.words[slot]!);
  }

  write(index: number, value: bigint): boolean {
    const wrapped = BigInt.asUintN(64, value);
    return this.writeHalves(index, Number(wrapped & 0xffffffffn), Number(wrapped >> 32n));
  }

  writeHalves(index: number, low: number, high: number): boolean {
    low >>>= 0;
    high >>>= 0;
    const regs = this.state.regs;
    switch (index >>> 0) {
      case MSR.EFER:
        if (high !== 0 || (low & ~EFER_WRITABLE) !== 0) return false;
        this.state.efer = low;
        flushTlb(this.state, true);
        return true;
      case MSR.FS_BASE:
      case MSR.GS_BASE: {
        if (!isCanonical(high)) return false;
        const slot = index >>> 0 === MSR.FS_BASE ? SLOT.FS_BASE : SLOT.GS_BASE;
        regs[slot * 2] = low;
        regs[slot * 2 + 1] = high;
        return true;
      }
      case MSR.TSC:
        this.state.tscOffset = high * TWO_POW_32 + low - this.state.retired;
        return true;
      case MSR.LSTAR:
      case MSR.CSTAR:
      case MSR.KERNEL_GS_BASE:
        if (!isCanonical(high)) return false;
        break;
      case MSR.FMASK:
      case MSR.TSC_AUX:
        if (high !== 0) return false;
        break;
    }
    const slot = this.slotOf(index);
    if (slot < 0) return false;
    this.words[slot] = low;
    this.words[slot + 1] = high;
    return true;
  }

  /** IA32_LSTAR low half (SYSCALL target). */
  lstarLow(): number {
    return this.words[2]!;
  }
  /** IA32_LSTAR high half (SYSCALL target). */
  lstarHigh(): number {
    return this.words[3]!;
  }
  /** IA32_FMASK low word (RFLAGS bits SYSCALL clears). */
  fmask(): number {
    return this.words[6]!;
  }
}
