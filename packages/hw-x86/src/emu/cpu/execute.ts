/**
 * The executor: one `switch` over the decoded OP id (a dense jump table),
 * calling the small handler for each operation. System instructions that
 * leave user mode (INT n, INT3, SYSCALL) or are privileged record the event
 * in the state for the run loop; nothing here throws for guest input.
 */
import { GPR as GPRImport } from "../../interfaces/cpu-context";
import { CR4 as CR4Import, EFER as EFERImport, VECTOR as VECTORImport } from "./arch-bits";
import { type CpuState, SYSCALL_EVENT as SYSCALL_EVENTImport } from "./cpu-state";
import type { DecodedCache } from "./decoded-cache";
import {
  executeAhFlags as executeAhFlagsImport,
  executeBitScan as executeBitScanImport,
  executeBitTest as executeBitTestImport,
  executeBswap as executeBswapImport,
  executeCmpxchg as executeCmpxchgImport,
  executeCmpxchgWide as executeCmpxchgWideImport,
  executeFlagOp as executeFlagOpImport,
  executeLzcnt as executeLzcntImport,
  executePopcnt as executePopcntImport,
  executeXadd as executeXaddImport,
  executeXlat as executeXlatImport,
} from "./exec-bits";
import {
  executeCallRelative as executeCallRelativeImport,
  executeEnter as executeEnterImport,
  executeIndirect as executeIndirectImport,
  executeJcc as executeJccImport,
  executeJmpRelative as executeJmpRelativeImport,
  executeLeave as executeLeaveImport,
  executeLoop as executeLoopImport,
  executePopFlags as executePopFlagsImport,
  executePopRegister as executePopRegisterImport,
  executePopRm as executePopRmImport,
  executePushFlags as executePushFlagsImport,
  executePushImmediate as executePushImmediateImport,
  executePushRegister as executePushRegisterImport,
  executePushRm as executePushRmImport,
  executeRet as executeRetImport,
} from "./exec-control";
import {
  executeAluRegRm as executeAluRegRmImport,
  executeAluRmImm as executeAluRmImmImport,
  executeAluRmReg as executeAluRmRegImport,
  executeCmov as executeCmovImport,
  executeExtend as executeExtendImport,
  executeLea as executeLeaImport,
  executeMovRegRm as executeMovRegRmImport,
  executeMovRmImm as executeMovRmImmImport,
  executeMovRmReg as executeMovRmRegImport,
  executeSetcc as executeSetccImport,
  executeTest as executeTestImport,
  executeUnary as executeUnaryImport,
  executeXchg as executeXchgImport,
} from "./exec-data";
import { executeFxsave } from "./exec-fxsave";
import {
  executeMovdIn,
  executeMovdOut,
  executeMxcsr,
  executePmovmskb,
  executeSseBinary,
  executeSseHalf,
  executeSseLoad,
  executeSseShiftImmediate,
  executeSseShuffle,
  executeSseStore,
} from "./exec-sse";
import {
  executeSseCompare,
  executeSseCompareFlags,
  executeSseConvert,
  executeSseFloat,
  executeSseMovmsk,
  executeSseScalarMove,
} from "./exec-sse-float";
import { executeString as executeStringImport } from "./exec-string";
import {
  executeDivide as executeDivideImport,
  executeDoubleShift as executeDoubleShiftImport,
  executeImul as executeImulImport,
  executeMultiplyAccumulator as executeMultiplyAccumulatorImport,
  executeShift as executeShiftImport,
  executeSignExtendAccumulator as executeSignExtendAccumulatorImport,
} from "./exec-wide";
import { executeX87 } from "./exec-x87";
import { readSized as readSizedImport, writeSized as writeSizedImport } from "./memory";
import { linearFromHalves as linearFromHalvesImport, writeRegister as writeRegisterImport } from "./operands";
import { OP as OPImport, PREFIX as PREFIXImport } from "./ops";

