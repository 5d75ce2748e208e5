/**
 * epoll (epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait),
 * level-triggered, over the same readiness poll(2) uses. An epoll instance
 * is a file (closing its last descriptor frees it; it can itself be
 * polled, readable while something in it is ready). Its interest list is
 * keyed by descriptor number and remembers the open file description: an
 * entry whose descriptor was closed (or now names another description) is
 * dropped, as Linux drops an entry when its file is closed.
 *
 * Supported: EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDNORM/WRNORM, EPOLLERR and
 * EPOLLHUP (always reported), EPOLLRDHUP (as HUP), EPOLLONESHOT,
 * EPOLLEXCLUSIVE and EPOLLWAKEUP (accepted; one waiter per instance here
 * anyway). EPOLLET (edge-triggered) is -EINVAL: this kernel keeps no
 * per-file event counts to tell a new edge from an old level (README).
 * A file without readiness (regular files, /dev/null) is -EPERM, as Linux.
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
import { type FileOperations, type FileStatus, O, OpenFile, POLL } from "../files";
import type { Kernel } from "../kernel";
import { fileReadiness, waitForReadiness } from "./poll";
import { Struct } from "./user";

/** epoll event bits and epoll_ctl operations. */
export const EPOLL = {
  IN: 0x1,
  PRI: 0x2,
  OUT: 0x4,
  ERR: 0x8,
  HUP: 0x10,
  RDNORM: 0x40,
  RDBAND: 0x80,
  WRNORM: 0x100,
  WRBAND: 0x200,
  MSG: 0x400,
  RDHUP: 0x2000,
  EXCLUSIVE: 1 << 28,
  WAKEUP: 1 << 29,
  ONESHOT: 1 << 30,
  ET: 0x80000000,
  CTL_ADD: 1,
  CTL_DEL: 2,
  CTL_MOD: 3,
  CLOEXEC: O.CLOEXEC,
} as const;

const EVENT_BITS =
  EPOLL.IN |
  EPOLL.PRI |
  EPOLL.OUT |
  EPOLL.ERR |
  EPOLL.HUP |
  EPOLL.RDNORM |
  EPOLL.RDBAND |
  EPOLL.WRNORM |
  EPOLL.WRBAND |
  EPOLL.MSG |
  EPOLL.RDHUP;
/** struct epoll_event is packed on x86-64: u32 events, u64 data. */
const EVENT_SIZE = 12;
/** Linux's EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
const MAX_EVENTS = Math.floor(0x7fffffff / EVENT_SIZE);

interface Interest {
  readonly file: OpenFile;
  events: number;
  /** epoll_data: two 32-bit halves, returned as given. */
  dataLow: number;
  dataHigh: number;
  /** EPOLLONESHOT fired: no more reports until EPOLL_CTL_MOD. */
  disabled: boolean;
}

/** One epoll instance: its interest list by descriptor. */
class EpollInstance {
  readonly interests = new Map<number, Interest>();
  constructor(readonly ino: number) {}
}

const epollOf = (file: OpenFile | null): EpollInstance | null =>
  file !== null && file.node instanceof EpollInstance ? file.node : null;

