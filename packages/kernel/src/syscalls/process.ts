/**
 * Process system calls: identity (getpid, getppid, gettid, the ids,
 * process groups and sessions), creation (fork, vfork, clone with the
 * flags libc's fork and posix_spawn use), exit, wait4, kill/tgkill/tkill,
 * set_tid_address, set_robust_list, prctl names, arch_prctl, sched_yield.
 *
 * Linux's answers, where the guest can observe them: wait4 returns ECHILD
 * with no matching child, 0 with WNOHANG while children run, and blocks
 * otherwise (the call is parked and re-run when a child changes state);
 * the status word is `code << 8` for an exit and the signal number for a
 * kill. Orphans go to init. RLIMIT_NPROC is enforced for uid ≠ 0 (root is
 * exempt, as in Linux). clone with CLONE_THREAD adds a thread to the
 * caller's process (it shares memory, descriptors, dispositions and the
 * working directory); clone flags this kernel cannot honour (namespaces,
 * CLONE_FILES / CLONE_FS / CLONE_SIGHAND without CLONE_THREAD, a thread
 * without CLONE_FILES or CLONE_FS) return -ENOSYS.
 */
import { GPR, SLOT, writeBig, writeNumber } from "@tsos/hw-x86";
import {
  arg,
  defineSyscall,
  ERRNO,
  RETURN_KIND,
  SYS,
  type SyscallCall,
  type SyscallDefinition,
  type SyscallTable,
} from "@tsos/syscall";
import type { Kernel } from "../kernel";
import { PROCESS_STATE, type Process, RLIMIT, type Thread } from "../process";
import { SI } from "../signal-delivery";
import { SIGNAL } from "../signals";
import { putTimeval, putUser32, Struct } from "./user";

/** clone(2) flags. */
export const CLONE = {
  VM: 0x100,
  FS: 0x200,
  FILES: 0x400,
  SIGHAND: 0x800,
  PIDFD: 0x1000,
  PTRACE: 0x2000,
  VFORK: 0x4000,
  PARENT: 0x8000,
  THREAD: 0x10000,
  SYSVSEM: 0x40000,
  SETTLS: 0x80000,
  PARENT_SETTID: 0x100000,
  CHILD_CLEARTID: 0x200000,
  DETACHED: 0x400000,
  UNTRACED: 0x800000,
  CHILD_SETTID: 0x1000000,
} as const;

/** Flags handled here; anything else (namespaces, pidfds, io contexts) is -ENOSYS. */
const SUPPORTED_CLONE =
  0xff |
  CLONE.VM |
  CLONE.FS |
  CLONE.FILES |
  CLONE.SIGHAND |
  CLONE.THREAD |
  CLONE.SYSVSEM |
  CLONE.VFORK |
  CLONE.SETTLS |
  CLONE.PARENT_SETTID |
  CLONE.CHILD_SETTID |
  CLONE.CHILD_CLEARTID |
  CLONE.DETACHED |
  CLONE.UNTRACED |
  CLONE.PTRACE;

/** wait4 options. */
export const WAIT = {
  NOHANG: 1,
  UNTRACED: 2,
  CONTINUED: 8,
  NOTHREAD: 0x20000000,
  ALL: 0x40000000,
  CLONE: 0x80000000,
} as const;

const WAIT_NAMES = {
  bits: {
    WNOHANG: 1,
    WUNTRACED: 2,
    WCONTINUED: 8,
    __WNOTHREAD: 0x20000000,
    __WALL: 0x40000000,
    __WCLONE: 0x80000000,
  },
} as const;

/** waitid(2) id types, options and si_code values. */
const P = { ALL: 0, PID: 1, PGID: 2, PIDFD: 3 } as const;
const WAITID = { STOPPED: 2, EXITED: 4, CONTINUED: 8, NOWAIT: 0x01000000 } as const;
const WAITID_OPTIONS =
  WAIT.NOHANG |
  WAITID.STOPPED |
  WAITID.EXITED |
  WAITID.CONTINUED |
  WAITID.NOWAIT |
  WAIT.NOTHREAD |
  WAIT.ALL |
  WAIT.CLONE;