// Module-local aliases: transformed ESM imports are getter calls; hot paths use plain bindings.
const GPR = GPRImport;
const CR4 = CR4Import;
const EFER = EFERImport;
const VECTOR = VECTORImport;
const SYSCALL_EVENT = SYSCALL_EVENTImport;
const executeAhFlags = executeAhFlagsImport;
const executeBitScan = executeBitScanImport;
const executeBitTest = executeBitTestImport;
const executeBswap = executeBswapImport;
const executeCmpxchg = executeCmpxchgImport;
const executeCmpxchgWide = executeCmpxchgWideImport;
const executeFlagOp = executeFlagOpImport;
const executeLzcnt = executeLzcntImport;
const executePopcnt = executePopcntImport;
const executeXadd = executeXaddImport;
const executeXlat = executeXlatImport;
const executeCallRelative = executeCallRelativeImport;
const executeEnter = executeEnterImport;
const executeIndirect = executeIndirectImport;
const executeJcc = executeJccImport;
const executeJmpRelative = executeJmpRelativeImport;
const executeLeave = executeLeaveImport;
const executeLoop = executeLoopImport;
const executePopFlags = executePopFlagsImport;
const executePopRegister = executePopRegisterImport;
const executePopRm = executePopRmImport;
const executePushFlags = executePushFlagsImport;
const executePushImmediate = executePushImmediateImport;
const executePushRegister = executePushRegisterImport;
const executePushRm = executePushRmImport;
const executeRet = executeRetImport;
const executeAluRegRm = executeAluRegRmImport;
const executeAluRmImm = executeAluRmImmImport;
const executeAluRmReg = executeAluRmRegImport;
const executeCmov = executeCmovImport;
const executeDivide = executeDivideImport;
const executeDoubleShift = executeDoubleShiftImport;
const executeExtend = executeExtendImport;
const executeImul = executeImulImport;
const executeLea = executeLeaImport;
const executeMovRegRm = executeMovRegRmImport;
const executeMovRmImm = executeMovRmImmImport;
const executeMovRmReg = executeMovRmRegImport;
const executeMultiplyAccumulator = executeMultiplyAccumulatorImport;
const executeSetcc = executeSetccImport;
const executeShift = executeShiftImport;
const executeSignExtendAccumulator = executeSignExtendAccumulatorImport;
const executeTest = executeTestImport;
const executeUnary = executeUnaryImport;
const executeXchg = executeXchgImport;
const executeString = executeStringImport;
const readSized = readSizedImport;
const writeSized = writeSizedImport;
const OP = OPImport;
const PREFIX = PREFIXImport;
const linearFromHalves = linearFromHalvesImport;
const writeRegister = writeRegisterImport;

const cpuidOut = new Uint32Array(4);

function raiseTrap(state: CpuState, vector: number, software: boolean): void {
  state.raise(vector, -1);
  state.exceptionIsTrap = true;
  state.exceptionIsSoftware = software;
}

/** MOV AL/AX/EAX/RAX ↔ moffs: the immediate is the (64-bit, or 32-bit with 67) address; FS/GS apply. */
function executeMoffs(state: CpuState, cache: DecodedCache, slot: number, store: boolean): void {
  const size = cache.size[slot]!;
  let low = cache.immLow[slot]! >>> 0;
  let high = cache.immHigh[slot]! >>> 0;
  const prefix = cache.prefix[slot]!;
  if ((prefix & (PREFIX.FS | PREFIX.GS)) !== 0) {
    const segment = (prefix & PREFIX.FS) !== 0 ? 18 : 19;
    const sum = low + state.regs[segment * 2]!;
    high = (high + state.regs[segment * 2 + 1]! + (sum >= 4294967296 ? 1 : 0)) >>> 0;
    low = sum >>> 0;
  }
  const linear = linearFromHalves(state, low, high, false);
  if (linear < 0) return;
  if (store) {
    writeSized(state, linear, size, state.regs[0]!, state.regs[1]!);
    return;
  }
  const value = readSized(state, linear, size);
  if (state.exceptionVector >= 0) return;
  writeRegister(state, GPR.RAX, size, value, state.high);
}

