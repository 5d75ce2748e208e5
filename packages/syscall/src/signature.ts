/**
 * Typed system-call signatures: each table entry declares its arguments once,
 * as a list of {@link ArgSpec} values built with {@link arg}. From that one
 * declaration the table compiles the entry's validator (validator-compiler.ts),
 * the reference validator walks it (reference-validator.ts) and strace prints
 * it (strace.ts).
 *
 * What each kind means (the register is the argument's 64-bit slot; Linux
 * x86-64 passes arguments in rdi, rsi, rdx, r10, r8, r9):
 *
 * | kind | handler receives | rejected with |
 * |---|---|---|
 * | `int(bits)` | the low `bits` bits, sign-extended | 64-bit values outside ±2^53: -EINVAL |
 * | `uint(bits)` | the low `bits` bits, unsigned | 64-bit values ≥ 2^53: -EINVAL |
 * | `fd()` | the low 32 bits as a signed int | negative: -EBADF |
 * | `dirfd()` | as `fd`, AT_FDCWD (-100) allowed | other negatives: -EBADF |
 * | `pointer(...)` | the address (a number < 2^47) | outside the user half, or `[address, address + length)` past it or wrapping: -EFAULT |
 * | `string(max)` | the string (Latin-1 of the bytes) | bad pointer or unreadable bytes: -EFAULT; no NUL within `max` bytes: -ENAMETOOLONG |
 * | `flags(mask)` | the low 32 bits, unsigned | bits outside `mask`: -EINVAL |
 * | `pid()` | the low 32 bits as a signed int | never (pid meanings are the handler's) |
 * | `clockId()` | the low 32 bits as a signed int | not a clock Linux knows: -EINVAL |
 * | `size(max?)` | the 64-bit value | ≥ 2^53 or above `max`: -EINVAL (-EFAULT when it is a pointer's length) |
 * | `mode()` | the low 32 bits & 0o7777 | never |
 * | `signal()` | the low 32 bits as a signed int | outside 0..64: -EINVAL |
 * | `raw()` | the 64-bit value if < 2^53, else NaN | never |
 *
 * "User half" is [0, {@link USER_SPACE_END}) — Linux's TASK_SIZE_MAX, 2^47
 * minus one guard page (arch/x86/include/asm/page_64_types.h), so a user
 * range never ends at the non-canonical boundary; a table may configure
 * another limit.
 *
 * Invariants: specs are plain frozen data; nothing here runs per call.
 */

/** The argument kinds. */
export const ARG_KIND = {
  /** Signed integer of a width. */
  INT: 0,
  /** Unsigned integer of a width. */
  UINT: 1,
  /** File descriptor. */
  FD: 2,
  /** Directory file descriptor of the *at() calls (AT_FDCWD allowed). */
  DIRFD: 3,
  /** User pointer to a buffer or structure. */
  POINTER: 4,
  /** User pointer to a NUL-terminated string. */
  STRING: 5,
  /** Bit flags with an allowed mask. */
  FLAGS: 6,
  /** Process id. */
  PID: 7,
  /** Clock id (clock_gettime and friends). */
  CLOCK_ID: 8,
  /** size_t. */
  SIZE: 9,
  /** File mode bits (printed in octal). */
  MODE: 10,
  /** Signal number. */
  SIGNAL: 11,
  /** Any 64-bit value, unchecked. */
  RAW: 12,
} as const;

/** One of the {@link ARG_KIND} values. */
export type ArgKind = (typeof ARG_KIND)[keyof typeof ARG_KIND];

/** Which way a pointer's bytes move (for tracing: `in` buffers print at entry, `out` buffers after the call). */
export type PointerDirection = "in" | "out" | "inout";

/** Linux's AT_FDCWD (include/uapi/linux/fcntl.h). */
export const AT_FDCWD = -100;

/** End of the user half: Linux's TASK_SIZE_MAX on x86-64 with 4-level paging, 2^47 − 4096. */
export const USER_SPACE_END = 0x7ffffffff000;

/** Largest clock id Linux accepts for the static clocks (CLOCK_TAI = 11; 10 is unused). */
export const CLOCK_ID_MAX = 11;

/** Highest signal number on Linux x86-64 (SIGRTMAX = 64). */
export const SIGNAL_MAX = 64;

