/**
 * A minimal kernel for the integration tests and the round-trip benchmark:
 * one process on one @tsos/testing EmulatedCpu, the syscall layer installed
 * through the MSR and entry-table interfaces, and the few handlers the
 * committed guests need — each answering as Linux does for the cases the
 * guests exercise (stdin at EOF, no files, no other processes):
 *
 * getpid → the pid; write(1|2) → captured stdout/stderr, other fds -EBADF,
 * unreadable buffer -EFAULT; read(0) → 0 (EOF), other fds -EBADF; openat →
 * -ENOENT; close → -EBADF; kill → -ESRCH; mmap(len 0) → -EINVAL, else
 * -ENOMEM; clock_gettime → the virtual TSC as nanoseconds, -EFAULT on a bad
 * pointer; exit_group → the status, CPU stopped.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EmulatedCpu, type EmulatedCpuOptions } from "@tsos/testing";
import { ERRNO } from "../src/abi/errno";
import { SYS } from "../src/abi/syscall-numbers";
import { defineSyscall, type SyscallDefinition } from "../src/definition";
import { arg, RETURN_KIND } from "../src/signature";
import { type DispatcherOptions, SyscallDispatcher } from "../src/syscall-dispatcher";
import { type InstalledSyscallEntry, installSyscallEntry } from "../src/syscall-entry";
import { SyscallTable } from "../src/syscall-table";

/**
 * Path of a committed guest binary of this package: in `guest/bin` beside
 * this file, or in `$TSOS_SYSCALL_GUEST_DIR` (set by the benchmark for its
 * bundled children, which run from a temporary folder).
 */
export function guestPath(name: string): string {
  const folder = process.env.TSOS_SYSCALL_GUEST_DIR;
  if (folder !== undefined && folder !== "") return join(folder, name);
  return fileURLToPath(new URL(`../guest/bin/${name}`, import.meta.url));
}

const images = new Map<string, Uint8Array>();

/** The bytes of a committed guest binary (read once). */
export function guestImage(name: string): Uint8Array {
  let image = images.get(name);
  if (image === undefined) {
    image = new Uint8Array(readFileSync(guestPath(name)));
    images.set(name, image);
  }
  return image;
}

/** Options of {@link GuestKernel}. */
export interface GuestKernelOptions extends EmulatedCpuOptions {
  /** getpid's answer (default 1). */
  readonly pid?: number;
  /** Further dispatcher options (host, clocks). */
  readonly dispatcher?: Omit<DispatcherOptions, "table">;
  /** Registers extra handlers after the defaults (`table.unregister(n)` first to replace one). */
  readonly handlers?: (table: SyscallTable, kernel: GuestKernel) => void;
}

const O_FLAG_NAMES = {
  field: { mask: 3, values: { 0: "O_RDONLY", 1: "O_WRONLY", 2: "O_RDWR", 3: "O_ACCMODE" } },
  bits: {
    O_CREAT: 0o100,
    O_EXCL: 0o200,
    O_NOCTTY: 0o400,
    O_TRUNC: 0o1000,
    O_APPEND: 0o2000,
    O_NONBLOCK: 0o4000,
    O_DIRECTORY: 0o200000,
    O_NOFOLLOW: 0o400000,
    O_CLOEXEC: 0o2000000,
  },
} as const;
const PROT_NAMES = { bits: { PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4 } } as const;
const MAP_NAMES = {
  field: { mask: 3, values: { 1: "MAP_SHARED", 2: "MAP_PRIVATE", 3: "MAP_SHARED_VALIDATE" } },
  bits: { MAP_FIXED: 0x10, MAP_ANONYMOUS: 0x20 },
} as const;

/** One process's kernel on one emulated CPU. */
export class GuestKernel {
  /** The emulated CPU. */
  readonly machine: EmulatedCpu;
  /** The jump table. */
  readonly table: SyscallTable;
  /** The dispatcher bound at IA32_LSTAR. */
  readonly dispatcher: SyscallDispatcher;
  /** The installed entry. */
  readonly entry: InstalledSyscallEntry;
  /** exit_group's status (low 8 bits), or null while the guest runs. */
  exitStatus: number | null = null;
  private readonly out: number[] = [];
  private readonly err: number[] = [];

