/**
 * `@tsos/syscall`: the system-call mechanism of a kernel — SYSCALL entry
 * set-up, a jump table with compiled argument validation, blocking by
 * continuation, statistics, strace-style tracing, and the Linux x86-64 ABI
 * data. It depends only on `@tsos/hw-x86` interfaces; the handlers are
 * registered by whoever assembles the kernel.
 *
 * @packageDocumentation
 */
export {
  ERRNO,
  ERRNO_MAX,
  type ErrnoName,
  errnoMessage,
  errnoName,
  isErrorReturn,
  MAX_ERRNO,
} from "./abi/errno";
export {
  ARGUMENT_REGISTER_NAMES,
  ARGUMENT_REGISTERS,
  CLOBBERED_REGISTERS,
  NUMBER_REGISTER,
  RESULT_REGISTER,
} from "./abi/registers";
export {
  SYS,
  SYSCALL_NAMES,
  SYSCALL_TABLE_SIZE,
  type SyscallName,
  syscallName,
  syscallNumber,
} from "./abi/syscall-numbers";
export {
  CONTINUATION_STATE,
  Continuation,
  type ContinuationHost,
  type ContinuationOwner,
  type ContinuationState,
  rewindToSyscall,
} from "./continuation";
export {
  defineSyscall,
  SYSCALL_BLOCKED,
  SYSCALL_REGISTERS_SET,
  type SyscallDefinition,
  type SyscallHandler,
} from "./definition";
export { SyscallInstallError, SyscallRegistrationError } from "./errors";
export { type ReferenceOutcome, referenceValidate } from "./reference-validator";
export {
  ARG_KIND,
  type ArgKind,
  type ArgSpec,
  type ArgValue,
  type ArgValues,
  AT_FDCWD,
  arg,
  CLOCK_ID_MAX,
  type ClockIdSpec,
  type DirFdSpec,
  type FdSpec,
  type FlagNames,
  type FlagsSpec,
  type IntSpec,
  type ModeSpec,
  type PidSpec,
  type PointerDirection,
  type PointerSpec,
  type RawSpec,
  RETURN_KIND,
  type ReturnKind,
  SIGNAL_MAX,
  type SignalSpec,
  type SizeSpec,
  type StringSpec,
  signatureProblem,
  type UintSpec,
  USER_SPACE_END,
} from "./signature";
export { combineTraceSinks, SyscallTracer, type SyscallTraceSink, type TracerOptions } from "./strace";
export {
  argumentList,
  DEFAULT_STRING_LIMIT,
  escapeStraceString,
  formatArguments,
  formatCall,
  formatResult,
  IOCTL_REQUESTS,
  signalName,
  type TraceTarget,
} from "./strace-format";
export { type CallParker, SyscallCall } from "./syscall-call";
export { chooseReturnPath, type DispatcherOptions, SyscallDispatcher } from "./syscall-dispatcher";
export {
  DEFAULT_FMASK,
  DEFAULT_LSTAR,
  type InstalledSyscallEntry,
  installSyscallEntry,
  type SyscallEntryOptions,
} from "./syscall-entry";
export {
  bucketUpperBound,
  formatStatsTable,
  HISTOGRAM_BUCKETS,
  histogramBucket,
  type SyscallReportRow,
  SyscallStats,
  statsJson,
} from "./syscall-stats";
export { MAX_TABLE_SIZE, SyscallTable, type SyscallTableOptions, type TableEntry } from "./syscall-table";
export { readUserString, type UserMemory } from "./user-memory";
export { type CompiledEntry, compileEntry, type LooseHandler, validatorSource } from "./validator-compiler";