/** Symbolic names of a flags argument, for tracing. */
export interface FlagNames {
  /** Name → single bit (or multi-bit constant) printed when all its bits are set. */
  readonly bits?: Readonly<Record<string, number>>;
  /**
   * A field printed by value before the bits, e.g. O_ACCMODE: `{ mask: 3,
   * values: { 0: "O_RDONLY", 1: "O_WRONLY", 2: "O_RDWR" } }`.
   */
  readonly field?: { readonly mask: number; readonly values: Readonly<Record<number, string>> };
}

interface SpecBase {
  /** Parameter name as in the man page (tracing, reports). */
  readonly name: string;
}

/** `int(bits)`. */
export interface IntSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.INT;
  readonly bits: 8 | 16 | 32 | 64;
}
/** `uint(bits)`. */
export interface UintSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.UINT;
  readonly bits: 8 | 16 | 32 | 64;
  /** Print in hex (addresses passed as integers, masks). */
  readonly hex: boolean;
  /** Names of particular values, printed instead of the number (ioctl requests). */
  readonly values?: Readonly<Record<number, string>>;
}
/** `fd()`. */
export interface FdSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.FD;
}
/** `dirfd()`. */
export interface DirFdSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.DIRFD;
}
/** `pointer(...)`. */
export interface PointerSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.POINTER;
  readonly direction: PointerDirection;
  /** Index of the argument holding the length in bytes, or -1. */
  readonly lengthArg: number;
  /** Fixed size in bytes (a structure), or 0. */
  readonly size: number;
  /** Print the bytes as a string buffer (write/read buffers) rather than as a pointer. */
  readonly buffer: boolean;
  /** An array of struct iovec whose element count is argument `iovecCount` (readv, writev); -1: not one. */
  readonly iovecCount: number;
}
/** `string(maxLength)`. */
export interface StringSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.STRING;
  /** Longest accepted string in bytes, NUL excluded (PATH_MAX − 1 for paths). */
  readonly maxLength: number;
}
/** `flags(mask)`. */
export interface FlagsSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.FLAGS;
  /** Bits a caller may set; others are -EINVAL. */
  readonly mask: number;
  readonly names: FlagNames;
}
/** `pid()`. */
export interface PidSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.PID;
}
/** `clockId()`. */
export interface ClockIdSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.CLOCK_ID;
}
/** `size(max?)`. */
export interface SizeSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.SIZE;
  /** Largest accepted value (default 2^53 − 1). */
  readonly max: number;
}
/** `mode()`. */
export interface ModeSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.MODE;
}
/** `signal()`. */
export interface SignalSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.SIGNAL;
}
/** `raw()`. */
export interface RawSpec extends SpecBase {
  readonly kind: typeof ARG_KIND.RAW;
  /** Trace as ioctl(2)'s third argument, decoded by the request in the argument before it. */
  readonly ioctlArgument?: boolean;
}

/** One argument's declaration. */
export type ArgSpec =
  | IntSpec
  | UintSpec
  | FdSpec
  | DirFdSpec
  | PointerSpec
  | StringSpec
  | FlagsSpec
  | PidSpec
  | ClockIdSpec
  | SizeSpec
  | ModeSpec
  | SignalSpec
  | RawSpec;

/** What the handler receives for an argument of spec `A`. */
export type ArgValue<A extends ArgSpec> = A extends StringSpec ? string : number;

/** The handler's value parameters for argument specs `Args`. */
export type ArgValues<Args extends readonly ArgSpec[]> = { -readonly [K in keyof Args]: ArgValue<Args[K]> };

/** How strace prints the return value. */
export const RETURN_KIND = {
  /** A signed decimal (or `-1 ERRNO (message)`). */
  INT: 0,
  /** A file descriptor (decimal). */
  FD: 1,
  /** An address (hex), e.g. mmap and brk. */
  POINTER: 2,
  /** The call does not return (exit, exit_group): printed as `?`. */
  NONE: 3,
} as const;

/** One of the {@link RETURN_KIND} values. */
export type ReturnKind = (typeof RETURN_KIND)[keyof typeof RETURN_KIND];

const PATH_MAX = 4096;

function freeze<T extends ArgSpec>(spec: T): T {
  return Object.freeze(spec);
}