function executeSystem(state: CpuState, cache: DecodedCache, slot: number, op: number): void {
  switch (op) {
    case OP.INT3:
      raiseTrap(state, VECTOR.BP, true);
      return;
    case OP.INT_N:
      raiseTrap(state, cache.immLow[slot]! & 0xff, true);
      return;
    case OP.INT1:
      raiseTrap(state, VECTOR.DB, false);
      return;
    case OP.PRIVILEGED:
    case OP.RDPMC:
      state.raise(VECTOR.GP, 0);
      return;
    case OP.CPUID: {
      const regs = state.regs;
      if (state.cpuid === null) cpuidOut.fill(0);
      else state.cpuid.query(regs[0]!, regs[GPR.RCX * 2]!, cpuidOut);
      writeRegister(state, GPR.RAX, 4, cpuidOut[0]!, 0);
      writeRegister(state, GPR.RBX, 4, cpuidOut[1]!, 0);
      writeRegister(state, GPR.RCX, 4, cpuidOut[2]!, 0);
      writeRegister(state, GPR.RDX, 4, cpuidOut[3]!, 0);
      return;
    }
    case OP.RDTSC: {
      if ((state.cr4 & CR4.TSD) !== 0) {
        state.raise(VECTOR.GP, 0);
        return;
      }
      const tsc = state.retired + state.tscOffset;
      const high = Math.floor(tsc / 4294967296);
      writeRegister(state, GPR.RAX, 4, tsc - high * 4294967296, 0);
      writeRegister(state, GPR.RDX, 4, high >>> 0, 0);
      return;
    }
    case OP.SYSCALL:
      if ((state.efer & EFER.SCE) === 0) {
        state.raise(VECTOR.UD, -1);
        return;
      }
      raiseTrap(state, SYSCALL_EVENT, false);
      return;
    default:
      state.raise(VECTOR.UD, -1);
      return;
  }
}

/** An operation handler: executes the decoded instruction in `slot`. */
export type Handler = (state: CpuState, cache: DecodedCache, slot: number) => void;

const executeSystemHandler: Handler = (state, cache, slot) =>
  executeSystem(state, cache, slot, cache.op[slot]!);

/** OP id → handler (a dispatch table rather than a long switch); unlisted ids are system ops or #UD. */
const HANDLERS: Handler[] = new Array<Handler>(256).fill(executeSystemHandler);
const executeTestFalse: Handler = (state, cache, slot) => executeTest(state, cache, slot, false);
const executeTestTrue: Handler = (state, cache, slot) => executeTest(state, cache, slot, true);
const executeMoffsFalse: Handler = (state, cache, slot) => executeMoffs(state, cache, slot, false);
const executeMoffsTrue: Handler = (state, cache, slot) => executeMoffs(state, cache, slot, true);
const executeExtendFalse: Handler = (state, cache, slot) => executeExtend(state, cache, slot, false);
const executeExtendTrue: Handler = (state, cache, slot) => executeExtend(state, cache, slot, true);
const executeUnary0: Handler = (state, cache, slot) => executeUnary(state, cache, slot, 0);
const executeUnary1: Handler = (state, cache, slot) => executeUnary(state, cache, slot, 1);
const executeUnary2: Handler = (state, cache, slot) => executeUnary(state, cache, slot, 2);
const executeUnary3: Handler = (state, cache, slot) => executeUnary(state, cache, slot, 3);
const executeMultiplyAccumulatorFalse: Handler = (state, cache, slot) =>
  executeMultiplyAccumulator(state, cache, slot, false);
const executeMultiplyAccumulatorTrue: Handler = (state, cache, slot) =>
  executeMultiplyAccumulator(state, cache, slot, true);
const executeDivideFalse: Handler = (state, cache, slot) => executeDivide(state, cache, slot, false);
const executeDivideTrue: Handler = (state, cache, slot) => executeDivide(state, cache, slot, true);
const executeImulFalse: Handler = (state, cache, slot) => executeImul(state, cache, slot, false);
const executeImulTrue: Handler = (state, cache, slot) => executeImul(state, cache, slot, true);
const executeShiftFalse: Handler = (state, cache, slot) => executeShift(state, cache, slot, false);
const executeShiftTrue: Handler = (state, cache, slot) => executeShift(state, cache, slot, true);
const executeDoubleShiftTrueFalse: Handler = (state, cache, slot) =>
  executeDoubleShift(state, cache, slot, true, false);
