/**
 * The benchmark's "generic schema-walking validation": the same rules as the
 * compiled validators (signature.ts), applied by a loop over the signature
 * with a `switch` on each argument's kind, writing decoded values into a
 * preallocated array — so it allocates nothing either, and the comparison
 * measures only what compiling the checks saves. String arguments are not
 * supported here (the benchmarked signatures have none).
 */
import { ERRNO } from "../src/abi/errno";
import { ARGUMENT_REGISTERS } from "../src/abi/registers";
import { ARG_KIND, type ArgSpec, AT_FDCWD } from "../src/signature";

const TWO_POW_32 = 4294967296;
const SAFE_HIGH_MAX = 0x1fffff;

/** Decodes `args` from `regs` into `values`; returns 0, or -errno for the first failing argument. */
export function genericValidate(
  args: readonly ArgSpec[],
  regs: Uint32Array,
  values: Float64Array,
  userEnd: number,
): number {
  for (let index = 0; index < args.length; index++) {
    const spec = args[index]!;
    const slot = ARGUMENT_REGISTERS[index]!;
    const low = regs[slot * 2]!;
    const high = regs[slot * 2 + 1]!;
    switch (spec.kind) {
      case ARG_KIND.FD:
        if ((low | 0) < 0) return -ERRNO.EBADF;
        values[index] = low | 0;
        break;
      case ARG_KIND.DIRFD:
        if ((low | 0) < 0 && (low | 0) !== AT_FDCWD) return -ERRNO.EBADF;
        values[index] = low | 0;
        break;
      case ARG_KIND.POINTER: {
        if (high > 32767) return -ERRNO.EFAULT;
        const address = high * TWO_POW_32 + low;
        if (address >= userEnd || (spec.size > 0 && address + spec.size > userEnd)) return -ERRNO.EFAULT;
        values[index] = address;
        break;
      }
      case ARG_KIND.SIZE: {
        const tooLarge = isLength(args, index) ? -ERRNO.EFAULT : -ERRNO.EINVAL;
        if (high > SAFE_HIGH_MAX) return tooLarge;
        const value = high * TWO_POW_32 + low;
        if (value > spec.max) return tooLarge;
        values[index] = value;
        break;
      }
      case ARG_KIND.FLAGS:
        if ((low & ~spec.mask) !== 0) return -ERRNO.EINVAL;
        values[index] = low;
        break;
      case ARG_KIND.INT:
      case ARG_KIND.PID:
        values[index] = low | 0;
        break;
      default:
        values[index] = low;
    }
  }
  for (let index = 0; index < args.length; index++) {
    const spec = args[index]!;
    if (
      spec.kind === ARG_KIND.POINTER &&
      spec.lengthArg >= 0 &&
      values[index]! + values[spec.lengthArg]! > userEnd
    ) {
      return -ERRNO.EFAULT;
    }
  }
  return 0;
}

function isLength(args: readonly ArgSpec[], index: number): boolean {
  for (const spec of args) if (spec.kind === ARG_KIND.POINTER && spec.lengthArg === index) return true;
  return false;
}