const WAITID_NAMES = {
  bits: { WNOHANG: 1, WSTOPPED: 2, WEXITED: 4, WCONTINUED: 8, WNOWAIT: 0x01000000 },
} as const;
const CLD = { EXITED: 1, KILLED: 2, STOPPED: 5, CONTINUED: 6 } as const;

const PR = { SET_NAME: 15, GET_NAME: 16, SET_CHILD_SUBREAPER: 36, GET_CHILD_SUBREAPER: 37 } as const;
const ARCH = { SET_GS: 0x1001, SET_FS: 0x1002, GET_FS: 0x1003, GET_GS: 0x1004 } as const;

/** Registers the process calls on `table`. */
export function registerProcessCalls(kernel: Kernel, table: SyscallTable): void {
  const rusage = new Struct(144);
  const info = new Struct(128);
  const current = (call: SyscallCall) => kernel.threadOf(call).process;

  const definitions: SyscallDefinition[] = [
    defineSyscall({ number: SYS.getpid, name: "getpid", args: [], handler: (call) => current(call).pid }),
    defineSyscall({
      number: SYS.gettid,
      name: "gettid",
      args: [],
      handler: (call) => kernel.threadOf(call).tid,
    }),
    defineSyscall({
      number: SYS.getppid,
      name: "getppid",
      args: [],
      handler: (call) => current(call).parent?.pid ?? 0,
    }),
    defineSyscall({ number: SYS.getuid, name: "getuid", args: [], handler: (call) => current(call).uid }),
    defineSyscall({ number: SYS.geteuid, name: "geteuid", args: [], handler: (call) => current(call).uid }),
    defineSyscall({ number: SYS.getgid, name: "getgid", args: [], handler: (call) => current(call).gid }),
    defineSyscall({ number: SYS.getegid, name: "getegid", args: [], handler: (call) => current(call).gid }),
    defineSyscall({ number: SYS.getpgrp, name: "getpgrp", args: [], handler: (call) => current(call).pgid }),
    defineSyscall({
      number: SYS.getpgid,
      name: "getpgid",
      args: [arg.pid()],
      handler: (call, pid) => {
        const process = pid === 0 ? current(call) : kernel.processes.get(pid);
        return process === undefined || process.state === PROCESS_STATE.REAPED ? -ERRNO.ESRCH : process.pgid;
      },
    }),
    defineSyscall({
      number: SYS.getsid,
      name: "getsid",
      args: [arg.pid()],
      handler: (call, pid) => {
        const process = pid === 0 ? current(call) : kernel.processes.get(pid);
        return process === undefined ? -ERRNO.ESRCH : process.sid;
      },
    }),
    defineSyscall({
      number: SYS.setpgid,
      name: "setpgid",
      args: [arg.pid(), arg.pid("pgid")],
      handler: (call, pid, pgid) => {
        const caller = current(call);
        if (pgid < 0) return -ERRNO.EINVAL;
        const target = pid === 0 ? caller : kernel.processes.get(pid);
        if (target === undefined || (target !== caller && target.parent !== caller)) return -ERRNO.ESRCH;
        if (target.sid !== caller.sid) return -ERRNO.EPERM;
        if (target.pid === target.sid) return -ERRNO.EPERM;
        target.pgid = pgid === 0 ? target.pid : pgid;
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.setsid,
      name: "setsid",
      args: [],
      handler: (call) => {
        const process = current(call);
        for (const other of kernel.processes.values()) if (other.pgid === process.pid) return -ERRNO.EPERM;
        process.sid = process.pid;
        process.pgid = process.pid;
        return process.pid;
      },
    }),
    defineSyscall({
      number: SYS.exit,
      name: "exit",
      args: [arg.int("status")],
      returns: RETURN_KIND.NONE,
      handler: (call, status) => {
        kernel.exitThread(kernel.threadOf(call), status);
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.exit_group,
      name: "exit_group",
      args: [arg.int("status")],
      returns: RETURN_KIND.NONE,
      handler: (call, status) => {
        kernel.exitGroup(current(call), status);
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.wait4,
      name: "wait4",
      args: [
        arg.pid(),
        arg.pointer("wstatus", "out", { size: 4 }),
        arg.flags(
          "options",
          WAIT.NOHANG | WAIT.UNTRACED | WAIT.CONTINUED | WAIT.NOTHREAD | WAIT.ALL | WAIT.CLONE,
          WAIT_NAMES,
        ),
        arg.pointer("rusage", "out", { size: 144 }),
      ],
      handler: (call, pid, statusAddress, options, rusageAddress) => {
        const parent = current(call);
        const wanted =
          REPORT.EXITED |
          ((options & WAIT.UNTRACED) !== 0 ? REPORT.STOPPED : 0) |
          ((options & WAIT.CONTINUED) !== 0 ? REPORT.CONTINUED : 0);
        const report = findReport(parent, (child) => matchesWait(parent, child, pid), wanted);
        if (report === NO_MATCHING_CHILD) return -ERRNO.ECHILD;
        if (report === null) {
          if ((options & WAIT.NOHANG) !== 0) return 0;
          return kernel.sleep(call, parent.childWaiters, { restart: true });
        }
        const found = report.child;
        // Linux's encodings: exit/kill as recorded, stopped (sig << 8) | 0x7f, continued 0xffff.
        const status =
          report.kind === REPORT.EXITED
            ? found.waitStatus
            : report.kind === REPORT.STOPPED
              ? (found.stopReport << 8) | 0x7f
              : 0xffff;
        const memory = call.memory!;
        if (statusAddress !== 0 && putUser32(memory, statusAddress, status) < 0) return -ERRNO.EFAULT;
        if (rusageAddress !== 0) {
          writeRusage(rusage, found.exitedUserNs, found.exitedSystemNs);
          if (rusage.copyOut(memory, rusageAddress, 144) < 0) return -ERRNO.EFAULT;
        }
        if (report.kind === REPORT.EXITED) reap(kernel, parent, found);
        else consumeReport(report);
        return found.pid;
      },
    }),
    defineSyscall({
      number: SYS.waitid,
      name: "waitid",
      args: [
        arg.int("idtype"),
        arg.int("id"),
        arg.pointer("infop", "out", { size: 128 }),
        arg.flags("options", WAITID_OPTIONS, WAITID_NAMES),
        arg.pointer("rusage", "out", { size: 144 }),
      ],
      handler: (call, idtype, id, infoAddress, options, rusageAddress) => {
        const parent = current(call);
        if ((options & (WAITID.EXITED | WAITID.STOPPED | WAITID.CONTINUED)) === 0) return -ERRNO.EINVAL;
        let matches: (child: Process) => boolean;
        if (idtype === P.ALL) matches = () => true;
        else if (idtype === P.PID) matches = (child) => child.pid === id;
        else if (idtype === P.PGID) matches = (child) => child.pgid === (id === 0 ? parent.pgid : id);
        else return idtype === P.PIDFD ? -ERRNO.ENOSYS : -ERRNO.EINVAL;
        if ((idtype === P.PID || idtype === P.PGID) && id < 0) return -ERRNO.EINVAL;
        const wanted =
          ((options & WAITID.EXITED) !== 0 ? REPORT.EXITED : 0) |
          ((options & WAITID.STOPPED) !== 0 ? REPORT.STOPPED : 0) |
          ((options & WAITID.CONTINUED) !== 0 ? REPORT.CONTINUED : 0);
        const report = findReport(parent, matches, wanted);
        if (report === NO_MATCHING_CHILD) return -ERRNO.ECHILD;
        const memory = call.memory!;
        info.clear();
        if (report === null) {
          if ((options & WAIT.NOHANG) === 0)
            return kernel.sleep(call, parent.childWaiters, { restart: true });
          return infoAddress === 0 ? 0 : info.copyOut(memory, infoAddress, 128);
        }
        const found = report.child;
        const signal = found.waitStatus & 0x7f;
        info.i32(0, SIGNAL.SIGCHLD);
        info.i32(16, found.pid);
        info.i32(20, found.uid);
        if (report.kind === REPORT.EXITED) {
          info.i32(8, signal === 0 ? CLD.EXITED : CLD.KILLED);
          info.i32(24, signal === 0 ? (found.waitStatus >> 8) & 0xff : signal);
        } else {
          info.i32(8, report.kind === REPORT.STOPPED ? CLD.STOPPED : CLD.CONTINUED);
          info.i32(24, report.kind === REPORT.STOPPED ? found.stopReport : SIGNAL.SIGCONT);
        }
        if (infoAddress !== 0 && info.copyOut(memory, infoAddress, 128) < 0) return -ERRNO.EFAULT;
        if (rusageAddress !== 0) {
          writeRusage(rusage, found.exitedUserNs, found.exitedSystemNs);
          if (rusage.copyOut(memory, rusageAddress, 144) < 0) return -ERRNO.EFAULT;
        }
        if ((options & WAITID.NOWAIT) === 0) {
          if (report.kind === REPORT.EXITED) reap(kernel, parent, found);
          else consumeReport(report);
        }
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.kill,
      name: "kill",
      args: [arg.pid(), arg.signal()],
      handler: (call, pid, signal) => {
        const caller = current(call);
        const targets: Process[] = [];
        for (const process of kernel.processes.values()) {
          if (process.state !== PROCESS_STATE.ALIVE) continue;
          if (
            pid > 0
              ? process.pid === pid
              : pid === 0
                ? process.pgid === caller.pgid
                : pid === -1
                  ? process.pid !== 1 && process !== caller
                  : process.pgid === -pid
          )
            targets.push(process);
        }
        if (targets.length === 0) {
          // A zombie still exists for kill(2): signal 0 or any signal to it succeeds without effect.
          const zombie = pid > 0 ? kernel.processes.get(pid) : undefined;
          return zombie !== undefined ? 0 : -ERRNO.ESRCH;
        }
        for (const process of targets)
          kernel.sendSignal(process, signal, kernel.signals.userInfo(signal, SI.USER, caller));
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.tgkill,
      name: "tgkill",
      args: [arg.pid("tgid"), arg.pid("tid"), arg.signal()],
      handler: (call, tgid, tid, signal) => {
        if (tgid <= 0 || tid <= 0) return -ERRNO.EINVAL;
        const thread = kernel.threads.get(tid);
        if (thread === undefined || thread.process.pid !== tgid) return -ERRNO.ESRCH;
        const info = kernel.signals.userInfo(signal, SI.TKILL, current(call));
        return kernel.sendSignal(thread.process, signal, info, thread);
      },
    }),
    defineSyscall({
      number: SYS.tkill,
      name: "tkill",
      args: [arg.pid("tid"), arg.signal()],
      handler: (call, tid, signal) => {
        if (tid <= 0) return -ERRNO.EINVAL;
        const thread = kernel.threads.get(tid);
        if (thread === undefined) return -ERRNO.ESRCH;
        const info = kernel.signals.userInfo(signal, SI.TKILL, current(call));
        return kernel.sendSignal(thread.process, signal, info, thread);
      },
    }),
    defineSyscall({
      number: SYS.fork,
      name: "fork",
      args: [],
      handler: (call) => cloneProcess(kernel, call, SIGNAL.SIGCHLD, 0, 0, 0, 0),
    }),
    defineSyscall({
      number: SYS.vfork,
      name: "vfork",
      args: [],
      handler: (call) => cloneProcess(kernel, call, CLONE.VM | CLONE.VFORK | SIGNAL.SIGCHLD, 0, 0, 0, 0),
    }),
    defineSyscall({
      number: SYS.clone,
      name: "clone",
      args: [
        arg.uint("flags", 64, true),
        arg.pointer("stack", "in"),
        arg.pointer("parent_tid", "out", { size: 4 }),
        arg.pointer("child_tid", "out", { size: 4 }),
        arg.raw("tls"),
      ],
      handler: (call, flags, stack, parentTid, childTid, tls) =>
        cloneProcess(kernel, call, flags, stack, parentTid, childTid, tls),
    }),
    defineSyscall({
      number: SYS.set_tid_address,
      name: "set_tid_address",
      args: [arg.pointer("tidptr", "in", { size: 4 })],
      handler: (call, address) => {
        const thread = kernel.threadOf(call);
        thread.clearChildTid = address;
        return thread.tid;
      },
    }),
    defineSyscall({
      number: SYS.set_robust_list,
      name: "set_robust_list",
      args: [arg.pointer("head", "in"), arg.size("len")],
      handler: (call, head, length) => {
        if (length !== 24) return -ERRNO.EINVAL;
        const thread = kernel.threadOf(call);
        thread.robustList = head;
        thread.robustListLength = length;
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.prctl,
      name: "prctl",
      args: [arg.int("option"), arg.raw("arg2"), arg.raw("arg3"), arg.raw("arg4"), arg.raw("arg5")],
      handler: (call, option, arg2) => {
        const process = current(call);
        const memory = call.memory!;
        if (option === PR.SET_NAME) {
          const bytes = new Uint8Array(16);
          // Reads up to 16 bytes; the name ends at the first NUL (or is cut to 15 bytes).
          let length = 0;
          for (; length < 16; length++) {
            if (!memory.read(arg2 + length, bytes.subarray(length, length + 1))) return -ERRNO.EFAULT;
            if (bytes[length] === 0) break;
          }
          process.name = String.fromCharCode(...bytes.subarray(0, Math.min(length, 15)));
          return 0;
        }
        if (option === PR.GET_NAME) {
          const bytes = new Uint8Array(16);
          for (let index = 0; index < process.name.length; index++)
            bytes[index] = process.name.charCodeAt(index);
          return memory.write(arg2, bytes) ? 0 : -ERRNO.EFAULT;
        }
        if (option === PR.SET_CHILD_SUBREAPER) return 0;
        return -ERRNO.EINVAL;
      },
    }),
    defineSyscall({
      number: SYS.arch_prctl,
      name: "arch_prctl",
      args: [arg.int("code"), arg.raw("addr")],
      handler: (call, code, address) => {
        const regs = call.regs;
        if (code === ARCH.SET_FS || code === ARCH.SET_GS) {
          // The value must be a canonical user address (Linux: below TASK_SIZE_MAX).
          if (!(address >= 0 && address < 2 ** 47)) return -ERRNO.EPERM;
          writeNumber(regs, code === ARCH.SET_FS ? SLOT.FS_BASE : SLOT.GS_BASE, address);
          return 0;
        }
        if (code === ARCH.GET_FS || code === ARCH.GET_GS) {
          const slot = code === ARCH.GET_FS ? SLOT.FS_BASE : SLOT.GS_BASE;
          const value = new Uint8Array(8);
          const view = new DataView(value.buffer);
          view.setUint32(0, regs[slot * 2]!, true);
          view.setUint32(4, regs[slot * 2 + 1]!, true);
          return call.memory!.write(address, value) ? 0 : -ERRNO.EFAULT;
        }
        return -ERRNO.EINVAL;
      },
    }),
    defineSyscall({
      number: SYS.sched_yield,
      name: "sched_yield",
      args: [],
      handler: (call) => {
        kernel.scheduler.yield(call.cpuId);
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.getrusage,
      name: "getrusage",
      args: [arg.int("who"), arg.pointer("usage", "out", { size: 144 })],
      handler: (call, who, address) => {
        const thread = kernel.threadOf(call);
        const process = thread.process;
        if (who === 0 /* RUSAGE_SELF */ || who === 1 /* RUSAGE_THREAD */) {
          let user = who === 0 ? process.exitedUserNs : 0;
          let system = who === 0 ? process.exitedSystemNs : 0;
          for (const member of who === 0 ? process.threads : [thread]) {
            user += member.task.accounting.userTime;
            system += member.task.accounting.kernelTime;
          }
          writeRusage(rusage, user, system);
        } else if (who === -1 /* RUSAGE_CHILDREN */)
          writeRusage(rusage, process.childrenUserNs, process.childrenSystemNs);
        else return -ERRNO.EINVAL;
        return rusage.copyOut(call.memory!, address, 144);
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

const NO_MATCHING_CHILD = "none";

/** What a wait reports about a child (wanted as a bit mask). */
const REPORT = { EXITED: 1, STOPPED: 2, CONTINUED: 4 } as const;

/** A child's reportable change: the child and one of {@link REPORT}. */
interface ChildReport {
  readonly child: Process;
  readonly kind: number;
}

/**
 * The first child `matches` accepts with a change of a `wanted` kind
 * (exit, unreported stop, unreported continue); null while matching
 * children have nothing to report; NO_MATCHING_CHILD when there are none.
 */
function findReport(
  parent: Process,
  matches: (child: Process) => boolean,
  wanted: number,
): ChildReport | null | typeof NO_MATCHING_CHILD {
  let matching = false;
  for (const child of parent.children) {
    if (!matches(child)) continue;
    matching = true;
    if (child.state === PROCESS_STATE.ZOMBIE) {
      if ((wanted & REPORT.EXITED) !== 0) return { child, kind: REPORT.EXITED };
    } else if (child.stopReport !== 0 && (wanted & REPORT.STOPPED) !== 0)
      return { child, kind: REPORT.STOPPED };
    else if (child.continuedReport && (wanted & REPORT.CONTINUED) !== 0)
      return { child, kind: REPORT.CONTINUED };
  }
  return matching ? null : NO_MATCHING_CHILD;
}

/** Consumes the report of a stop or continue (an exit is consumed by reaping). */
function consumeReport(report: ChildReport): void {
  if (report.kind === REPORT.STOPPED) report.child.stopReport = 0;
  else if (report.kind === REPORT.CONTINUED) report.child.continuedReport = false;
}

/** Reaps `zombie`: its times join the parent's children totals and it is forgotten. */
function reap(kernel: Kernel, parent: Process, zombie: Process): void {
  parent.childrenUserNs += zombie.exitedUserNs + zombie.childrenUserNs;
  parent.childrenSystemNs += zombie.exitedSystemNs + zombie.childrenSystemNs;
  kernel.forget(zombie);
}

/** Does `child` match wait4's pid argument for `parent`? */
function matchesWait(parent: Process, child: Process, pid: number): boolean {
  if (pid > 0) return child.pid === pid;
  if (pid === -1) return true;
  if (pid === 0) return child.pgid === parent.pgid;
  return child.pgid === -pid;
}

/** struct rusage with the two times filled (the rest Linux also mostly leaves zero here). */
function writeRusage(struct: Struct, userNs: number, systemNs: number): void {
  struct.clear();
  putTimeval(struct, 0, userNs);
  putTimeval(struct, 16, systemNs);
}

/**
 * fork, vfork and clone(2) for new processes: the child gets a copy-on-write
 * copy of the address space (or shares it with CLONE_VM|CLONE_VFORK until
 * it execs or exits, its parent blocked meanwhile), a copy of the
 * descriptor table, the signal dispositions, and the caller's registers
 * with RAX = 0 (RSP = `stack` when given, FS base = `tls` with
 * CLONE_SETTLS).
 */
export function cloneProcess(
  kernel: Kernel,
  call: SyscallCall,
  flags: number,
  stack: number,
  parentTidAddress: number,
  childTidAddress: number,
  tls: number,
): number {
  if (Number.isNaN(flags)) return -ERRNO.EINVAL;
  const high = Math.floor(flags / 4294967296);
  const low = flags >>> 0;
  if (high !== 0) return -ERRNO.EINVAL; // clone3-only bits, or garbage
  if ((low & ~SUPPORTED_CLONE) !== 0) return -ERRNO.ENOSYS;
  // copy_process's consistency rules.
  if ((low & CLONE.THREAD) !== 0 && (low & CLONE.SIGHAND) === 0) return -ERRNO.EINVAL;
  if ((low & CLONE.SIGHAND) !== 0 && (low & CLONE.VM) === 0) return -ERRNO.EINVAL;
  if ((low & CLONE.THREAD) !== 0)
    return cloneThread(kernel, call, low, stack, parentTidAddress, childTidAddress, tls);
  if ((low & (CLONE.FILES | CLONE.FS | CLONE.SIGHAND)) !== 0) return -ERRNO.ENOSYS; // shared tables across processes
  const parentThread = kernel.threadOf(call);
  const parent = parentThread.process;
  if (parent.uid !== 0) {
    let owned = 0;
    for (const process of kernel.processes.values())
      if (process.uid === parent.uid && process.state === PROCESS_STATE.ALIVE) owned++;
    if (owned >= parent.limits[RLIMIT.NPROC]!.soft) return -ERRNO.EAGAIN;
  }
  const shared = (low & CLONE.VM) !== 0;
  let memory = parent.memory!;
  if (shared) memory.users++;
  else {
    const copy = kernel.forkMemory(memory);
    if (typeof copy === "number") return -ERRNO.ENOMEM;
    memory = copy;
  }
  // The child copies the caller's registers, XMM included: make them the live ones first (lazy FPU).
  kernel.syncFpu(call.cpuId, call.frame.context);
  const created = kernel.createProcess(
    parent,
    memory,
    parent.files!.fork(),
    call.frame.context,
    parent.name,
    parent.executable,
  );
  if (typeof created === "number") {
    if (shared) memory.users--;
    else kernel.releaseMemory(memory);
    return created;
  }
  const child = created.process;
  child.pgid = parent.pgid;
  child.sid = parent.sid;
  child.exitSignal = low & 0xff;
  child.commandLine = parent.commandLine;
  const failed = setUpChild(kernel, call, created, low, stack, parentTidAddress, childTidAddress, tls);
  if (failed < 0) return failed;
  kernel.startThread(created);
  if ((low & CLONE.VFORK) !== 0) {
    child.vforkParent = parentThread;
    return kernel.sleep(call, child.vforkWaiters, { interruptible: false });
  }
  return child.pid;
}

/**
 * clone with CLONE_THREAD (pthread_create): a new thread of the caller's
 * process, sharing everything but its registers, its mask and pending
 * signals; its exit sends no signal (threads are reaped as they leave).
 */
function cloneThread(
  kernel: Kernel,
  call: SyscallCall,
  low: number,
  stack: number,
  parentTidAddress: number,
  childTidAddress: number,
  tls: number,
): number {
  // A thread with its own descriptor table or working directory is not supported.
  if ((low & (CLONE.FILES | CLONE.FS)) !== (CLONE.FILES | CLONE.FS) || (low & CLONE.VFORK) !== 0)
    return -ERRNO.ENOSYS;
  const process = kernel.threadOf(call).process;
  kernel.syncFpu(call.cpuId, call.frame.context);
  const created = kernel.createThread(process, call.frame.context);
  if (typeof created === "number") return created;
  const failed = setUpChild(kernel, call, created, low, stack, parentTidAddress, childTidAddress, tls);
  if (failed < 0) return failed;
  kernel.startThread(created);
  return created.tid;
}

/**
 * The new thread's registers and ids, common to fork and thread creation:
 * RAX = 0, RSP = `stack` when given, FS base = `tls` with CLONE_SETTLS,
 * the tid stored for CLONE_CHILD_SETTID / CLONE_PARENT_SETTID, the
 * CLONE_CHILD_CLEARTID address, the caller's signal mask (and its
 * alternate stack unless the memory is shared without vfork). 0, or
 * -errno with the child discarded.
 */
function setUpChild(
  kernel: Kernel,
  call: SyscallCall,
  created: Thread,
  low: number,
  stack: number,
  parentTidAddress: number,
  childTidAddress: number,
  tls: number,
): number {
  const parentThread = kernel.threadOf(call);
  const regs = created.task.context.regs;
  writeNumber(regs, GPR.RAX, 0);
  if (stack !== 0) writeNumber(regs, GPR.RSP, stack);
  let failure = 0;
  if ((low & CLONE.SETTLS) !== 0) {
    if (!(tls >= 0 && tls < 2 ** 47)) failure = -ERRNO.EPERM;
    else writeBig(regs, SLOT.FS_BASE, BigInt(tls));
  }
  const id = created.tid;
  const memory = created.process.memory!;
  if (failure === 0 && (low & CLONE.CHILD_SETTID) !== 0 && putUser32(memory.access, childTidAddress, id) < 0)
    failure = -ERRNO.EFAULT;
  if (failure === 0 && (low & CLONE.PARENT_SETTID) !== 0 && putUser32(call.memory!, parentTidAddress, id) < 0)
    failure = -ERRNO.EFAULT;
  if (failure < 0) {
    kernel.discardUnstarted(created);
    return failure;
  }
  if ((low & CLONE.CHILD_CLEARTID) !== 0) created.clearChildTid = childTidAddress;
  // The child inherits the mask; its pending sets start empty (fork(2)). CLONE_VM without
  // CLONE_VFORK clears the alternate stack (sigaltstack(2)).
  created.signalMaskLow = parentThread.signalMaskLow;
  created.signalMaskHigh = parentThread.signalMaskHigh;
  if ((low & CLONE.VM) === 0 || (low & CLONE.VFORK) !== 0)
    Object.assign(created.altStack, parentThread.altStack);
  return 0;
}
