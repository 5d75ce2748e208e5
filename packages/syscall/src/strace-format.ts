/**
 * strace's text for one system call (strace 6.x default output, checked
 * against real strace output by test/syscall-guest.test.ts): arguments by
 * their declared kind, strings and buffers quoted with strace's escapes and
 * truncated at the string limit (`"..."...`), the result padded to column
 * 40 (`= 3`, `= -1 ENOENT (No such file or directory)`, `= 0x7f…` for
 * pointers, `= ?` for calls that do not return).
 *
 * Not done: structures (strace prints `{tv_sec=…}`; here the pointer), and
 * per-syscall special cases beyond openat's mode (printed only with O_CREAT
 * or O_TMPFILE, as strace does).
 */
import { errnoMessage, errnoName } from "./abi/errno";
import { syscallName } from "./abi/syscall-numbers";
import { ARG_KIND, type ArgSpec, AT_FDCWD, type FlagNames, RETURN_KIND, type ReturnKind } from "./signature";
import type { UserMemory } from "./user-memory";

/** What the tracer knows of a call: its table entry's declaration. */
export interface TraceTarget {
  /** Name. */
  readonly name: string;
  /** Argument declarations. */
  readonly args: readonly ArgSpec[];
  /** How the result prints. */
  readonly returns: ReturnKind;
}

/** strace's default `-s`. */
export const DEFAULT_STRING_LIMIT = 32;
const RESULT_COLUMN = 40;
const TWO_POW_32 = 4294967296;
const O_CREAT = 0o100;
const O_TMPFILE = 0o20200000;

const CLOCK_NAMES = [
  "CLOCK_REALTIME",
  "CLOCK_MONOTONIC",
  "CLOCK_PROCESS_CPUTIME_ID",
  "CLOCK_THREAD_CPUTIME_ID",
  "CLOCK_MONOTONIC_RAW",
  "CLOCK_REALTIME_COARSE",
  "CLOCK_MONOTONIC_COARSE",
  "CLOCK_BOOTTIME",
  "CLOCK_REALTIME_ALARM",
  "CLOCK_BOOTTIME_ALARM",
  "CLOCK_SGI_CYCLE",
  "CLOCK_TAI",
];
const SIGNAL_NAMES = [
  "0",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];
const SIGRTMIN = 32;

/** Quotes `bytes` as strace does; `complete` false (or more bytes than `limit`) adds strace's `...`. */
export function escapeStraceString(bytes: Uint8Array, limit: number, complete: boolean): string {
  const shown = Math.min(bytes.length, limit);
  let text = '"';
  for (let i = 0; i < shown; i++) {
    const byte = bytes[i]!;
    switch (byte) {
      case 0x22:
        text += '\\"';
        continue;
      case 0x5c:
        text += "\\\\";
        continue;
      case 0x09:
        text += "\\t";
        continue;
      case 0x0a:
        text += "\\n";
        continue;
      case 0x0b:
        text += "\\v";
        continue;
      case 0x0c:
        text += "\\f";
        continue;
      case 0x0d:
        text += "\\r";
        continue;
      default:
    }
    if (byte >= 0x20 && byte < 0x7f) {
      text += String.fromCharCode(byte);
      continue;
    }
    // Octal, with three digits only when the next shown byte is an octal digit.
    const next = i + 1 < shown ? bytes[i + 1]! : -1;
    const octal = byte.toString(8);
    text += next >= 0x30 && next <= 0x37 ? `\\${octal.padStart(3, "0")}` : `\\${octal}`;
  }
  text += '"';
  return shown < bytes.length || !complete ? `${text}...` : text;
}

function word64(words: Uint32Array, index: number): { low: number; high: number } {
  return { low: words[index * 2]!, high: words[index * 2 + 1]! };
}

function hex(low: number, high: number): string {
  if (high === 0) return `0x${low.toString(16)}`;
  return `0x${high.toString(16)}${low.toString(16).padStart(8, "0")}`;
}

