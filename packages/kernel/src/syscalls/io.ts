/**
 * Descriptor I/O: read, write, readv, writev, pread64, pwrite64, lseek,
 * close, dup, dup2, dup3, fcntl (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD,
 * F_SETFD, F_GETFL, F_SETFL), ioctl (TCGETS, TIOCGWINSZ, TIOCGPGRP on a
 * terminal; -ENOTTY elsewhere), fstat.
 *
 * A read or write that must wait parks on the file's wait queue and runs
 * again when woken (O_NONBLOCK descriptors get -EAGAIN instead). A bad
 * user buffer is -EFAULT with nothing transferred. Vectored calls stop at
 * the first short transfer, as Linux's do.
 */
import { TERMIOS_BYTES, Termios } from "@tsos/io";
import {
  arg,
  defineSyscall,
  ERRNO,
  IOCTL_REQUESTS,
  SYS,
  type SyscallCall,
  type SyscallDefinition,
  type SyscallTable,
} from "@tsos/syscall";
import { type FileStatus, O, OpenFile, SETFL_MASK, WOULD_BLOCK } from "../files";
import type { Kernel } from "../kernel";
import { pipeOperations } from "../pipe";
import { SIGNAL } from "../signals";
import { putTimespec, Struct } from "./user";

const O_DIRECT = 0o40000;
const readEnd = pipeOperations(false);
const writeEnd = pipeOperations(true);
const F = {
  DUPFD: 0,
  GETFD: 1,
  SETFD: 2,
  GETFL: 3,
  SETFL: 4,
  GETLK: 5,
  SETLK: 6,
  SETLKW: 7,
  OFD_GETLK: 36,
  OFD_SETLK: 37,
  OFD_SETLKW: 38,
  DUPFD_CLOEXEC: 1030,
} as const;
/** struct flock's l_type values. */
const LOCK_TYPE = { RDLCK: 0, WRLCK: 1, UNLCK: 2 } as const;
/** flock(2) operations. */
const LOCK = { SH: 1, EX: 2, NB: 4, UN: 8 } as const;
const FD_CLOEXEC = 1;
const IOCTL = {
  TCGETS: 0x5401,
  TCSETS: 0x5402,
  TCSETSW: 0x5403,
  TCSETSF: 0x5404,
  TIOCGPGRP: 0x540f,
  TIOCSPGRP: 0x5410,
  TIOCGWINSZ: 0x5413,
  FIONREAD: 0x541b,
} as const;
const SEEK = { SET: 0, CUR: 1, END: 2 } as const;
/** The plain console's fixed termios (a Linux tty's defaults; TCSETS does not change it). */
const PLAIN_TERMIOS = new Termios();
const IOV_MAX = 1024;
/** Largest single transfer (Linux's MAX_RW_COUNT: INT_MAX rounded down to a page). */
const MAX_RW_COUNT = 0x7ffff000;
/** Bytes moved per step between user memory and a file. */
const CHUNK = 65536;

