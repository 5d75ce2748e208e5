/**
 * The argument rules of signature.ts as a plain loop over the signature:
 * the reference the compiled validators are tested against, and the
 * "generic schema-walking validation" variant of the benchmarks. Same
 * rules, same order, same errno values as validator-compiler.ts.
 */
import { ERRNO } from "./abi/errno";
import { ARGUMENT_REGISTERS } from "./abi/registers";
import { ARG_KIND, type ArgSpec, AT_FDCWD, CLOCK_ID_MAX } from "./signature";
import type { SyscallCall } from "./syscall-call";
import { readUserString } from "./user-memory";

const TWO_POW_32 = 4294967296;
const SAFE_HIGH_MAX = 0x1fffff;

/** Decoded argument values, or the -errno the rules give. */
export type ReferenceOutcome = { readonly values: (number | string)[] } | { readonly errno: number };

function decodeOne(
  spec: ArgSpec,
  low: number,
  high: number,
  isLength: boolean,
  userEnd: number,
  call: SyscallCall,
): number | string | { errno: number } {
  const signedLow = low | 0;
  switch (spec.kind) {
    case ARG_KIND.INT: {
      if (spec.bits !== 64) return (low << (32 - spec.bits)) >> (32 - spec.bits);
      const signedHigh = high | 0;
      if (signedHigh > SAFE_HIGH_MAX || signedHigh < -SAFE_HIGH_MAX - 1) return { errno: ERRNO.EINVAL };
      return signedHigh * TWO_POW_32 + low;
    }
    case ARG_KIND.UINT:
      if (spec.bits === 64) return high > SAFE_HIGH_MAX ? { errno: ERRNO.EINVAL } : high * TWO_POW_32 + low;
      return spec.bits === 32 ? low : low & (2 ** spec.bits - 1);
    case ARG_KIND.FD:
      return signedLow < 0 ? { errno: ERRNO.EBADF } : signedLow;
    case ARG_KIND.DIRFD:
      return signedLow < 0 && signedLow !== AT_FDCWD ? { errno: ERRNO.EBADF } : signedLow;
    case ARG_KIND.POINTER:
    case ARG_KIND.STRING: {
      if (high > 32767) return { errno: ERRNO.EFAULT };
      const address = high * TWO_POW_32 + low;
      if (address >= userEnd) return { errno: ERRNO.EFAULT };
      if (spec.kind === ARG_KIND.POINTER) {
        return spec.size > 0 && address + spec.size > userEnd ? { errno: ERRNO.EFAULT } : address;
      }
      if (call.memory === null) return { errno: ERRNO.EFAULT };
      const text = readUserString(call.memory, address, spec.maxLength);
      return typeof text === "number" ? { errno: -text } : text;
    }
    case ARG_KIND.FLAGS:
      return (low & ~spec.mask) !== 0 ? { errno: ERRNO.EINVAL } : low;
    case ARG_KIND.PID:
      return signedLow;
    case ARG_KIND.CLOCK_ID:
      return signedLow < 0 || signedLow > CLOCK_ID_MAX || signedLow === 10
        ? { errno: ERRNO.EINVAL }
        : signedLow;
    case ARG_KIND.SIZE: {
      const tooLarge = isLength ? ERRNO.EFAULT : ERRNO.EINVAL;
      if (high > SAFE_HIGH_MAX) return { errno: tooLarge };
      const value = high * TWO_POW_32 + low;
      return value > spec.max ? { errno: tooLarge } : value;
    }
    case ARG_KIND.MODE:
      return low & 0o7777;
    case ARG_KIND.SIGNAL:
      return signedLow < 0 || signedLow > 64 ? { errno: ERRNO.EINVAL } : signedLow;
    case ARG_KIND.RAW:
      return high > SAFE_HIGH_MAX ? Number.NaN : high * TWO_POW_32 + low;
  }
}

/** Applies the rules of `args` to the registers in `regs`. */
export function referenceValidate(
  args: readonly ArgSpec[],
  regs: Uint32Array,
  call: SyscallCall,
  userEnd: number,
): ReferenceOutcome {
  const lengths = new Set(
    args.flatMap((spec) => (spec.kind === ARG_KIND.POINTER && spec.lengthArg >= 0 ? [spec.lengthArg] : [])),
  );
  const values: (number | string)[] = [];
  for (let index = 0; index < args.length; index++) {
    const slot = ARGUMENT_REGISTERS[index]!;
    const value = decodeOne(
      args[index]!,
      regs[slot * 2]!,
      regs[slot * 2 + 1]!,
      lengths.has(index),
      userEnd,
      call,
    );
    if (typeof value === "object") return { errno: value.errno };
    values.push(value);
  }
  for (let index = 0; index < args.length; index++) {
    const spec = args[index]!;
    if (spec.kind !== ARG_KIND.POINTER || spec.lengthArg < 0) continue;
    if ((values[index] as number) + (values[spec.lengthArg] as number) > userEnd)
      return { errno: ERRNO.EFAULT };
  }
  return { values };
}