function pointerText(low: number, high: number): string {
  return low === 0 && high === 0 ? "NULL" : hex(low, high);
}

function flagsText(value: number, names: FlagNames): string {
  const parts: string[] = [];
  let rest = value >>> 0;
  if (names.field !== undefined) {
    const field = rest & names.field.mask;
    const name = names.field.values[field];
    if (name !== undefined) {
      parts.push(name);
      rest = (rest & ~names.field.mask) >>> 0;
    }
  }
  for (const [name, bits] of Object.entries(names.bits ?? {})) {
    if (bits !== 0 && (rest & bits) === bits) {
      parts.push(name);
      rest = (rest & ~bits) >>> 0;
    }
  }
  if (rest !== 0 || parts.length === 0) parts.push(rest === 0 ? "0" : `0x${rest.toString(16)}`);
  return parts.join("|");
}

/** A signal number as strace names it: SIGSEGV, SIGRTMIN, SIGRT_3; the number itself outside 0–64. */
export function signalName(signal: number): string {
  if (signal >= 0 && signal < SIGRTMIN) return SIGNAL_NAMES[signal]!;
  if (signal === SIGRTMIN) return "SIGRTMIN";
  if (signal > SIGRTMIN && signal <= 64) return `SIGRT_${signal - SIGRTMIN}`;
  return String(signal);
}

function readBytes(memory: UserMemory | null, address: number, length: number): Uint8Array | undefined {
  if (memory === null || !(length >= 0)) return undefined;
  const bytes = new Uint8Array(length);
  return memory.read(address, bytes) ? bytes : undefined;
}

/** strace reads a string up to its limit + 1 bytes, stopping at the NUL. */
function stringText(memory: UserMemory | null, low: number, high: number, limit: number): string {
  if (low === 0 && high === 0) return "NULL";
  const address = high * TWO_POW_32 + low;
  const collected: number[] = [];
  const one = new Uint8Array(1);
  for (let i = 0; i <= limit; i++) {
    if (memory === null || !memory.read(address + i, one)) {
      return collected.length === 0
        ? hex(low, high)
        : escapeStraceString(Uint8Array.from(collected), limit, false);
    }
    if (one[0] === 0) return escapeStraceString(Uint8Array.from(collected), limit, true);
    collected.push(one[0]!);
  }
  return escapeStraceString(Uint8Array.from(collected), limit, true);
}