/** Registers the descriptor calls on `table`. */
export function registerIoCalls(kernel: Kernel, table: SyscallTable): void {
  const stat = new Struct(144);
  const termios = new Struct(36);
  const iovec = new Struct(16);
  const fileOf = (call: SyscallCall, fd: number): OpenFile | null =>
    kernel.threadOf(call).process.files!.get(fd);

  const scratch = new Uint8Array(CHUNK);

  /**
   * A transfer on `file` would block before its first byte: -EAGAIN (with
   * O_NONBLOCK, or nothing to wait on), or the call parked on the file's
   * wait queue, to run again when it changes.
   */
  const blockOn = (call: SyscallCall, file: OpenFile): number => {
    if ((file.flags & O.NONBLOCK) !== 0) return -ERRNO.EAGAIN;
    const queue = file.operations.waitQueue?.(file) ?? null;
    if (queue === null) return -ERRNO.EAGAIN;
    return kernel.sleep(call, queue, { restart: true });
  };

  /**
   * One transfer between a file and a user buffer, in chunks through one
   * scratch buffer; `position` < 0 uses and advances the file offset.
   */
  const transfer = (
    call: SyscallCall,
    file: OpenFile,
    address: number,
    length: number,
    position: number,
    writing: boolean,
  ): number => {
    const count = Math.min(length, MAX_RW_COUNT);
    const memory = call.memory!;
    const operations = file.operations;
    let at = position >= 0 ? position : file.position;
    if (writing && (file.flags & O.APPEND) !== 0 && operations.seekable) at = operations.size?.(file) ?? at;
    let done = 0;
    while (done < count || count === 0) {
      const size = Math.min(CHUNK, count - done);
      const chunk = scratch.subarray(0, size);
      let result: number;
      if (writing) {
        if (!memory.read(address + done, chunk)) return done > 0 ? done : -ERRNO.EFAULT;
        result = operations.write(file, chunk, at + done);
      } else {
        result = operations.read(file, chunk, at + done);
        if (result > 0 && !memory.write(address + done, chunk.subarray(0, result)))
          return done > 0 ? done : -ERRNO.EFAULT;
      }
      if (result === WOULD_BLOCK) {
        if (done > 0) break;
        return blockOn(call, file);
      }
      if (result === -ERRNO.EPIPE) kernel.sendSignal(kernel.threadOf(call).process, SIGNAL.SIGPIPE);
      if (result < 0) return done > 0 ? done : result;
      done += result;
      if (result < size || count === 0) break;
    }
    if (position < 0 && operations.seekable) file.position = at + done;
    return done;
  };

  const offsetWord = new Struct(8);

  /**
   * sendfile(2): up to `count` bytes from the seekable `input` (at
   * `*offsetAddress` when given, else its file offset) to `output`, in
   * chunks; a full output blocks only before the first byte.
   */
  const sendFile = (
    call: SyscallCall,
    output: OpenFile,
    input: OpenFile,
    offsetAddress: number,
    count: number,
  ): number => {
    if (!input.operations.seekable) return -ERRNO.EINVAL;
    if ((output.flags & O.APPEND) !== 0) return -ERRNO.EINVAL;
    let at = input.position;
    if (offsetAddress !== 0) {
      if (offsetWord.copyIn(call.memory!, offsetAddress, 8) < 0) return -ERRNO.EFAULT;
      at = offsetWord.readI64(0);
      if (!(at >= 0)) return -ERRNO.EINVAL;
    }
    const total = Math.min(count, MAX_RW_COUNT);
    let outAt = output.position;
    let done = 0;
    let failure = 0;
    while (done < total) {
      const chunk = scratch.subarray(0, Math.min(CHUNK, total - done));
      const read = input.operations.read(input, chunk, at + done);
      if (read <= 0) {
        if (read < 0 && done === 0) failure = read;
        break;
      }
      const written = output.operations.write(output, chunk.subarray(0, read), outAt);
      if (written === WOULD_BLOCK) {
        if (done > 0) break;
        return blockOn(call, output);
      }
      if (written === -ERRNO.EPIPE) kernel.sendSignal(kernel.threadOf(call).process, SIGNAL.SIGPIPE);
      if (written < 0) {
        if (done === 0) failure = written;
        break;
      }
      done += written;
      if (output.operations.seekable) outAt += written;
      if (written < read) break;
    }
    if (failure < 0) return failure;
    if (output.operations.seekable) output.position = outAt;
    if (offsetAddress !== 0) {
      offsetWord.u64(0, at + done);
      if (offsetWord.copyOut(call.memory!, offsetAddress, 8) < 0) return -ERRNO.EFAULT;
    } else input.position = at + done;
    return done;
  };

  const flock = new Struct(32);

  /**
   * fcntl's record locks, as no-ops that succeed (one kernel, no lock
   * manager): the struct flock is checked as Linux checks it (EFAULT,
   * EINVAL for a bad type or whence, EBADF for a read lock on a write-only
   * file and the reverse), a set always succeeds, and F_GETLK answers
   * F_UNLCK (no conflicting lock).
   */
  const recordLock = (call: SyscallCall, file: OpenFile, command: number, address: number): number => {
    if (Number.isNaN(address) || flock.copyIn(call.memory!, address, 32) < 0) return -ERRNO.EFAULT;
    const type = flock.view.getInt16(0, true);
    const whence = flock.view.getInt16(2, true);
    const getting = command === F.GETLK || command === F.OFD_GETLK;
    const ofd = command === F.OFD_GETLK || command === F.OFD_SETLK || command === F.OFD_SETLKW;
    if (whence < 0 || whence > 2) return -ERRNO.EINVAL;
    if (ofd && flock.view.getInt32(24, true) !== 0) return -ERRNO.EINVAL;
    if (getting) {
      if (type !== LOCK_TYPE.RDLCK && type !== LOCK_TYPE.WRLCK) return -ERRNO.EINVAL;
      flock.view.setInt16(0, LOCK_TYPE.UNLCK, true);
      return flock.copyOut(call.memory!, address, 32);
    }
    if (type === LOCK_TYPE.RDLCK) return file.readable ? 0 : -ERRNO.EBADF;
    if (type === LOCK_TYPE.WRLCK) return file.writable ? 0 : -ERRNO.EBADF;
    return type === LOCK_TYPE.UNLCK ? 0 : -ERRNO.EINVAL;
  };

  /** pipe/pipe2: both ends installed and their numbers written, or nothing done and -errno. */
  const makePipe = (call: SyscallCall, address: number, flags: number): number => {
    const files = kernel.threadOf(call).process.files!;
    const pipe = kernel.createPipe();
    const status = flags & O.NONBLOCK;
    const reader = new OpenFile(readEnd, O.RDONLY | status, `pipe:[${pipe.ino}]`, pipe);
    const writer = new OpenFile(writeEnd, O.WRONLY | status, `pipe:[${pipe.ino}]`, pipe);
    const closeOnExec = (flags & O.CLOEXEC) !== 0;
    const readFd = files.install(reader, closeOnExec);
    if (readFd < 0) {
      pipe.closeEnd(false);
      pipe.closeEnd(true);
      return readFd;
    }
    const writeFd = files.install(writer, closeOnExec);
    if (writeFd < 0) {
      files.close(readFd);
      pipe.closeEnd(true);
      return writeFd;
    }
    const numbers = new Struct(8);
    numbers.i32(0, readFd);
    numbers.i32(4, writeFd);
    if (numbers.copyOut(call.memory!, address, 8) < 0) {
      files.close(readFd);
      files.close(writeFd);
      return -ERRNO.EFAULT;
    }
    return 0;
  };

  const vectored = (
    call: SyscallCall,
    fd: number,
    vector: number,
    count: number,
    writing: boolean,
  ): number => {
    const file = fileOf(call, fd);
    if (file === null) return -ERRNO.EBADF;
    if (writing ? !file.writable : !file.readable) return -ERRNO.EBADF;
    if (count < 0 || count > IOV_MAX) return -ERRNO.EINVAL;
    const memory = call.memory!;
    const entries: [number, number][] = [];
    let total = 0;
    for (let index = 0; index < count; index++) {
      if (iovec.copyIn(memory, vector + index * 16, 16) < 0) return -ERRNO.EFAULT;
      const base = iovec.readI64(0);
      const length = iovec.readI64(8);
      if (!(length >= 0) || total + length > 0x7fffffff) return -ERRNO.EINVAL;
      total += length;
      entries.push([base, length]);
    }
    let done = 0;
    for (const [base, length] of entries) {
      if (length === 0) continue;
      const result = transfer(call, file, base, length, -1, writing);
      if (result < 0) return done > 0 && result !== -ERRNO.EFAULT ? done : done > 0 ? done : result;
      done += result;
      if (result < length) break;
    }
    return done;
  };

  const definitions: SyscallDefinition[] = [
    defineSyscall({
      number: SYS.read,
      name: "read",
      args: [arg.fd(), arg.pointer("buf", "out", { length: 2, buffer: true }), arg.size()],
      handler: (call, fd, buffer, count) => {
        const file = fileOf(call, fd);
        if (file === null || !file.readable) return -ERRNO.EBADF;
        return transfer(call, file, buffer, count, -1, false);
      },
    }),
    defineSyscall({
      number: SYS.write,
      name: "write",
      args: [arg.fd(), arg.pointer("buf", "in", { length: 2, buffer: true }), arg.size()],
      handler: (call, fd, buffer, count) => {
        const file = fileOf(call, fd);
        if (file === null || !file.writable) return -ERRNO.EBADF;
        return transfer(call, file, buffer, count, -1, true);
      },
    }),
    defineSyscall({
      number: SYS.sendfile,
      name: "sendfile",
      args: [arg.fd("out_fd"), arg.fd("in_fd"), arg.pointer("offset", "inout", { size: 8 }), arg.size()],
      handler: (call, outFd, inFd, offsetAddress, count) => {
        const output = fileOf(call, outFd);
        const input = fileOf(call, inFd);
        if (output === null || input === null || !output.writable || !input.readable) return -ERRNO.EBADF;
        return sendFile(call, output, input, offsetAddress, count);
      },
    }),
    defineSyscall({
      number: SYS.pread64,
      name: "pread64",
      args: [
        arg.fd(),
        arg.pointer("buf", "out", { length: 2, buffer: true }),
        arg.size(),
        arg.int("offset", 64),
      ],
      handler: (call, fd, buffer, count, offset) => {
        const file = fileOf(call, fd);
        if (file === null || !file.readable) return -ERRNO.EBADF;
        if (!file.operations.seekable) return -ERRNO.ESPIPE;
        if (offset < 0) return -ERRNO.EINVAL;
        return transfer(call, file, buffer, count, offset, false);
      },
    }),
    defineSyscall({
      number: SYS.pwrite64,
      name: "pwrite64",
      args: [
        arg.fd(),
        arg.pointer("buf", "in", { length: 2, buffer: true }),
        arg.size(),
        arg.int("offset", 64),
      ],
      handler: (call, fd, buffer, count, offset) => {
        const file = fileOf(call, fd);
        if (file === null || !file.writable) return -ERRNO.EBADF;
        if (!file.operations.seekable) return -ERRNO.ESPIPE;
        if (offset < 0) return -ERRNO.EINVAL;
        return transfer(call, file, buffer, count, offset, true);
      },
    }),
    defineSyscall({
      number: SYS.readv,
      name: "readv",
      args: [arg.fd(), arg.pointer("iov", "out", { iovecCount: 2 }), arg.int("iovcnt")],
      handler: (call, fd, vector, count) => vectored(call, fd, vector, count, false),
    }),
    defineSyscall({
      number: SYS.writev,
      name: "writev",
      args: [arg.fd(), arg.pointer("iov", "in", { iovecCount: 2 }), arg.int("iovcnt")],
      handler: (call, fd, vector, count) => vectored(call, fd, vector, count, true),
    }),
    defineSyscall({
      number: SYS.lseek,
      name: "lseek",
      args: [arg.fd(), arg.int("offset", 64), arg.int("whence")],
      handler: (call, fd, offset, whence) => {
        const file = fileOf(call, fd);
        if (file === null) return -ERRNO.EBADF;
        if (!file.operations.seekable) return -ERRNO.ESPIPE;
        let base: number;
        if (whence === SEEK.SET) base = 0;
        else if (whence === SEEK.CUR) base = file.position;
        else if (whence === SEEK.END) base = file.operations.size?.(file) ?? 0;
        else return -ERRNO.EINVAL;
        const target = base + offset;
        if (target < 0) return -ERRNO.EINVAL;
        file.position = target;
        return target;
      },
    }),
    defineSyscall({
      number: SYS.close,
      name: "close",
      args: [arg.fd()],
      handler: (call, fd) => kernel.threadOf(call).process.files!.close(fd),
    }),
    defineSyscall({
      number: SYS.dup,
      name: "dup",
      args: [arg.fd("oldfd")],
      handler: (call, fd) => {
        const files = kernel.threadOf(call).process.files!;
        const file = files.get(fd);
        return file === null ? -ERRNO.EBADF : files.install(file, false);
      },
    }),
    defineSyscall({
      number: SYS.dup2,
      name: "dup2",
      args: [arg.fd("oldfd"), arg.int("newfd")],
      handler: (call, fd, target) => {
        const files = kernel.threadOf(call).process.files!;
        const file = files.get(fd);
        if (file === null) return -ERRNO.EBADF;
        if (target === fd) return fd;
        return files.installAt(target, file, false);
      },
    }),
    defineSyscall({
      number: SYS.dup3,
      name: "dup3",
      args: [
        arg.fd("oldfd"),
        arg.int("newfd"),
        arg.flags("flags", O.CLOEXEC, { bits: { O_CLOEXEC: O.CLOEXEC } }),
      ],
      handler: (call, fd, target, flags) => {
        const files = kernel.threadOf(call).process.files!;
        const file = files.get(fd);
        if (file === null) return -ERRNO.EBADF;
        if (target === fd) return -ERRNO.EINVAL;
        return files.installAt(target, file, (flags & O.CLOEXEC) !== 0);
      },
    }),
    defineSyscall({
      number: SYS.fcntl,
      name: "fcntl",
      args: [arg.fd(), arg.int("cmd"), arg.raw("arg")],
      handler: (call, fd, command, value) => {
        const files = kernel.threadOf(call).process.files!;
        const file = files.get(fd);
        if (file === null) return -ERRNO.EBADF;
        switch (command) {
          case F.DUPFD:
          case F.DUPFD_CLOEXEC: {
            const minimum = Number.isNaN(value) ? -1 : value;
            if (minimum < 0 || minimum >= files.limit) return -ERRNO.EINVAL;
            return files.install(file, command === F.DUPFD_CLOEXEC, minimum);
          }
          case F.GETFD:
            return files.closeOnExec(fd) ? FD_CLOEXEC : 0;
          case F.SETFD:
            return files.setCloseOnExec(fd, (value & FD_CLOEXEC) !== 0);
          case F.GETFL:
            return file.flags & ~O.CLOEXEC;
          case F.SETFL:
            file.flags = (file.flags & ~SETFL_MASK) | (value & SETFL_MASK);
            return 0;
          case F.GETLK:
          case F.SETLK:
          case F.SETLKW:
          case F.OFD_GETLK:
          case F.OFD_SETLK:
          case F.OFD_SETLKW:
            return recordLock(call, file, command, value);
          default:
            return -ERRNO.EINVAL;
        }
      },
    }),
    defineSyscall({
      number: SYS.flock,
      name: "flock",
      args: [arg.fd(), arg.int("operation")],
      handler: (call, fd, operation) => {
        if (fileOf(call, fd) === null) return -ERRNO.EBADF;
        // Advisory whole-file locks, as no-ops that succeed (see recordLock).
        const kind = operation & ~LOCK.NB;
        return kind === LOCK.SH || kind === LOCK.EX || kind === LOCK.UN ? 0 : -ERRNO.EINVAL;
      },
    }),
    defineSyscall({
      number: SYS.ioctl,
      name: "ioctl",
      args: [
        arg.fd(),
        arg.uint("request", 32, true, IOCTL_REQUESTS),
        arg.raw("argp", { ioctlArgument: true }),
      ],
      handler: (call, fd, request, argp) => {
        const thread = kernel.threadOf(call);
        const file = thread.process.files!.get(fd);
        if (file === null) return -ERRNO.EBADF;
        if (file.operations.isTerminal !== true) return -ERRNO.ENOTTY;
        const memory = call.memory!;
        // The console in terminal mode has a line discipline; in plain mode its termios is fixed.
        const terminal = kernel.console.terminal;
        switch (request) {
          case IOCTL.TCGETS:
            (terminal?.termios ?? PLAIN_TERMIOS).encode(termios.bytes);
            return termios.copyOut(memory, argp, TERMIOS_BYTES);
          case IOCTL.TCSETS:
          case IOCTL.TCSETSW:
          case IOCTL.TCSETSF: {
            const copied = termios.copyIn(memory, argp, TERMIOS_BYTES);
            if (copied < 0 || terminal === null) return copied;
            if (request === IOCTL.TCSETSF) terminal.flushInput();
            terminal.setTermios(termios.bytes);
            return 0;
          }
          case IOCTL.FIONREAD: {
            const count = new Struct(4);
            count.i32(0, kernel.console.pending());
            return count.copyOut(memory, argp, 4);
          }
          case IOCTL.TIOCGWINSZ: {
            const size = new Struct(8);
            size.view.setUint16(0, 24, true);
            size.view.setUint16(2, 80, true);
            return size.copyOut(memory, argp, 8);
          }
          case IOCTL.TIOCGPGRP: {
            const group = new Struct(4);
            group.i32(0, terminal !== null ? kernel.console.foregroundGroup : thread.process.pgid);
            return group.copyOut(memory, argp, 4);
          }
          case IOCTL.TIOCSPGRP: {
            const group = new Struct(4);
            if (group.copyIn(memory, argp, 4) < 0) return -ERRNO.EFAULT;
            const pgid = group.view.getInt32(0, true);
            if (pgid < 0) return -ERRNO.EINVAL;
            let exists = false;
            for (const process of kernel.processes.values())
              if (process.pgid === pgid && process.sid === thread.process.sid) exists = true;
            if (!exists) return -ERRNO.EPERM;
            if (terminal !== null) kernel.console.foregroundGroup = pgid;
            return 0;
          }
          default:
            return -ERRNO.ENOTTY;
        }
      },
    }),
    defineSyscall({
      number: SYS.pipe,
      name: "pipe",
      args: [arg.pointer("pipefd", "out", { size: 8 })],
      handler: (call, address) => makePipe(call, address, 0),
    }),
    defineSyscall({
      number: SYS.pipe2,
      name: "pipe2",
      args: [
        arg.pointer("pipefd", "out", { size: 8 }),
        arg.flags("flags", O.CLOEXEC | O.NONBLOCK | O_DIRECT, {
          bits: { O_CLOEXEC: O.CLOEXEC, O_NONBLOCK: O.NONBLOCK, O_DIRECT },
        }),
      ],
      handler: (call, address, flags) => makePipe(call, address, flags),
    }),
    defineSyscall({
      number: SYS.fstat,
      name: "fstat",
      args: [arg.fd(), arg.pointer("statbuf", "out", { size: 144 })],
      handler: (call, fd, address) => {
        const file = fileOf(call, fd);
        if (file === null) return -ERRNO.EBADF;
        writeStat(stat, file.operations.status(file));
        return stat.copyOut(call.memory!, address, 144);
      },
    }),
  ];
  for (const definition of definitions) table.register(definition);
}

/** struct stat (x86-64, 144 bytes). */
export function writeStat(struct: Struct, status: FileStatus): void {
  struct.clear();
  struct.u64(0, status.dev);
  struct.u64(8, status.ino);
  struct.u64(16, status.nlink);
  struct.u32(24, status.mode);
  struct.u32(28, status.uid);
  struct.u32(32, status.gid);
  struct.u64(40, status.rdev);
  struct.u64(48, status.size);
  struct.u64(56, status.blksize);
  struct.u64(64, status.blocks);
  putTimespec(struct, 72, status.atimeNs);
  putTimespec(struct, 88, status.mtimeNs);
  putTimespec(struct, 104, status.ctimeNs);
}
