/**
 * The system-call round trip as the benchmark and the integration tests run
 * it: the committed guest `guest/bin/getpid-loop` (a freestanding static
 * x86-64 ELF) on one emulated CPU (@tsos/testing's EmulatedCpu), with the
 * syscall layer installed through the MSR and entry-table interfaces and
 * three handlers: getpid, write (to a host buffer) and exit_group.
 *
 * Every run is checked: the guest must print `getpid-loop <count> ok` and
 * exit 0, as it does natively; otherwise the run is a failure value.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EmulatedCpu } from "@tsos/testing";
import { SYS } from "../src/abi/syscall-numbers";
import { defineSyscall } from "../src/definition";
import { arg, RETURN_KIND } from "../src/signature";
import { SyscallDispatcher } from "../src/syscall-dispatcher";
import { installSyscallEntry } from "../src/syscall-entry";
import { SyscallTable } from "../src/syscall-table";

/** Path of a committed guest binary of this package. */
export function guestPath(name: string): string {
  return fileURLToPath(new URL(`../guest/bin/${name}`, import.meta.url));
}

/** How one run is set up. */
export interface RoundTripOptions {
  /** getpid calls in the guest's loop. */
  readonly calls: number;
  /** Compile hot code (default true). */
  readonly compileBlocks?: boolean;
  /** Deliver SYSCALL inside compiled blocks (default true). */
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

const ELF = new Map<string, Uint8Array>();

/** Runs getpid-loop once on a fresh emulated CPU. */
export function runRoundTrip(options: RoundTripOptions): RoundTripRun {
  let elf = ELF.get("getpid-loop");
  if (elf === undefined) {
    elf = new Uint8Array(readFileSync(guestPath("getpid-loop")));
    ELF.set("getpid-loop", elf);
  }
  const emulated = new EmulatedCpu({
    compileBlocks: options.compileBlocks ?? true,
    syscallsInBlocks: options.syscallsInBlocks ?? true,
  });
  const cpu = emulated.cpu;
  const output: number[] = [];
  let exitStatus: number | null = null;
  const table = new SyscallTable();
  table.register(defineSyscall({ number: SYS.getpid, name: "getpid", args: [], handler: () => 1 }));
  table.register(
    defineSyscall({
      number: SYS.write,
      name: "write",
      args: [arg.fd(), arg.pointer("buf", "in", { length: 2, buffer: true }), arg.size()],
      handler: (_call, fd, buffer, length) => {
        if (fd !== 1 && fd !== 2) return -9;
        const bytes = new Uint8Array(length);
        if (!emulated.memory.read(buffer, bytes)) return -14;
        output.push(...bytes);
        return length;
      },
    }),
  );
  table.register(
    defineSyscall({
      number: SYS.exit_group,
      name: "exit_group",
      args: [arg.int("status")],
      returns: RETURN_KIND.NONE,
      handler: (_call, status) => {
        exitStatus = status & 0xff;
        cpu.requestStop();
        return 0;
      },
    }),
  );
  const dispatcher = new SyscallDispatcher({ table });
  installSyscallEntry({ msrs: cpu.msrs, entries: emulated.entries, handler: dispatcher.handle });
  emulated.loadStaticElf(elf, ["getpid-loop", String(options.calls)]);
  const started = process.hrtime.bigint();
  emulated.run();
  const nanoseconds = Number(process.hrtime.bigint() - started);
  return {
    nanoseconds,
    stdout: Buffer.from(output).toString("latin1"),
    exitStatus,
    instructions: cpu.retiredInstructions,
    syscalls: cpu.counters.syscalls,
    syscallsInBlock: cpu.counters.syscallsInBlock,
  };
}

/** The expected output of `getpid-loop <calls>` (natively and here). */
export function expectedOutput(calls: number): string {
  return `getpid-loop ${calls} ok\n`;
}