function argumentText(
  target: TraceTarget,
  index: number,
  words: Uint32Array,
  result: number,
  memory: UserMemory | null,
  limit: number,
): string | undefined {
  const spec = target.args[index]!;
  const { low, high } = word64(words, index);
  switch (spec.kind) {
    case ARG_KIND.INT:
      if (spec.bits === 64) return String((high | 0) * TWO_POW_32 + low);
      return String((low << (32 - spec.bits)) >> (32 - spec.bits));
    case ARG_KIND.UINT: {
      const value =
        spec.bits === 64 ? high * TWO_POW_32 + low : spec.bits === 32 ? low : low & (2 ** spec.bits - 1);
      const named = spec.values?.[value];
      if (named !== undefined) return named;
      if (spec.hex) return spec.bits === 64 ? hex(low, high) : `0x${value.toString(16)}`;
      return String(value);
    }
    case ARG_KIND.FD:
    case ARG_KIND.PID:
      return String(low | 0);
    case ARG_KIND.DIRFD:
      return (low | 0) === AT_FDCWD ? "AT_FDCWD" : String(low | 0);
    case ARG_KIND.POINTER: {
      if (spec.iovecCount >= 0 && !(low === 0 && high === 0))
        return (
          iovecText(
            memory,
            high * TWO_POW_32 + low,
            words[spec.iovecCount * 2]! | 0,
            spec.direction,
            result,
            limit,
          ) ?? hex(low, high)
        );
      if (!spec.buffer || (low === 0 && high === 0)) return pointerText(low, high);
      const length =
        spec.direction === "in"
          ? spec.lengthArg >= 0
            ? words[spec.lengthArg * 2]!
            : 0
          : result >= 0
            ? result
            : -1;
      const bytes =
        length < 0 ? undefined : readBytes(memory, high * TWO_POW_32 + low, Math.min(length, limit + 1));
      if (bytes === undefined) return hex(low, high);
      return escapeStraceString(bytes.subarray(0, Math.min(bytes.length, limit)), limit, length <= limit);
    }
    case ARG_KIND.STRING:
      return stringText(memory, low, high, limit);
    case ARG_KIND.FLAGS:
      return flagsText(low, spec.names);
    case ARG_KIND.CLOCK_ID:
      return CLOCK_NAMES[low | 0] ?? String(low | 0);
    case ARG_KIND.SIZE:
      return String(high * TWO_POW_32 + low);
    case ARG_KIND.MODE: {
      const flags = target.args[index - 1];
      if (flags?.kind === ARG_KIND.FLAGS && (words[(index - 1) * 2]! & (O_CREAT | O_TMPFILE)) === 0)
        return undefined;
      return `0${(low & 0o7777).toString(8).padStart(2, "0")}`;
    }
    case ARG_KIND.SIGNAL:
      return signalName(low | 0);
    case ARG_KIND.RAW:
      if (spec.ioctlArgument === true && index > 0)
        return ioctlArgumentText(memory, words[(index - 1) * 2]!, low, high, result);
      return hex(low, high);
  }
}

/** Elements of an iovec array strace prints before "..." (its default -s bounds arrays too). */
const IOVEC_SIZE = 16;

/**
 * `[{iov_base="abc", iov_len=3}, {iov_base=NULL, iov_len=0}]`: each buffer
 * as strace prints it — its whole length for an input (writev), and for an
 * output (readv) the bytes the call returned, spread over the buffers in
 * order. Undefined when the array cannot be read (printed as an address).
 */
function iovecText(
  memory: UserMemory | null,
  address: number,
  count: number,
  direction: string,
  result: number,
  limit: number,
): string | undefined {
  if (memory === null || count < 0 || count > 1024) return undefined;
  if (direction !== "in" && result < 0) return undefined;
  const shown = Math.min(count, limit);
  const table = new Uint8Array(shown * IOVEC_SIZE);
  if (!memory.read(address, table)) return undefined;
  const view = new DataView(table.buffer);
  let left = direction === "in" ? Number.POSITIVE_INFINITY : result;
  const parts: string[] = [];
  for (let index = 0; index < shown; index++) {
    const baseLow = view.getUint32(index * IOVEC_SIZE, true);
    const baseHigh = view.getUint32(index * IOVEC_SIZE + 4, true);
    const length =
      view.getUint32(index * IOVEC_SIZE + 8, true) +
      view.getUint32(index * IOVEC_SIZE + 12, true) * TWO_POW_32;
    const base = baseHigh * TWO_POW_32 + baseLow;
    let text: string;
    if (base === 0) text = "NULL";
    else {
      const available = Math.min(length, left);
      left -= available;
      const bytes = readBytes(memory, base, Math.min(available, limit + 1));
      text =
        bytes === undefined
          ? hex(baseLow, baseHigh)
          : escapeStraceString(bytes.subarray(0, Math.min(bytes.length, limit)), limit, available <= limit);
    }
    parts.push(`{iov_base=${text}, iov_len=${length}}`);
  }
  return `[${parts.join(", ")}${count > shown ? ", ..." : ""}]`;
}

