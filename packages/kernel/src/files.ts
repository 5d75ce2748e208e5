/**
 * Open files and per-process descriptor tables (open(2), dup(2),
 * fcntl(2)): an {@link OpenFile} is an open file description (offset,
 * status flags, shared by dup'ed descriptors and across fork); a
 * {@link FileTable} maps descriptors to descriptions with their
 * close-on-exec flag.
 *
 * Blocking: a read or write that cannot proceed returns {@link WOULD_BLOCK}
 * and names the wait queue to sleep on (`waitQueue`); the kernel parks the
 * call there and runs it again when woken (unless O_NONBLOCK, which gets
 * -EAGAIN). Byte counts and errors follow read(2)/write(2).
 *
 * Invariants: `refs` counts descriptors (in any table) naming the
 * description; `release()` runs once, when the last one closes. Descriptor
 * numbers are the lowest free ones (POSIX), below the table's limit
 * (RLIMIT_NOFILE).
 */
import type { WaitQueue } from "@tsos/sched";
import { ERRNO } from "@tsos/syscall";

/** A read or write that must wait (the kernel parks the call; never returned to the guest). */
export const WOULD_BLOCK = -0x7fff_0001;

/** open(2) flags. */
export const O = {
  ACCMODE: 3,
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  TRUNC: 0o1000,
  APPEND: 0o2000,
  NONBLOCK: 0o4000,
  DIRECTORY: 0o200000,
  NOFOLLOW: 0o400000,
  CLOEXEC: 0o2000000,
} as const;

/** poll(2) event bits. */
export const POLL = {
  IN: 0x1,
  PRI: 0x2,
  OUT: 0x4,
  ERR: 0x8,
  HUP: 0x10,
  NVAL: 0x20,
  RDNORM: 0x40,
  RDBAND: 0x80,
  WRNORM: 0x100,
  WRBAND: 0x200,
} as const;

/** Status flags F_SETFL may change (Linux: O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME). */
export const SETFL_MASK = O.APPEND | O.NONBLOCK;

/** File type bits of st_mode. */
export const S_IF = {
  MT: 0o170000,
  SOCK: 0o140000,
  LNK: 0o120000,
  REG: 0o100000,
  BLK: 0o060000,
  DIR: 0o040000,
  CHR: 0o020000,
  FIFO: 0o010000,
} as const;

/** What fstat reports (struct stat fields the kernel knows). */
export interface FileStatus {
  readonly dev: number;
  readonly ino: number;
  readonly mode: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
  readonly rdev: number;
  readonly size: number;
  readonly blksize: number;
  readonly blocks: number;
  /** Times in ns since the epoch. */
  readonly atimeNs: number;
  readonly mtimeNs: number;
  readonly ctimeNs: number;
}

/** What a kind of file does (the description's `f_op`). */
export interface FileOperations {
  /** Reads into `into` at `position`; bytes read, 0 at end of file, -errno, or WOULD_BLOCK. */
  read(file: OpenFile, into: Uint8Array, position: number): number;
  /** Writes `bytes` at `position`; bytes written, -errno, or WOULD_BLOCK. */
  write(file: OpenFile, bytes: Uint8Array, position: number): number;
  /** Where a blocked reader (or writer) sleeps. */
  waitQueue?(file: OpenFile): WaitQueue | null;
  /** Seekable files have a size for SEEK_END; others answer ESPIPE. */
  readonly seekable: boolean;
  /** Current size (for SEEK_END and fstat), seekable files only. */
  size?(file: OpenFile): number;
  /** fstat. */
  status(file: OpenFile): FileStatus;
  /** poll(2) readiness: POLLIN / POLLOUT / POLLHUP / POLLERR bits (absent: always readable and writable). */
  poll?(file: OpenFile): number;
  /** A tty answers TCGETS / TIOCGWINSZ; everything else -ENOTTY. */
  readonly isTerminal?: boolean;
  /** The last descriptor closed. */
  release?(file: OpenFile): void;
}

/** An open file description. */
export class OpenFile {
  /** Descriptors naming this description. */
  refs = 0;
  /** File position (seekable files). */
  position = 0;

