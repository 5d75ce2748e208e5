/**
 * The execve program loader: ELF64 static executables (ET_EXEC and static
 * PIE) into an address space, with the System V initial stack. This is the
 * list for src/index.ts to re-export.
 */
export {
  ARG_MAX,
  type ArgumentStrings,
  DEFAULT_STACK_LIMIT,
  type ExecString,
  MAX_ARG_STRLEN,
} from "./arg-strings";
export { AT, CLOCK_TICKS_PER_SECOND } from "./auxv";
export { E2BIG, EINVAL, ENOEXEC, ENOMEM } from "./errors";
export { type InitialStack, PLATFORM, RANDOM_BYTES, STACK_TOP } from "./initial-stack";
export {
  ELF_ET_DYN_BASE,
  isRefusal,
  type LoadPlan,
  type LoadRefusal,
  type PlannedRegion,
  type PlannedSegment,
  planExecutable,
} from "./load-plan";
export { type ExecImage, type ExecOptions, loadExecutable, STACK_EXPAND, stackSize } from "./loader";