const executeDoubleShiftTrueTrue: Handler = (state, cache, slot) =>
  executeDoubleShift(state, cache, slot, true, true);
const executeDoubleShiftFalseFalse: Handler = (state, cache, slot) =>
  executeDoubleShift(state, cache, slot, false, false);
const executeDoubleShiftFalseTrue: Handler = (state, cache, slot) =>
  executeDoubleShift(state, cache, slot, false, true);
const executeBitTestFalse: Handler = (state, cache, slot) => executeBitTest(state, cache, slot, false);
const executeBitTestTrue: Handler = (state, cache, slot) => executeBitTest(state, cache, slot, true);
const executeBitScanFalse: Handler = (state, cache, slot) => executeBitScan(state, cache, slot, false);
const executeBitScanTrue: Handler = (state, cache, slot) => executeBitScan(state, cache, slot, true);
const executeIndirectFalse: Handler = (state, cache, slot) => executeIndirect(state, cache, slot, false);
const executeIndirectTrue: Handler = (state, cache, slot) => executeIndirect(state, cache, slot, true);
const executeSignExtendAccumulatorFalse: Handler = (state, cache, slot) =>
  executeSignExtendAccumulator(state, cache, slot, false);
const executeSignExtendAccumulatorTrue: Handler = (state, cache, slot) =>
  executeSignExtendAccumulator(state, cache, slot, true);