/** Registers the epoll calls on `table`. */
export function registerEpollCalls(kernel: Kernel, table: SyscallTable): void {
  const event = new Struct(EVENT_SIZE);
  const sigset = new Struct(8);
  let nextIno = 1;

  const epollOperations: FileOperations = {
    seekable: false,
    read: () => -ERRNO.EINVAL,
    write: () => -ERRNO.EINVAL,
    status: (file): FileStatus => ({
      dev: 0,
      ino: (file.node as EpollInstance).ino,
      mode: 0o600,
      nlink: 1,
      uid: 0,
      gid: 0,
      rdev: 0,
      size: 0,
      blksize: 4096,
      blocks: 0,
      atimeNs: 0,
      mtimeNs: 0,
      ctimeNs: 0,
    }),
    poll: (file) => (readyCount(file, null, 0) > 0 ? POLL.IN | POLL.RDNORM : 0),
  };

  /** The events `interest` reports now (0: none), after the stale-descriptor check. */
  const reportable = (interest: Interest): number => {
    if (interest.disabled) return 0;
    const state = fileReadiness(interest.file);
    let wanted = interest.events | EPOLL.ERR | EPOLL.HUP;
    if ((interest.events & EPOLL.RDHUP) !== 0) wanted |= EPOLL.HUP;
    return state & wanted;
  };

  /**
   * One pass over `file`'s interest list: writes up to `max` events to
   * `address` (null: only counts, as the instance's own poll does). Drops
   * entries whose descriptor was closed.
   */
  function readyCount(file: OpenFile, call: SyscallCall | null, address: number, max = MAX_EVENTS): number {
    const instance = file.node as EpollInstance;
    let count = 0;
    for (const [fd, interest] of instance.interests) {
      if (count >= max) break;
      if (call !== null && kernel.threadOf(call).process.files!.get(fd) !== interest.file) {
        instance.interests.delete(fd);
        continue;
      }
      const events = reportable(interest);
      if (events === 0) continue;
      if (call !== null) {
        event.u32(0, events);
        event.u32(4, interest.dataLow);
        event.u32(8, interest.dataHigh);
        if (event.copyOut(call.memory!, address + count * EVENT_SIZE, EVENT_SIZE) < 0) return -ERRNO.EFAULT;
        if ((interest.events & EPOLL.ONESHOT) !== 0) interest.disabled = true;
      }
      count++;
    }
    return count;
  }

  const create = (call: SyscallCall, flags: number): number => {
    const files = kernel.threadOf(call).process.files!;
    const file = new OpenFile(
      epollOperations,
      O.RDWR,
      "anon_inode:[eventpoll]",
      new EpollInstance(nextIno++),
    );
    return files.install(file, (flags & EPOLL.CLOEXEC) !== 0);
  };

  const wait = (call: SyscallCall, epfd: number, address: number, max: number, timeoutMs: number): number => {
    if (max <= 0 || max > MAX_EVENTS) return -ERRNO.EINVAL;
    const thread = kernel.threadOf(call);
    const file = thread.process.files!.get(epfd);
    if (file === null) return -ERRNO.EBADF;
    if (epollOf(file) === null) return -ERRNO.EINVAL;
    const deadline =
      thread.takeRestartDeadline(call.number) ??
      (timeoutMs < 0
        ? Number.POSITIVE_INFINITY
        : kernel.monotonicNs() + Math.min(timeoutMs, 0x7fffffff) * 1e6);
    const ready = readyCount(file, call, address, max);
    if (ready !== 0) return ready;
    if (deadline <= kernel.monotonicNs()) return 0;
    return waitForReadiness(kernel, call, thread, deadline);
  };

  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.epoll_create,
      name: "epoll_create",
      args: [arg.int("size")],
      handler: (call, size) => (size <= 0 ? -ERRNO.EINVAL : create(call, 0)),
    }),
    defineSyscall({
      number: SYS.epoll_create1,
      name: "epoll_create1",
      args: [arg.flags("flags", EPOLL.CLOEXEC, { bits: { EPOLL_CLOEXEC: EPOLL.CLOEXEC } })],
      handler: (call, flags) => create(call, flags),
    }),
    defineSyscall({
      number: SYS.epoll_ctl,
      name: "epoll_ctl",
      args: [arg.fd("epfd"), arg.int("op"), arg.fd(), arg.pointer("event", "in", { size: EVENT_SIZE })],
      handler: (call, epfd, op, fd, address) => {
        const files = kernel.threadOf(call).process.files!;
        const epollFile = files.get(epfd);
        const target = files.get(fd);
        if (epollFile === null || target === null) return -ERRNO.EBADF;
        const instance = epollOf(epollFile);
        if (instance === null || fd === epfd) return -ERRNO.EINVAL;
        if (target.operations.poll === undefined) return -ERRNO.EPERM;
        let events = 0;
        if (op !== EPOLL.CTL_DEL) {
          if (event.copyIn(call.memory!, address, EVENT_SIZE) < 0) return -ERRNO.EFAULT;
          events = event.readU32(0);
          if ((events & EPOLL.ET) !== 0) return -ERRNO.EINVAL; // edge-triggered: not supported (README)
        }
        const existing = instance.interests.get(fd);
        const current = existing !== undefined && existing.file === target ? existing : undefined;
        if (existing !== undefined && current === undefined) instance.interests.delete(fd); // a stale entry
        if (op === EPOLL.CTL_ADD) {
          if (current !== undefined) return -ERRNO.EEXIST;
          instance.interests.set(fd, {
            file: target,
            events: events & (EVENT_BITS | EPOLL.ONESHOT),
            dataLow: event.readU32(4),
            dataHigh: event.readU32(8),
            disabled: false,
          });
          return 0;
        }
        if (current === undefined)
          return op === EPOLL.CTL_DEL || op === EPOLL.CTL_MOD ? -ERRNO.ENOENT : -ERRNO.EINVAL;
        if (op === EPOLL.CTL_DEL) {
          instance.interests.delete(fd);
          return 0;
        }
        if (op !== EPOLL.CTL_MOD) return -ERRNO.EINVAL;
        if ((events & EPOLL.EXCLUSIVE) !== 0) return -ERRNO.EINVAL;
        current.events = events & (EVENT_BITS | EPOLL.ONESHOT);
        current.dataLow = event.readU32(4);
        current.dataHigh = event.readU32(8);
        current.disabled = false;
        return 0;
      },
    }),
    defineSyscall({
      number: SYS.epoll_wait,
      name: "epoll_wait",
      args: [arg.fd("epfd"), arg.pointer("events", "out"), arg.int("maxevents"), arg.int("timeout")],
      handler: (call, epfd, address, max, timeout) => wait(call, epfd, address, max, timeout),
    }),
    defineSyscall({
      number: SYS.epoll_pwait,
      name: "epoll_pwait",
      args: [
        arg.fd("epfd"),
        arg.pointer("events", "out"),
        arg.int("maxevents"),
        arg.int("timeout"),
        arg.pointer("sigmask", "in", { size: 8 }),
        arg.size("sigsetsize"),
      ],
      handler: (call, epfd, address, max, timeout, maskAddress, setSize) => {
        if (maskAddress !== 0) {
          if (setSize !== 8) return -ERRNO.EINVAL;
          if (sigset.copyIn(call.memory!, maskAddress, 8) < 0) return -ERRNO.EFAULT;
          kernel.signals.applyTemporaryMask(kernel.threadOf(call), sigset.readU32(0), sigset.readU32(4));
        }
        return wait(call, epfd, address, max, timeout);
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}
