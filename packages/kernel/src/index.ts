/**
 * `@tsos/kernel`: composes the tsos subsystems into a kernel — boot,
 * processes, ELF loading, descriptors, the console, and the Linux x86-64
 * system calls — over any machine that provides the `@tsos/hw-x86`
 * interfaces (`KernelHardware`).
 *
 * @packageDocumentation
 */
export { CONSOLE_ERROR_STREAM, SerialConsole } from "./console";
export {
  ELF,
  type ElfExecutable,
  type ElfParseResult,
  PROGRAM_TYPE,
  type ProgramHeader,
  parseElfExecutable,
  SEGMENT_FLAG,
} from "./elf";
export {
  baseName,
  commandLineText,
  execProgram,
  loadProgram,
  type ProgramImage,
  resetContext,
} from "./exec";
export * from "./exec/index";
export {
  DEFAULT_NOFILE,
  type FileOperations,
  type FileStatus,
  FileTable,
  O,
  OpenFile,
  S_IF,
  SETFL_MASK,
  WOULD_BLOCK,
} from "./files";
export * from "./fs/index";
export { FUTEX, FUTEX_CMD_MASK, Futexes, FutexQueue } from "./futex";
export type { KernelHardware } from "./hardware";
export {
  createKernel,
  Kernel,
  type KernelFrameAllocator,
  type KernelHalt,
  type KernelObserver,
  type KernelOptions,
} from "./kernel";
export { AP_TRAMPOLINE, GATE_BASE, IDT_BYTES, IDT_VIRTUAL, KERNEL_VECTOR, SYSCALL_ENTRY } from "./layout";
export { PIPE_BUF, PIPE_PAGES, Pipe, pipeOperations } from "./pipe";
export {
  defaultLimits,
  PROCESS_STATE,
  Process,
  ProcessMemory,
  type ProcessRecord,
  type ProcessState,
  type ResourceLimit,
  RLIMIT,
  RLIMIT_COUNT,
  type SignalAction,
  Thread,
  ThreadTask,
} from "./process";
export { ProcFs } from "./procfs";
export { KernelRandom } from "./random";
export { CLD, SI, SIG_DFL, SIG_IGN, Signals, UNBLOCKABLE_LOW } from "./signal-delivery";
export {
  type AltStack,
  altStackFlags,
  FPSTATE_SIZE,
  MINSIGSTKSZ,
  SA,
  SIGFRAME_SIZE,
  type SignalFrameRequest,
  SignalFrames,
  type SignalReturn,
  SS,
} from "./signal-frame";
export { inMask, PendingSignals, SIGINFO_SIZE, SIGRTMIN, SigInfoStore, signalBit } from "./signal-queue";
export {
  DEFAULT_ACTION,
  type DefaultAction,
  defaultAction,
  describeWaitStatus,
  exitedStatus,
  SIGNAL,
  SIGNAL_COUNT,
  shellStatus,
  signaledStatus,
  signalForException,
} from "./signals";
export { EPOLL } from "./syscalls/epoll";
export { KernelFileSystem, PROC_SELF_EXE, statusOf, TMP_CAPACITY } from "./vfs";
