/**
 * The system-call round trip as the benchmark and the integration tests run
 * it: the committed guest `guest/bin/getpid-loop` (a freestanding static
 * x86-64 ELF) on one emulated CPU (@tsos/testing's EmulatedCpu), with the
 * syscall layer installed through the MSR and entry-table interfaces
 * (test/guest-kernel.ts: getpid, write to a host buffer, exit_group, ...).
 *
 * Every run is checked: the guest must print `getpid-loop <count> ok` and
 * exit 0, as it does natively; otherwise the run is a failure value.
 */
import { GuestKernel } from "../test/guest-kernel";

export { guestPath } from "../test/guest-kernel";

/** How one run is set up. */
export interface RoundTripOptions {
  /** getpid calls in the guest's loop. */
  readonly calls: number;
  /** Compile hot code (default true). */
  readonly compileBlocks?: boolean;
  /** Deliver SYSCALL inside compiled blocks (default false, as the CPU's default). */
  readonly syscallsInBlocks?: boolean;
}

/** What one run did. */
export interface RoundTripRun {
  /** Host nanoseconds of the emulated run (loading excluded). */
  readonly nanoseconds: number;
  /** Guest stdout. */
  readonly stdout: string;
  /** exit_group status, or null if the guest did not exit. */
  readonly exitStatus: number | null;
  /** Retired guest instructions. */
  readonly instructions: number;
  /** SYSCALLs the CPU delivered. */
  readonly syscalls: number;
  /** Of those, how many went on inside a compiled block. */
  readonly syscallsInBlock: number;
}

/** Runs getpid-loop once on a fresh emulated CPU. */
export function runRoundTrip(options: RoundTripOptions): RoundTripRun {
  const kernel = new GuestKernel({
    compileBlocks: options.compileBlocks ?? true,
    syscallsInBlocks: options.syscallsInBlocks ?? false,
  });
  kernel.load("getpid-loop", [String(options.calls)]);
  const cpu = kernel.machine.cpu;
  const started = process.hrtime.bigint();
  kernel.machine.run();
  const nanoseconds = Number(process.hrtime.bigint() - started);
  return {
    nanoseconds,
    stdout: kernel.stdout,
    exitStatus: kernel.exitStatus,
    instructions: cpu.retiredInstructions,
    syscalls: cpu.counters.syscalls,
    syscallsInBlock: cpu.counters.syscallsInBlock,
  };
}

/** The expected output of `getpid-loop <calls>` (natively and here). */
export function expectedOutput(calls: number): string {
  return `getpid-loop ${calls} ok\n`;
}
