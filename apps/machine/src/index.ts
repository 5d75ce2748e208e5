/**
 * `@tsos/machine`: the tsos-machine CLI as a library, for tests and scripts:
 * run a program on the emulated machine, collect the report, write the
 * timeline trace.
 *
 * @packageDocumentation
 */

export { type BusyboxLocation, findBusybox, listApplets, locateBusybox } from "./busybox";
export { type CliOutput, EXIT, main } from "./cli-main";
export { checkGuestExecutable, type GuestFileCheck, type GuestFileInfo } from "./guest-file";
export { type BusyboxImage, defaultInitramfs, type InitramfsResult, loadInitramfs } from "./initramfs";
export {
  type CpuReport,
  collectReport,
  type HostReport,
  type InterruptSection,
  type MachineReport,
  type MemorySection,
  type ProcessRow,
  type ProcessSection,
  type ReportInputs,
  type SyscallRow,
  type SyscallSection,
  type VirtualReport,
  vectorName,
} from "./report";
export { formatReport } from "./report-format";
export {
  MachineRun,
  type RunOptions,
  type RunOutput,
  type RunProgress,
  type RunResult,
  type RunStats,
  runProgram,
  type StepState,
  typeOnKeyboard,
} from "./run";
export { runShell, type ShellTerminal } from "./shell";
export { MACHINE_PID, TimelineTrace, type TimelineTraceOptions } from "./trace";