/** Builders of {@link ArgSpec} values; `name` is the man page's parameter name. */
export const arg = {
  /** Signed integer of `bits` bits (default 32). */
  int(name: string, bits: 8 | 16 | 32 | 64 = 32): IntSpec {
    return freeze({ kind: ARG_KIND.INT, name, bits });
  },
  /** Unsigned integer of `bits` bits (default 32); `hex` prints it in hex. */
  uint(
    name: string,
    bits: 8 | 16 | 32 | 64 = 32,
    hex = false,
    values?: Readonly<Record<number, string>>,
  ): UintSpec {
    return freeze({ kind: ARG_KIND.UINT, name, bits, hex, ...(values === undefined ? {} : { values }) });
  },
  /** File descriptor. */
  fd(name = "fd"): FdSpec {
    return freeze({ kind: ARG_KIND.FD, name });
  },
  /** Directory descriptor of an *at() call (AT_FDCWD allowed). */
  dirfd(name = "dirfd"): DirFdSpec {
    return freeze({ kind: ARG_KIND.DIRFD, name });
  },
  /**
   * User pointer. `length` is the index of the argument holding its length
   * in bytes, `size` a fixed structure size; `buffer` prints the bytes as a
   * quoted string (strace's style for read/write buffers); `iovecCount`:
   * the pointer is a struct iovec array of that argument's length, traced
   * as strace prints one (only tracing reads it).
   */
  pointer(
    name: string,
    direction: PointerDirection,
    options: { length?: number; size?: number; buffer?: boolean; iovecCount?: number } = {},
  ): PointerSpec {
    return freeze({
      kind: ARG_KIND.POINTER,
      name,
      direction,
      lengthArg: options.length ?? -1,
      size: options.size ?? 0,
      buffer: options.buffer ?? false,
      iovecCount: options.iovecCount ?? -1,
    });
  },
  /** NUL-terminated string of at most `maxLength` bytes (default PATH_MAX − 1). */
  string(name: string, maxLength = PATH_MAX - 1): StringSpec {
    return freeze({ kind: ARG_KIND.STRING, name, maxLength });
  },
  /** Flags: bits outside `mask` are -EINVAL; `names` for tracing. */
  flags(name: string, mask: number, names: FlagNames = {}): FlagsSpec {
    return freeze({ kind: ARG_KIND.FLAGS, name, mask: mask >>> 0, names });
  },
  /** Process id. */
  pid(name = "pid"): PidSpec {
    return freeze({ kind: ARG_KIND.PID, name });
  },
  /** Clock id. */
  clockId(name = "clockid"): ClockIdSpec {
    return freeze({ kind: ARG_KIND.CLOCK_ID, name });
  },
  /** size_t, at most `max` (default 2^53 − 1). */
  size(name = "count", max = Number.MAX_SAFE_INTEGER): SizeSpec {
    return freeze({ kind: ARG_KIND.SIZE, name, max });
  },
  /** File mode (octal). */
  mode(name = "mode"): ModeSpec {
    return freeze({ kind: ARG_KIND.MODE, name });
  },
  /** Signal number 0..64. */
  signal(name = "sig"): SignalSpec {
    return freeze({ kind: ARG_KIND.SIGNAL, name });
  },
  /** Any 64-bit value (NaN when ≥ 2^53), printed in hex. */
  raw(name: string, options: { ioctlArgument?: boolean } = {}): RawSpec {
    return freeze({
      kind: ARG_KIND.RAW,
      name,
      ...(options.ioctlArgument === true ? { ioctlArgument: true } : {}),
    });
  },
} as const;

/** Checks a signature's internal references; returns a problem description or undefined. */
export function signatureProblem(args: readonly ArgSpec[]): string | undefined {
  if (args.length > 6) return `${args.length} arguments: the x86-64 ABI passes at most 6`;
  for (let i = 0; i < args.length; i++) {
    const spec = args[i]!;
    if (spec.kind === ARG_KIND.POINTER && spec.lengthArg >= 0) {
      const length = args[spec.lengthArg];
      if (length === undefined || spec.lengthArg === i)
        return `argument ${i} names length argument ${spec.lengthArg}, which does not exist`;
      if (length.kind !== ARG_KIND.SIZE && length.kind !== ARG_KIND.UINT && length.kind !== ARG_KIND.INT) {
        return `argument ${i}'s length argument ${spec.lengthArg} is not an integer`;
      }
    }
    if (spec.kind === ARG_KIND.STRING && !(spec.maxLength >= 0 && Number.isSafeInteger(spec.maxLength))) {
      return `argument ${i}: bad maximum string length ${spec.maxLength}`;
    }
  }
  return undefined;
}
