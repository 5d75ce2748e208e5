/**
 * The per-CPU reusable {@link TrapFrame} (no allocation per trap): the CPU
 * fills it before each handler call; handlers read it and change registers
 * only through `context`.
 */
import type { CpuContext } from "../../interfaces/cpu-context";
import type { ReturnPath, TrapFrame, TrapKind } from "../../interfaces/trap-frame";
import { RETURN_PATH, TRAP_KIND } from "../../interfaces/trap-frame";

/** Mutable implementation of TrapFrame owned by one CPU. */
export class CpuTrapFrame implements TrapFrame {
  kind: TrapKind = TRAP_KIND.SYSCALL;
  vector = -1;
  errorCode = -1;
  faultAddressLow = 0;
  faultAddressHigh = 0;
  returnPath: ReturnPath = RETURN_PATH.IRET;

  constructor(
    readonly cpuId: number,
    readonly context: CpuContext,
  ) {}

  /** Fills the frame for the next handler call. */
  set(kind: TrapKind, vector: number, errorCode: number, faultLow: number, faultHigh: number): void {
    this.kind = kind;
    this.returnPath = kind === TRAP_KIND.SYSCALL ? RETURN_PATH.SYSRET : RETURN_PATH.IRET;
    this.vector = vector;
    this.errorCode = errorCode;
    this.faultAddressLow = faultLow;
    this.faultAddressHigh = faultHigh;
  }
}
