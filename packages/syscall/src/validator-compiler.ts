/**
 * Compiles a signature into one JavaScript function per table entry at
 * registration (`new Function`), so a call pays for exactly its own checks:
 * straight-line register reads, comparisons and the handler call, with no
 * walk over the signature, no allocation and no `bigint` (64-bit values
 * are read as two 32-bit words and combined only below 2^53).
 *
 * The rules are signature.ts's table. Checks run in argument order and the
 * first failure answers; the range check of a pointer whose length is a
 * later argument runs after all arguments are decoded (then in pointer
 * order). reference-validator.ts states the same rules as a plain loop;
 * the property tests hold the two equal.
 */
import { ERRNO } from "./abi/errno";
import { ARGUMENT_REGISTERS } from "./abi/registers";
import { ARG_KIND, type ArgSpec, AT_FDCWD, CLOCK_ID_MAX } from "./signature";
import type { SyscallCall } from "./syscall-call";
import { readUserString } from "./user-memory";

/** An entry's compiled validate-and-call function. */
export type CompiledEntry = (call: SyscallCall, regs: Uint32Array) => number;

/** A handler as the compiled code calls it (values are numbers, or strings for string arguments). */
export type LooseHandler = (call: SyscallCall, ...args: (number | string)[]) => number;

/** Unused clock id between CLOCK_BOOTTIME_ALARM and CLOCK_TAI (CLOCK_SGI_CYCLE, removed from Linux). */
const CLOCK_UNUSED = 10;
const SIGNAL_MAX = 64;
const SAFE_HIGH_MAX = 0x1fffff;

/** Source statements decoding argument `index` into `a<index>` (returning -errno on failure). */
function decodeText(spec: ArgSpec, index: number, userEnd: number, isLength: boolean): string {
  const low = `regs[${ARGUMENT_REGISTERS[index]! * 2}]`;
  const high = `regs[${ARGUMENT_REGISTERS[index]! * 2 + 1}]`;
  const a = `a${index}`;
  switch (spec.kind) {
    case ARG_KIND.INT:
      if (spec.bits === 64) {
        return `h = ${high} | 0; if (h > ${SAFE_HIGH_MAX} || h < ${-SAFE_HIGH_MAX - 1}) return ${-ERRNO.EINVAL}; const ${a} = h * 4294967296 + ${low};`;
      }
      if (spec.bits === 32) return `const ${a} = ${low} | 0;`;
      return `const ${a} = (${low} << ${32 - spec.bits}) >> ${32 - spec.bits};`;
    case ARG_KIND.UINT:
      if (spec.bits === 64) {
        return `h = ${high}; if (h > ${SAFE_HIGH_MAX}) return ${-ERRNO.EINVAL}; const ${a} = h * 4294967296 + ${low};`;
      }
      if (spec.bits === 32) return `const ${a} = ${low};`;
      return `const ${a} = ${low} & ${2 ** spec.bits - 1};`;
    case ARG_KIND.FD:
      return `const ${a} = ${low} | 0; if (${a} < 0) return ${-ERRNO.EBADF};`;
    case ARG_KIND.DIRFD:
      return `const ${a} = ${low} | 0; if (${a} < 0 && ${a} !== ${AT_FDCWD}) return ${-ERRNO.EBADF};`;
    case ARG_KIND.POINTER:
    case ARG_KIND.STRING: {
      const pointer = `h = ${high}; if (h > 32767) return ${-ERRNO.EFAULT}; const ${a}${spec.kind === ARG_KIND.STRING ? "p" : ""} = h * 4294967296 + ${low};`;
      const name = spec.kind === ARG_KIND.STRING ? `${a}p` : a;
      const bound = `if (${name} >= ${userEnd}) return ${-ERRNO.EFAULT};`;
      const size =
        spec.kind === ARG_KIND.POINTER && spec.size > 0
          ? ` if (${name} + ${spec.size} > ${userEnd}) return ${-ERRNO.EFAULT};`
          : "";
      if (spec.kind === ARG_KIND.POINTER) return `${pointer} ${bound}${size}`;
      return `${pointer} ${bound} if (call.memory === null) return ${-ERRNO.EFAULT}; const ${a} = readUserString(call.memory, ${name}, ${spec.maxLength}); if (typeof ${a} === "number") return ${a};`;
    }
    case ARG_KIND.FLAGS:
      return `const ${a} = ${low}; if ((${a} & ${~spec.mask}) !== 0) return ${-ERRNO.EINVAL};`;
    case ARG_KIND.PID:
      return `const ${a} = ${low} | 0;`;
    case ARG_KIND.CLOCK_ID:
      return `const ${a} = ${low} | 0; if (${a} < 0 || ${a} > ${CLOCK_ID_MAX} || ${a} === ${CLOCK_UNUSED}) return ${-ERRNO.EINVAL};`;
    case ARG_KIND.SIZE: {
      const tooLarge = isLength ? -ERRNO.EFAULT : -ERRNO.EINVAL;
      const max = spec.max < Number.MAX_SAFE_INTEGER ? ` if (${a} > ${spec.max}) return ${tooLarge};` : "";
      return `h = ${high}; if (h > ${SAFE_HIGH_MAX}) return ${tooLarge}; const ${a} = h * 4294967296 + ${low};${max}`;
    }
    case ARG_KIND.MODE:
      return `const ${a} = ${low} & 4095;`;
    case ARG_KIND.SIGNAL:
      return `const ${a} = ${low} | 0; if (${a} < 0 || ${a} > ${SIGNAL_MAX}) return ${-ERRNO.EINVAL};`;
    case ARG_KIND.RAW:
      return `h = ${high}; const ${a} = h > ${SAFE_HIGH_MAX} ? NaN : h * 4294967296 + ${low};`;
  }
}

/** Indices of arguments that are some pointer's length. */
function lengthArguments(args: readonly ArgSpec[]): Set<number> {
  const lengths = new Set<number>();
  for (const spec of args)
    if (spec.kind === ARG_KIND.POINTER && spec.lengthArg >= 0) lengths.add(spec.lengthArg);
  return lengths;
}

/** The source of the entry function for `args` (exposed for tests and documentation). */
export function validatorSource(name: string, args: readonly ArgSpec[], userEnd: number): string {
  const lengths = lengthArguments(args);
  const decode = args.map((spec, index) => decodeText(spec, index, userEnd, lengths.has(index)));
  const ranges = args.flatMap((spec, index) =>
    spec.kind === ARG_KIND.POINTER && spec.lengthArg >= 0
      ? [`if (a${index} + a${spec.lengthArg} > ${userEnd}) return ${-ERRNO.EFAULT};`]
      : [],
  );
  const values = args.map((_, index) => `, a${index}`).join("");
  const safeName = name.replace(/[^A-Za-z0-9_]/g, "_");
  return `"use strict";
return function validate_${safeName}(call, regs) {
let h = 0;
${decode.join("\n")}
${ranges.join("\n")}
return handler(call${values});
};`;
}

/** Compiles the validate-and-call function of one entry. */
export function compileEntry(
  name: string,
  args: readonly ArgSpec[],
  handler: LooseHandler,
  userEnd: number,
): CompiledEntry {
  const factory = new Function("handler", "readUserString", validatorSource(name, args, userEnd)) as (
    handler: LooseHandler,
    read: typeof readUserString,
  ) => CompiledEntry;
  return factory(handler, readUserString);
}
