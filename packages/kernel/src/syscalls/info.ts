/**
 * System information and per-process settings: uname, sysinfo, getrandom,
 * umask, getrlimit/setrlimit/prlimit64.
 *
 * uname says Linux / x86_64 (the ABI implemented) with release
 * "6.1.0-tsos" (a version libcs accept) and version "#1 SMP tsos".
 * RLIMIT_NOFILE takes effect on the descriptor table at once; RLIMIT_AS on
 * mmap and brk; RLIMIT_STACK on the next execve's stack; RLIMIT_NPROC on
 * fork for non-root users.
 */
import {
  arg,
  defineSyscall,
  ERRNO,
  SYS,
  type SyscallCall,
  type SyscallDefinition,
  type SyscallTable,
} from "@tsos/syscall";
import type { Kernel } from "../kernel";
import { PROCESS_STATE, type Process, RLIMIT, RLIMIT_COUNT } from "../process";
import { Struct } from "./user";

const UTS_FIELD = 65;
/** uname(2) fields. */
export const UTSNAME = {
  sysname: "Linux",
  nodename: "tsos",
  release: "6.1.0-tsos",
  version: "#1 SMP tsos",
  machine: "x86_64",
  domainname: "(none)",
} as const;
const GRND_MASK = 1 | 2 | 4;
const GETRANDOM_MAX = 33554431;