HANDLERS[OP.ALU_RM_R] = executeAluRmReg;
HANDLERS[OP.ALU_R_RM] = executeAluRegRm;
HANDLERS[OP.ALU_RM_I] = executeAluRmImm;
HANDLERS[OP.TEST_RM_R] = executeTestFalse;
HANDLERS[OP.TEST_RM_I] = executeTestTrue;
HANDLERS[OP.MOV_RM_R] = executeMovRmReg;
HANDLERS[OP.MOV_R_RM] = executeMovRegRm;
HANDLERS[OP.MOV_RM_I] = executeMovRmImm;
HANDLERS[OP.MOV_LOAD_MOFFS] = executeMoffsFalse;
HANDLERS[OP.MOV_STORE_MOFFS] = executeMoffsTrue;
HANDLERS[OP.MOVZX] = executeExtendFalse;
HANDLERS[OP.MOVSX] = executeExtendTrue;
HANDLERS[OP.MOVSXD] = executeExtendTrue;
HANDLERS[OP.LEA] = executeLea;
HANDLERS[OP.XCHG] = executeXchg;
HANDLERS[OP.PUSH_R] = executePushRegister;
HANDLERS[OP.POP_R] = executePopRegister;
HANDLERS[OP.PUSH_I] = executePushImmediate;
HANDLERS[OP.PUSH_RM] = executePushRm;
HANDLERS[OP.POP_RM] = executePopRm;
HANDLERS[OP.INC] = executeUnary0;
HANDLERS[OP.DEC] = executeUnary1;
HANDLERS[OP.NOT] = executeUnary2;
HANDLERS[OP.NEG] = executeUnary3;
HANDLERS[OP.MUL] = executeMultiplyAccumulatorFalse;
HANDLERS[OP.IMUL1] = executeMultiplyAccumulatorTrue;
HANDLERS[OP.DIV] = executeDivideFalse;
HANDLERS[OP.IDIV] = executeDivideTrue;
HANDLERS[OP.IMUL_R_RM] = executeImulFalse;
HANDLERS[OP.IMUL_R_RM_I] = executeImulTrue;
HANDLERS[OP.SHIFT_I] = executeShiftFalse;
HANDLERS[OP.SHIFT_CL] = executeShiftTrue;
HANDLERS[OP.SHLD_I] = executeDoubleShiftTrueFalse;
HANDLERS[OP.SHLD_CL] = executeDoubleShiftTrueTrue;
HANDLERS[OP.SHRD_I] = executeDoubleShiftFalseFalse;
HANDLERS[OP.SHRD_CL] = executeDoubleShiftFalseTrue;
HANDLERS[OP.BT_R] = executeBitTestFalse;
HANDLERS[OP.BT_I] = executeBitTestTrue;
HANDLERS[OP.BSF] = executeBitScanFalse;
HANDLERS[OP.BSR] = executeBitScanTrue;
HANDLERS[OP.LZCNT] = executeLzcnt;
HANDLERS[OP.POPCNT] = executePopcnt;
HANDLERS[OP.SETCC] = executeSetcc;
HANDLERS[OP.CMOVCC] = executeCmov;
HANDLERS[OP.JCC] = executeJcc;
HANDLERS[OP.JMP_REL] = executeJmpRelative;
HANDLERS[OP.CALL_REL] = executeCallRelative;
HANDLERS[OP.JMP_RM] = executeIndirectFalse;
HANDLERS[OP.CALL_RM] = executeIndirectTrue;
HANDLERS[OP.RET] = executeRet;
HANDLERS[OP.LOOP] = executeLoop;
HANDLERS[OP.CBW] = executeSignExtendAccumulatorFalse;
HANDLERS[OP.CWD] = executeSignExtendAccumulatorTrue;
HANDLERS[OP.PUSHF] = executePushFlags;
HANDLERS[OP.POPF] = executePopFlags;
HANDLERS[OP.MOVS] = executeString;
HANDLERS[OP.CMPS] = executeString;
HANDLERS[OP.STOS] = executeString;
HANDLERS[OP.LODS] = executeString;
HANDLERS[OP.SCAS] = executeString;
HANDLERS[OP.ENTER] = executeEnter;
HANDLERS[OP.LEAVE] = executeLeave;
HANDLERS[OP.CMPXCHG] = executeCmpxchg;
HANDLERS[OP.CMPXCHG_WIDE] = executeCmpxchgWide;
HANDLERS[OP.XADD] = executeXadd;
HANDLERS[OP.BSWAP] = executeBswap;
HANDLERS[OP.XLAT] = executeXlat;
HANDLERS[OP.NOP] = () => {};
HANDLERS[OP.SSE_LOAD] = executeSseLoad;
HANDLERS[OP.SSE_STORE] = executeSseStore;
HANDLERS[OP.SSE_BINARY] = executeSseBinary;
HANDLERS[OP.SSE_SHIFT_IMM] = executeSseShiftImmediate;
HANDLERS[OP.SSE_SHUFFLE] = executeSseShuffle;
HANDLERS[OP.MOVD_IN] = executeMovdIn;
HANDLERS[OP.MOVD_OUT] = executeMovdOut;
HANDLERS[OP.PMOVMSKB] = executePmovmskb;
HANDLERS[OP.MXCSR_OP] = executeMxcsr;
HANDLERS[OP.SSE_HALF] = executeSseHalf;
HANDLERS[OP.FXSAVE_OP] = executeFxsave;
HANDLERS[OP.SSE_FLOAT] = executeSseFloat;
HANDLERS[OP.SSE_CONVERT] = executeSseConvert;
HANDLERS[OP.SSE_COMPARE] = executeSseCompare;
HANDLERS[OP.SSE_COMPARE_FLAGS] = executeSseCompareFlags;
HANDLERS[OP.SSE_MOVMSK] = executeSseMovmsk;
HANDLERS[OP.SSE_SCALAR_MOVE] = executeSseScalarMove;
HANDLERS[OP.X87] = executeX87;
HANDLERS[OP.SAHF] = (state) => executeAhFlags(state, true);
HANDLERS[OP.LAHF] = (state) => executeAhFlags(state, false);
HANDLERS[OP.FLAG_OP] = (state, cache, slot) => executeFlagOp(state, cache.aux[slot]!);

/**
 * Executes the decoded instruction in `slot`; `state.nextRip` must already be RIP + length.
 * The most frequent operations are dispatched by a literal-case switch (a jump table with
 * monomorphic calls); the rest through HANDLERS. `checkDispatchTable` below keeps the
 * literals honest against OP.
 */
