/**
 * `@tsos/syscall`: the system-call mechanism of a kernel — SYSCALL entry
 * set-up, a jump table with compiled argument validation, blocking by
 * continuation, statistics, strace-style tracing, and the Linux x86-64 ABI
 * data. It depends only on `@tsos/hw-x86` interfaces; the handlers are
 * registered by whoever assembles the kernel.
 *
 * @packageDocumentation
 */
export { ARGUMENT_REGISTER_NAMES, ARGUMENT_REGISTERS, CLOBBERED_REGISTERS, NUMBER_REGISTER, RESULT_REGISTER } from "./abi/registers";
export {
  CONTINUATION_STATE,
  Continuation,
  type ContinuationHost,
  type ContinuationOwner,
  type ContinuationState,
} from "./continuation";
export { defineSyscall, SYSCALL_BLOCKED, type SyscallDefinition, type SyscallHandler } from "./definition";
export { SyscallInstallError, SyscallRegistrationError } from "./errors";
export { type ReferenceOutcome, referenceValidate } from "./reference-validator";
export {
  ARG_KIND,
  type ArgKind,
  type ArgSpec,
  type ArgValue,
  type ArgValues,
  arg,
  AT_FDCWD,
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
  RETURN_KIND,
  type RawSpec,
  type ReturnKind,
  SIGNAL_MAX,
  type SignalSpec,
  type SizeSpec,
  type StringSpec,
  signatureProblem,
  type UintSpec,
  USER_SPACE_END,
} from "./signature";
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
