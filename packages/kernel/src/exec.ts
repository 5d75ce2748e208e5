/**
 * execve: replacing a process's program. The new image is loaded into a
 * fresh address space first ({@link loadExecutable}), so a failure (bad
 * ELF, E2BIG, ENOMEM) leaves the caller running its old program and the
 * fresh space is destroyed. Past that point nothing fails: the old memory
 * is released (a vfork parent resumes), close-on-exec descriptors close,
 * caught signals revert to their default action (ignored ones stay
 * ignored), the command name becomes the file's base name, and the thread
 * starts at the entry point with zeroed registers (RFLAGS = IF), RSP at
 * argc, FS base 0 and a default MXCSR.
 */
import {
  CPUID_LEAF,
  CPUID_OUT,
  type CpuContext,
  GPR,
  MXCSR_DEFAULT,
  resetFpu,
  SLOT,
  writeNumber,
} from "@tsos/hw-x86";
import { loadExecutable } from "./exec/loader";
import type { Kernel } from "./kernel";
import { type Process, type ProcessMemory, RLIMIT, type Thread } from "./process";

/** A program image to run: its bytes and how it was named. */
export interface ProgramImage {
  /** The path execve was given (AT_EXECFN, /proc/self/exe). */
  readonly path: string;
  /** The file's bytes. */
  readonly bytes: Uint8Array;
}

const RFLAGS_IF = 0x202;
/** Linux's TASK_COMM_LEN − 1. */
const COMM_LENGTH = 15;

/**
 * Loads `image` into a fresh address space for `process`; the memory and
 * the image, or -errno (nothing of the caller changed).
 */
export function loadProgram(
  kernel: Kernel,
  process: Process,
  image: ProgramImage,
  argv: readonly string[],
  envp: readonly string[],
): { memory: ProcessMemory; entry: number; stackPointer: number } | number {
  const memory = kernel.createMemory(process.limits[RLIMIT.STACK]!.soft);
  if (typeof memory === "number") return memory;
  const random = new Uint8Array(16);
  kernel.random.fill(random);
  const loaded = loadExecutable(memory.space, kernel.hardware.memory, image.bytes, {
    path: image.path,
    argv,
    envp,
    random,
    hwcap: kernel.hardwareCapabilities(),
    uid: process.uid,
    euid: process.uid,
    gid: process.gid,
    egid: process.gid,
    stackLimit: process.limits[RLIMIT.STACK]!.soft,
  });
  if (typeof loaded === "number") {
    kernel.releaseMemory(memory);
    return loaded;
  }
  return { memory, entry: loaded.entry, stackPointer: loaded.stackPointer };
}

/** Sets `context` to a new program's first instruction. */
export function resetContext(context: CpuContext, entry: number, stackPointer: number): void {
  context.regs.fill(0);
  context.xmm.fill(0);
  context.mxcsr = MXCSR_DEFAULT;
  resetFpu(context.fpu);
  writeNumber(context.regs, SLOT.RIP, entry);
  writeNumber(context.regs, SLOT.RFLAGS, RFLAGS_IF);
  writeNumber(context.regs, GPR.RSP, stackPointer);
}

/**
 * execve for the calling thread, whose live registers are `context`:
 * 0 (the caller now runs the new program) or -errno (it keeps the old one).
 */
export function execProgram(
  kernel: Kernel,
  thread: Thread,
  context: CpuContext,
  image: ProgramImage,
  argv: readonly string[],
  envp: readonly string[],
  /** The command name (comm); default the image's basename. */
  command = baseName(image.path),
): number {
  const process = thread.process;
  const loaded = loadProgram(kernel, process, image, argv, envp);
  if (typeof loaded === "number") return loaded;
  const old = process.memory;
  process.memory = loaded.memory;
  thread.task.addressSpace = loaded.memory;
  kernel.switchCurrentMemory(thread, loaded.memory);
  kernel.releaseVfork(process);
  if (old !== null) kernel.releaseMemory(old);
  process.files?.closeOnExecAll();
  for (let signal = 0; signal < process.actions.length; signal++) {
    const action = process.actions[signal];
    if (action === null || action === undefined) continue;
    // Handlers become SIG_DFL; SIG_IGN stays, without flags or mask (Linux's flush_signal_handlers).
    process.actions[signal] =
      action.handler === 1 ? { handler: 1, flags: 0, restorer: 0, maskLow: 0, maskHigh: 0 } : null;
  }
  // The mask and pending signals survive execve; the alternate stack does not (sigaltstack(2)).
  thread.altStack.sp = 0;
  thread.altStack.size = 0;
  thread.altStack.flags = 0;
  process.name = command.slice(0, COMM_LENGTH);
  process.executable = image.path;
  process.commandLine = commandLineOf(argv);
  thread.clearChildTid = 0;
  // The new program's XMM state replaces the running task's: make that the live one first (lazy FPU).
  kernel.syncFpu(thread.task.cpu, context);
  resetContext(context, loaded.entry, loaded.stackPointer);
  return 0;
}

/** A command line (commandLineOf's bytes) as text: the arguments separated by spaces, as `ps` shows them. */
export function commandLineText(commandLine: Uint8Array): string {
  let text = "";
  const end =
    commandLine.length > 0 && commandLine[commandLine.length - 1] === 0
      ? commandLine.length - 1
      : commandLine.length;
  for (let index = 0; index < end; index++) {
    const byte = commandLine[index]!;
    text += byte === 0 ? " " : String.fromCharCode(byte);
  }
  return text;
}

/** argv as /proc/<pid>/cmdline holds it: every argument followed by a NUL (Latin-1). */
export function commandLineOf(argv: readonly string[]): Uint8Array {
  let length = 0;
  for (const argument of argv) length += argument.length + 1;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const argument of argv) {
    for (let index = 0; index < argument.length; index++) bytes[at++] = argument.charCodeAt(index) & 0xff;
    bytes[at++] = 0;
  }
  return bytes;
}

/** The last component of a path. */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  return slash < 0 ? trimmed : trimmed.slice(slash + 1);
}

/** AT_HWCAP on x86-64: CPUID.01H:EDX. */
export function hardwareCapabilities(cpuid: {
  query(leaf: number, subleaf: number, out: Uint32Array): void;
}): number {
  const out = new Uint32Array(4);
  cpuid.query(CPUID_LEAF.FEATURES, 0, out);
  return out[CPUID_OUT.EDX]!;
}