  constructor(options: GuestKernelOptions = {}) {
    const machine = new EmulatedCpu(options);
    this.machine = machine;
    this.table = new SyscallTable();
    this.registerDefaults(options.pid ?? 1);
    options.handlers?.(this.table, this);
    this.dispatcher = new SyscallDispatcher({ ...options.dispatcher, table: this.table });
    this.dispatcher.setMemory(0, machine.memory);
    this.entry = installSyscallEntry({
      msrs: machine.cpu.msrs,
      entries: machine.entries,
      handler: this.dispatcher.handle,
    });
  }

  /** Guest stdout so far (Latin-1). */
  get stdout(): string {
    return Buffer.from(this.out).toString("latin1");
  }

  /** Guest stderr so far (Latin-1). */
  get stderr(): string {
    return Buffer.from(this.err).toString("latin1");
  }

  /** Loads a committed guest with `argv` (argv[0] = its name). */
  load(name: string, args: readonly string[] = []): void {
    this.machine.loadStaticElf(guestImage(name), [name, ...args]);
  }

  private registerDefaults(pid: number): void {
    const machine = this.machine;
    const table = this.table;
    const definitions: SyscallDefinition[] = [
      defineSyscall({ number: SYS.getpid, name: "getpid", args: [], handler: () => pid }),
      defineSyscall({
        number: SYS.write,
        name: "write",
        args: [arg.fd(), arg.pointer("buf", "in", { length: 2, buffer: true }), arg.size()],
        handler: (call, fd, buffer, length) => {
          const sink = fd === 1 ? this.out : fd === 2 ? this.err : undefined;
          if (sink === undefined) return -ERRNO.EBADF;
          const bytes = new Uint8Array(length);
          if (!call.memory!.read(buffer, bytes)) return -ERRNO.EFAULT;
          for (const byte of bytes) sink.push(byte);
          return length;
        },
      }),
      defineSyscall({
        number: SYS.read,
        name: "read",
        args: [arg.fd(), arg.pointer("buf", "out", { length: 2, buffer: true }), arg.size()],
        handler: (_call, fd) => (fd === 0 ? 0 : -ERRNO.EBADF),
      }),
      defineSyscall({
        number: SYS.openat,
        name: "openat",
        args: [arg.dirfd(), arg.string("pathname"), arg.flags("flags", 0xffffffff, O_FLAG_NAMES), arg.mode()],
        handler: () => -ERRNO.ENOENT,
      }),
      defineSyscall({ number: SYS.close, name: "close", args: [arg.fd()], handler: () => -ERRNO.EBADF }),
      defineSyscall({
        number: SYS.kill,
        name: "kill",
        args: [arg.pid(), arg.signal()],
        handler: (_call, target) => (target === pid ? 0 : -ERRNO.ESRCH),
      }),
      defineSyscall({
        number: SYS.mmap,
        name: "mmap",
        args: [
          arg.pointer("addr", "in"),
          arg.size("length"),
          arg.flags("prot", 0xffffffff, PROT_NAMES),
          arg.flags("flags", 0xffffffff, MAP_NAMES),
          arg.int("fd"),
          arg.uint("offset", 64),
        ],
        returns: RETURN_KIND.POINTER,
        handler: (_call, _address, length) => (length === 0 ? -ERRNO.EINVAL : -ERRNO.ENOMEM),
      }),
      defineSyscall({
        number: SYS.clock_gettime,
        name: "clock_gettime",
        args: [arg.clockId(), arg.pointer("tp", "out", { size: 16 })],
        handler: (call, _clock, address) => {
          const nanoseconds = machine.cpu.tsc;
          const bytes = new Uint8Array(16);
          const view = new DataView(bytes.buffer);
          view.setUint32(0, Math.floor(nanoseconds / 1e9), true);
          view.setUint32(8, nanoseconds % 1e9, true);
          return call.memory!.write(address, bytes) ? 0 : -ERRNO.EFAULT;
        },
      }),
      defineSyscall({
        number: SYS.exit_group,
        name: "exit_group",
        args: [arg.int("status")],
        returns: RETURN_KIND.NONE,
        handler: (_call, status) => {
          this.exitStatus = status & 0xff;
          machine.cpu.requestStop();
          return 0;
        },
      }),
    ];
    for (const definition of definitions) table.register(definition);
  }
}