/** ioctl requests strace names (asm-generic/ioctls.h) and the one structure it decodes here. */
export const IOCTL_REQUESTS: Readonly<Record<number, string>> = {
  21505: "TCGETS",
  21506: "TCSETS",
  21507: "TCSETSW",
  21508: "TCSETSF",
  21519: "TIOCGPGRP",
  21520: "TIOCSPGRP",
  21523: "TIOCGWINSZ",
  21524: "TIOCSWINSZ",
  21531: "FIONREAD",
  21537: "FIONBIO",
  21585: "FIOCLEX",
  21584: "FIONCLEX",
};
const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;
const FIONREAD = 0x541b;

/** ioctl's third argument: a winsize or a count where strace decodes one, else the address. */
function ioctlArgumentText(
  memory: UserMemory | null,
  request: number,
  low: number,
  high: number,
  result: number,
): string {
  const address = high * TWO_POW_32 + low;
  const isOutput = request === TIOCGWINSZ || request === FIONREAD;
  if ((request !== TIOCGWINSZ && request !== TIOCSWINSZ && request !== FIONREAD) || (isOutput && result < 0))
    return hex(low, high);
  const bytes = readBytes(memory, address, request === FIONREAD ? 4 : 8);
  if (bytes === undefined) return hex(low, high);
  const view = new DataView(bytes.buffer);
  if (request === FIONREAD) return `[${view.getInt32(0, true)}]`;
  const field = (offset: number) => view.getUint16(offset, true);
  return `{ws_row=${field(0)}, ws_col=${field(2)}, ws_xpixel=${field(4)}, ws_ypixel=${field(6)}}`;
}

/** The printed arguments of a call, one string each (an argument strace omits is left out). */
export function argumentList(
  target: TraceTarget | undefined,
  words: Uint32Array,
  result: number,
  memory: UserMemory | null,
  limit = DEFAULT_STRING_LIMIT,
): string[] {
  if (target === undefined) {
    return Array.from({ length: 6 }, (_, index) => hex(words[index * 2]!, words[index * 2 + 1]!));
  }
  const parts: string[] = [];
  for (let index = 0; index < target.args.length; index++) {
    const text = argumentText(target, index, words, result, memory, limit);
    if (text !== undefined) parts.push(text);
  }
  return parts;
}

/** The argument list (without parentheses) of a call. */
export function formatArguments(
  target: TraceTarget | undefined,
  words: Uint32Array,
  result: number,
  memory: UserMemory | null,
  limit = DEFAULT_STRING_LIMIT,
): string {
  return argumentList(target, words, result, memory, limit).join(", ");
}

/** strace's `= …` part. */
export function formatResult(returns: ReturnKind, result: number): string {
  if (returns === RETURN_KIND.NONE) return "= ?";
  if (result < 0 && result >= -4095) {
    const errno = -result;
    return `= -1 ${errnoName(errno) ?? `E${errno}`} (${errnoMessage(errno) ?? `Unknown error ${errno}`})`;
  }
  if (returns === RETURN_KIND.POINTER) return `= 0x${result.toString(16)}`;
  return `= ${result}`;
}

/** The name strace prints for `number`: the entry's, Linux's, or `syscall_0x…`. */
export function traceName(target: TraceTarget | undefined, number: number): string {
  return target?.name ?? syscallName(number) ?? `syscall_0x${number.toString(16)}`;
}

/** Pads `call` to strace's result column and appends `result`. */
export function withResult(call: string, result: string): string {
  return call.length < RESULT_COLUMN ? `${call.padEnd(RESULT_COLUMN)}${result}` : `${call} ${result}`;
}

/** One finished call's line (no pid prefix). */
export function formatCall(
  target: TraceTarget | undefined,
  number: number,
  words: Uint32Array,
  result: number,
  memory: UserMemory | null,
  limit = DEFAULT_STRING_LIMIT,
): string {
  const call = `${traceName(target, number)}(${formatArguments(target, words, result, memory, limit)})`;
  return withResult(call, formatResult(target?.returns ?? RETURN_KIND.INT, result));
}