  constructor(
    readonly operations: FileOperations,
    /** Access mode and status flags (O_ACCMODE | O_APPEND | O_NONBLOCK …). */
    public flags: number,
    /** The path it was opened by, for /proc and diagnostics. */
    readonly path: string,
    /** Kind-specific state (the inode of a regular file, …). */
    readonly node: unknown = null,
  ) {}

  get readable(): boolean {
    return (this.flags & O.ACCMODE) !== O.WRONLY;
  }

  get writable(): boolean {
    return (this.flags & O.ACCMODE) !== O.RDONLY;
  }
}

interface Descriptor {
  file: OpenFile;
  closeOnExec: boolean;
}

/** Default RLIMIT_NOFILE (Linux's soft limit). */
export const DEFAULT_NOFILE = 1024;

/** A process's descriptor table. */
export class FileTable {
  private readonly slots: (Descriptor | null)[] = [];
  /** Descriptors at or above this fail with EMFILE (RLIMIT_NOFILE). */
  limit = DEFAULT_NOFILE;

  /** The description behind `fd`, or null. */
  get(fd: number): OpenFile | null {
    return this.slots[fd]?.file ?? null;
  }

  /** Close-on-exec flag of `fd` (false if not open). */
  closeOnExec(fd: number): boolean {
    return this.slots[fd]?.closeOnExec ?? false;
  }

  /** Sets the close-on-exec flag; -EBADF if not open. */
  setCloseOnExec(fd: number, value: boolean): number {
    const slot = this.slots[fd];
    if (slot === null || slot === undefined) return -ERRNO.EBADF;
    slot.closeOnExec = value;
    return 0;
  }

  /** Installs `file` at the lowest free descriptor ≥ `minimum`; the descriptor or -EMFILE. */
  install(file: OpenFile, closeOnExec: boolean, minimum = 0): number {
    let fd = minimum;
    while (fd < this.slots.length && this.slots[fd] !== null && this.slots[fd] !== undefined) fd++;
    if (fd >= this.limit) return -ERRNO.EMFILE;
    this.place(fd, file, closeOnExec);
    return fd;
  }

  /** dup2/dup3: `file` at exactly `fd` (closing what was there); `fd` or -EBADF. */
  installAt(fd: number, file: OpenFile, closeOnExec: boolean): number {
    if (fd < 0 || fd >= this.limit) return -ERRNO.EBADF;
    file.refs++; // before closing the old one: dup2(fd, fd)-like replacement must not release `file`
    this.close(fd);
    file.refs--;
    this.place(fd, file, closeOnExec);
    return fd;
  }

  /** Closes `fd`; 0 or -EBADF. */
  close(fd: number): number {
    const slot = this.slots[fd];
    if (slot === null || slot === undefined) return -ERRNO.EBADF;
    this.slots[fd] = null;
    releaseFile(slot.file);
    return 0;
  }

  /** A copy for fork: the same descriptions, each gaining a reference. */
  fork(): FileTable {
    const copy = new FileTable();
    copy.limit = this.limit;
    for (let fd = 0; fd < this.slots.length; fd++) {
      const slot = this.slots[fd];
      if (slot !== null && slot !== undefined) copy.place(fd, slot.file, slot.closeOnExec);
    }
    return copy;
  }

  /** execve: closes every close-on-exec descriptor. */
  closeOnExecAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]?.closeOnExec) this.close(fd);
  }

  /** exit: closes everything. */
  closeAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd] !== null) this.close(fd);
    this.slots.length = 0;
  }

  /** Open descriptors, ascending. */
  descriptors(): number[] {
    const out: number[] = [];
    for (let fd = 0; fd < this.slots.length; fd++)
      if (this.slots[fd] !== null && this.slots[fd] !== undefined) out.push(fd);
    return out;
  }

  private place(fd: number, file: OpenFile, closeOnExec: boolean): void {
    while (this.slots.length <= fd) this.slots.push(null);
    file.refs++;
    this.slots[fd] = { file, closeOnExec };
  }
}

function releaseFile(file: OpenFile): void {
  file.refs--;
  if (file.refs === 0) file.operations.release?.(file);
}