export function execute(state: CpuState, cache: DecodedCache, slot: number): void {
  switch (cache.op[slot]!) {
    case 6: // OP.MOV_RM_R
      executeMovRmReg(state, cache, slot);
      return;
    case 7: // OP.MOV_R_RM
      executeMovRegRm(state, cache, slot);
      return;
    case 8: // OP.MOV_RM_I
      executeMovRmImm(state, cache, slot);
      return;
    case 1: // OP.ALU_RM_R
      executeAluRmReg(state, cache, slot);
      return;
    case 2: // OP.ALU_R_RM
      executeAluRegRm(state, cache, slot);
      return;
    case 3: // OP.ALU_RM_I
      executeAluRmImm(state, cache, slot);
      return;
    case 4: // OP.TEST_RM_R
      executeTestFalse(state, cache, slot);
      return;
    case 5: // OP.TEST_RM_I
      executeTestTrue(state, cache, slot);
      return;
    case 45: // OP.JCC
      executeJcc(state, cache, slot);
      return;
    case 13: // OP.LEA
      executeLea(state, cache, slot);
      return;
    case 11: // OP.MOVZX
      executeExtendFalse(state, cache, slot);
      return;
    case 12: // OP.MOVSX
      executeExtendTrue(state, cache, slot);
      return;
    case 79: // OP.MOVSXD
      executeExtendTrue(state, cache, slot);
      return;
    case 16: // OP.PUSH_R
      executePushRegister(state, cache, slot);
      return;
    case 17: // OP.POP_R
      executePopRegister(state, cache, slot);
      return;
    case 47: // OP.CALL_REL
      executeCallRelative(state, cache, slot);
      return;
    case 50: // OP.RET
      executeRet(state, cache, slot);
      return;
    case 46: // OP.JMP_REL
      executeJmpRelative(state, cache, slot);
      return;
    case 44: // OP.CMOVCC
      executeCmov(state, cache, slot);
      return;
    case 43: // OP.SETCC
      executeSetcc(state, cache, slot);
      return;
    case 31: // OP.SHIFT_I
      executeShiftFalse(state, cache, slot);
      return;
    case 21: // OP.INC
      executeUnary0(state, cache, slot);
      return;
    case 22: // OP.DEC
      executeUnary1(state, cache, slot);
      return;
    case 29: // OP.IMUL_R_RM
      executeImulFalse(state, cache, slot);
      return;
    default:
      HANDLERS[cache.op[slot]!]!(state, cache, slot);
  }
}

/** The handler of operation `op` (the executor's own; compiled blocks call it for forms they do not inline). */
export function operationHandler(op: number): Handler {
  return HANDLERS[op] ?? executeSystemHandler;
}

/** The literal cases of `execute`, as (id, handler) pairs, for the consistency check in tests. */
export const HOT_DISPATCH: readonly (readonly [number, Handler])[] = [
  [OP.MOV_RM_R, executeMovRmReg],
  [OP.MOV_R_RM, executeMovRegRm],
  [OP.MOV_RM_I, executeMovRmImm],
  [OP.ALU_RM_R, executeAluRmReg],
  [OP.ALU_R_RM, executeAluRegRm],
  [OP.ALU_RM_I, executeAluRmImm],
  [OP.TEST_RM_R, executeTestFalse],
  [OP.TEST_RM_I, executeTestTrue],
  [OP.JCC, executeJcc],
  [OP.LEA, executeLea],
  [OP.MOVZX, executeExtendFalse],
  [OP.MOVSX, executeExtendTrue],
  [OP.MOVSXD, executeExtendTrue],
  [OP.PUSH_R, executePushRegister],
  [OP.POP_R, executePopRegister],
  [OP.CALL_REL, executeCallRelative],
  [OP.RET, executeRet],
  [OP.JMP_REL, executeJmpRelative],
  [OP.CMOVCC, executeCmov],
  [OP.SETCC, executeSetcc],
  [OP.SHIFT_I, executeShiftFalse],
  [OP.INC, executeUnary0],
  [OP.DEC, executeUnary1],
  [OP.IMUL_R_RM, executeImulFalse],
];

/** True when every literal case of `execute` names the handler HANDLERS holds for that OP id. */
export function checkDispatchTable(): boolean {
  return HOT_DISPATCH.every(([id, handler]) => HANDLERS[id] === handler);
}