/** Registers the information calls on `table`. */
export function registerInfoCalls(kernel: Kernel, table: SyscallTable): void {
  const utsname = new Struct(UTS_FIELD * 6);
  const sysinfo = new Struct(112);
  const limit = new Struct(16);

  /** Reads (and optionally replaces) a limit of `target`; the errno rules of prlimit(2). */
  const limits = (
    call: SyscallCall,
    target: Process,
    resource: number,
    newAddress: number,
    oldAddress: number,
  ): number => {
    if (resource < 0 || resource >= RLIMIT_COUNT) return -ERRNO.EINVAL;
    const memory = call.memory!;
    const current = target.limits[resource]!;
    let soft = current.soft;
    let hard = current.hard;
    if (newAddress !== 0) {
      if (limit.copyIn(memory, newAddress, 16) < 0) return -ERRNO.EFAULT;
      soft = readLimit(limit, 0);
      hard = readLimit(limit, 8);
      if (soft > hard) return -ERRNO.EINVAL;
      const caller = kernel.threadOf(call).process;
      if (hard > current.hard && caller.uid !== 0) return -ERRNO.EPERM;
      if (resource === RLIMIT.NOFILE && hard > 1048576) return -ERRNO.EPERM;
    }
    if (oldAddress !== 0) {
      writeLimit(limit, 0, current.soft);
      writeLimit(limit, 8, current.hard);
      if (limit.copyOut(memory, oldAddress, 16) < 0) return -ERRNO.EFAULT;
    }
    if (newAddress !== 0) {
      current.soft = soft;
      current.hard = hard;
      if (resource === RLIMIT.NOFILE && target.files !== null) target.files.limit = soft;
      if (resource === RLIMIT.STACK && target.memory !== null) target.memory.space.stackLimit = soft;
    }
    return 0;
  };

  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.uname,
      name: "uname",
      args: [arg.pointer("buf", "out", { size: UTS_FIELD * 6 })],
      handler: (call, address) => {
        utsname.clear();
        const fields = [
          UTSNAME.sysname,
          UTSNAME.nodename,
          UTSNAME.release,
          UTSNAME.version,
          UTSNAME.machine,
          UTSNAME.domainname,
        ];
        fields.forEach((text, index) => {
          for (let at = 0; at < text.length; at++)
            utsname.bytes[index * UTS_FIELD + at] = text.charCodeAt(at);
        });
        return utsname.copyOut(call.memory!, address, UTS_FIELD * 6);
      },
    }),
    defineSyscall({
      number: SYS.sysinfo,
      name: "sysinfo",
      args: [arg.pointer("info", "out", { size: 112 })],
      handler: (call, address) => {
        sysinfo.clear();
        sysinfo.u64(0, Math.floor(kernel.monotonicNs() / 1e9));
        const frames = kernel.frames;
        sysinfo.u64(32, frames.managedFrames * 4096);
        sysinfo.u64(40, frames.freeFrames * 4096);
        let processes = 0;
        for (const process of kernel.processes.values())
          if (process.state === PROCESS_STATE.ALIVE) processes += process.threads.size;
        sysinfo.view.setUint16(80, processes, true);
        sysinfo.u32(104, 1);
        return sysinfo.copyOut(call.memory!, address, 112);
      },
    }),
    defineSyscall({
      number: SYS.getrandom,
      name: "getrandom",
      args: [
        arg.pointer("buf", "out", { length: 1 }),
        arg.size("buflen"),
        arg.flags("flags", GRND_MASK, { bits: { GRND_NONBLOCK: 1, GRND_RANDOM: 2, GRND_INSECURE: 4 } }),
      ],
      handler: (call, address, length, flags) => {
        if ((flags & 6) === 6) return -ERRNO.EINVAL; // GRND_INSECURE with GRND_RANDOM
        const count = Math.min(length, GETRANDOM_MAX);
        const bytes = new Uint8Array(Math.min(count, 65536));
        let done = 0;
        while (done < count) {
          const part = bytes.subarray(0, Math.min(bytes.length, count - done));
          kernel.random.fill(part);
          if (!call.memory!.write(address + done, part)) return done > 0 ? done : -ERRNO.EFAULT;
          done += part.length;
        }
        return done;
      },
    }),
    defineSyscall({
      number: SYS.umask,
      name: "umask",
      args: [arg.mode("mask")],
      handler: (call, value) => {
        const process = kernel.threadOf(call).process;
        const old = process.umask;
        process.umask = value & 0o777;
        return old;
      },
    }),
    defineSyscall({
      number: SYS.getrlimit,
      name: "getrlimit",
      args: [arg.int("resource"), arg.pointer("rlim", "out", { size: 16 })],
      handler: (call, resource, address) => limits(call, kernel.threadOf(call).process, resource, 0, address),
    }),
    defineSyscall({
      number: SYS.setrlimit,
      name: "setrlimit",
      args: [arg.int("resource"), arg.pointer("rlim", "in", { size: 16 })],
      handler: (call, resource, address) => limits(call, kernel.threadOf(call).process, resource, address, 0),
    }),
    defineSyscall({
      number: SYS.prlimit64,
      name: "prlimit64",
      args: [
        arg.pid(),
        arg.int("resource"),
        arg.pointer("new_limit", "in", { size: 16 }),
        arg.pointer("old_limit", "out", { size: 16 }),
      ],
      handler: (call, pid, resource, newAddress, oldAddress) => {
        const target = pid === 0 ? kernel.threadOf(call).process : kernel.processes.get(pid);
        if (target === undefined || target.state !== PROCESS_STATE.ALIVE) return -ERRNO.ESRCH;
        return limits(call, target, resource, newAddress, oldAddress);
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

/**
 * An rlim_t: RLIM_INFINITY (all ones) is Infinity; other values beyond
 * 2^53 keep their order as doubles (they are limits no resource reaches).
 */
function readLimit(struct: Struct, offset: number): number {
  const low = struct.view.getUint32(offset, true);
  const high = struct.view.getUint32(offset + 4, true);
  if (low === 0xffffffff && high === 0xffffffff) return Number.POSITIVE_INFINITY;
  return high * 4294967296 + low;
}

function writeLimit(struct: Struct, offset: number, value: number): void {
  if (value === Number.POSITIVE_INFINITY || value >= 2 ** 64) {
    struct.u32(offset, 0xffffffff);
    struct.u32(offset + 4, 0xffffffff);
  } else {
    const high = Math.floor(value / 4294967296);
    struct.u32(offset, value - high * 4294967296);
    struct.u32(offset + 4, high);
  }
}
