/**
 * Pipes (pipe(7)): a 64 KiB ring of 16 page frames taken from the kernel's
 * frame allocator as data arrives (Linux's pipe_buffer pages come from the
 * page allocator too), freed when the pipe empties or closes, so they count
 * in the machine's free memory and in leak checks.
 *
 * Outcomes, as Linux's: a read returns what is buffered (up to the count),
 * blocks while the pipe is empty and has writers, and returns 0 (end of
 * file) once it is empty with no writer; a write of at most PIPE_BUF (4096)
 * bytes is atomic (it waits until it fits whole); a larger one writes what
 * fits and returns that count (Linux would keep the caller blocked until all
 * of it is written — a program looping on short writes sees the same bytes,
 * which is what libc's stdio and busybox's full_write do); a write with no
 * reader left is -EPIPE and the writer gets SIGPIPE (the caller sends it).
 * O_NONBLOCK makes waits -EAGAIN (the I/O layer's rule).
 */
import type { PhysicalMemory } from "@tsos/hw-x86";
import type { WaitQueue } from "@tsos/sched";
import { ERRNO } from "@tsos/syscall";
import { type FileOperations, type FileStatus, type OpenFile, POLL, S_IF, WOULD_BLOCK } from "./files";
import type { KernelFrameAllocator } from "./kernel";

/** PIPE_BUF: writes up to this size are atomic. */
export const PIPE_BUF = 4096;
/** Pages in a pipe's ring (Linux's default pipe capacity, 64 KiB). */
export const PIPE_PAGES = 16;
const PAGE = 4096;
/** Pipes share one fake device number (Linux's pipefs has its own superblock). */
const PIPEFS_DEVICE = 0x0c;

/** The shared state of a pipe's two ends. */
export class Pipe {
  /** Open descriptions of each end. */
  readers = 1;
  writers = 1;
  /** Bytes buffered. */
  count = 0;
  /** Ring offset of the first buffered byte. */
  private head = 0;
  /** Frame of each ring page, or -1 while not allocated. */
  private readonly pages = new Array<number>(PIPE_PAGES).fill(-1);

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly frames: KernelFrameAllocator,
    /** Readers blocked on an empty pipe sleep here. */
    readonly readWaiters: WaitQueue,
    /** Writers blocked on a full pipe sleep here. */
    readonly writeWaiters: WaitQueue,
    readonly ino: number,
    private readonly createdNs: number,
    /** Called after every change a poller may wait for (data, room, a closed end). */
    private readonly changed: () => void = () => {},
  ) {}

  /** poll readiness of one end. */
  readiness(writing: boolean): number {
    if (writing) return (this.space >= PIPE_BUF ? POLL.OUT : 0) | (this.readers === 0 ? POLL.ERR : 0);
    return (this.count > 0 ? POLL.IN : 0) | (this.writers === 0 ? POLL.HUP : 0);
  }

  /** Bytes that can be written now. */
  get space(): number {
    return PIPE_PAGES * PAGE - this.count;
  }

  read(into: Uint8Array): number {
    if (into.length === 0) return 0;
    if (this.count === 0) return this.writers === 0 ? 0 : WOULD_BLOCK;
    const length = Math.min(into.length, this.count);
    this.copy(this.head, into.subarray(0, length), false);
    this.head = (this.head + length) % (PIPE_PAGES * PAGE);
    this.count -= length;
    if (this.count === 0) this.releasePages();
    this.writeWaiters.wakeAll();
    this.changed();
    return length;
  }

  write(bytes: Uint8Array): number {
    if (this.readers === 0) return -ERRNO.EPIPE;
    if (bytes.length === 0) return 0;
    const space = this.space;
    if (space === 0 || (bytes.length <= PIPE_BUF && space < bytes.length)) return WOULD_BLOCK;
    const length = Math.min(bytes.length, space);
    const tail = (this.head + this.count) % (PIPE_PAGES * PAGE);
    if (!this.copy(tail, bytes.subarray(0, length), true))
      return this.count === 0 ? -ERRNO.ENOMEM : WOULD_BLOCK;
    this.count += length;
    this.readWaiters.wakeAll();
    this.changed();
    return length;
  }

  /** One end's last description closed: the other side learns of it (EOF, EPIPE). */
  closeEnd(writing: boolean): void {
    if (writing) this.writers--;
    else this.readers--;
    this.readWaiters.wakeAll();
    this.writeWaiters.wakeAll();
    this.changed();
    if (this.readers === 0 && this.writers === 0) {
      this.count = 0;
      this.releasePages();
    }
  }

  status(): FileStatus {
    return {
      dev: PIPEFS_DEVICE,
      ino: this.ino,
      mode: S_IF.FIFO | 0o600,
      nlink: 1,
      uid: 0,
      gid: 0,
      rdev: 0,
      size: 0,
      blksize: PAGE,
      blocks: 0,
      atimeNs: this.createdNs,
      mtimeNs: this.createdNs,
      ctimeNs: this.createdNs,
    };
  }

  /** Copies between the ring (from ring offset `at`, wrapping) and `bytes`; false when a page cannot be had. */
  private copy(at: number, bytes: Uint8Array, writing: boolean): boolean {
    let done = 0;
    let offset = at;
    while (done < bytes.length) {
      const page = Math.floor(offset / PAGE);
      const within = offset % PAGE;
      const length = Math.min(PAGE - within, bytes.length - done);
      let frame = this.pages[page]!;
      if (frame < 0) {
        if (!writing) throw new Error("pipe: reading a page that holds no data");
        frame = this.frames.allocate(0);
        if (frame < 0) return false;
        this.pages[page] = frame;
      }
      const view = this.memory.bytes(frame + within, length);
      if (writing) {
        view.set(bytes.subarray(done, done + length));
        this.memory.notifyWritten(frame + within, length);
      } else bytes.set(view, done);
      done += length;
      offset = (offset + length) % (PIPE_PAGES * PAGE);
    }
    return true;
  }

  private releasePages(): void {
    for (let page = 0; page < PIPE_PAGES; page++) {
      const frame = this.pages[page]!;
      if (frame >= 0) {
        this.frames.free(frame, 0);
        this.pages[page] = -1;
      }
    }
    this.head = 0;
  }
}

/** The operations of a pipe's read end or write end. */
export function pipeOperations(writing: boolean): FileOperations {
  const pipeOf = (file: OpenFile) => file.node as Pipe;
  return {
    seekable: false,
    read: (file, into) => (writing ? -ERRNO.EBADF : pipeOf(file).read(into)),
    write: (file, bytes) => (writing ? pipeOf(file).write(bytes) : -ERRNO.EBADF),
    waitQueue: (file) => (writing ? pipeOf(file).writeWaiters : pipeOf(file).readWaiters),
    poll: (file) => pipeOf(file).readiness(writing),
    status: (file) => pipeOf(file).status(),
    release: (file) => pipeOf(file).closeEnd(writing),
  };
}
