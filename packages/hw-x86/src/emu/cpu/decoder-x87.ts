/**
 * The x87 escape opcodes D8–DF and FWAIT (9B) (SDM vol 2 appendix A.4,
 * tables ). Memory forms select the operation by ModRM.reg;
 * register forms by the whole ModRM byte. Reserved encodings, and the
 * undocumented aliases (FCOM2, FCOMP3/5, FXCH4/7, FSTP1/8/9, FFREEP), are
 * invalid (#UD). FNENI, FNDISI and FNSETPM (DB E0, E1, E4) are no-ops on
 * 387 and later processors and decode as such.
 */
import { state } from "./decoder";
import { OP, X87_FWAIT } from "./ops";

/** Valid register-form ModRM bytes (C0–FF, index − 0xC0) per escape, as 64-bit masks in two words. */
const REGISTER_FORMS: readonly (readonly [number, number])[] = [
  // D8: everything (FADD … FDIVR ST0, ST(i)).
  [0xffffffff, 0xffffffff],
  // D9: C0–CF, D0, E0 E1 E4 E5, E8–EE, F0–FF.
  [0x0001ffff, 0xffff7f33],
  // DA: C0–DF, E9.
  [0xffffffff, 0x00000200],
  // DB: C0–DF, E0–E4, E8–F7.
  [0xffffffff, 0x00ffff1f],
  // DC: C0–CF, E0–FF.
  [0x0000ffff, 0xffffffff],
  // DD: C0–C7, D0–DF, E0–EF.
  [0xffff00ff, 0x0000ffff],
  // DE: C0–CF, D9, E0–FF.
  [0x0200ffff, 0xffffffff],
  // DF: E0, E8–F7.
  [0x00000000, 0x00ffff01],
];

/** Memory forms: bit n set when ModRM.reg = n is valid, per escape. */
const MEMORY_FORMS = [0xff, 0xfd, 0xff, 0xaf, 0xff, 0xdf, 0xff, 0xff] as const;

/** Decodes escape `opcode` (D8–DF) given its ModRM byte; false for an invalid encoding. */
export function decodeX87(opcode: number, modrm: number): boolean {
  const escapeIndex = opcode - 0xd8;
  if (modrm >>> 6 === 3) {
    const index = modrm - 0xc0;
    const word = REGISTER_FORMS[escapeIndex]![index >>> 5]!;
    if (((word >>> (index & 31)) & 1) === 0) return false;
  } else if (((MEMORY_FORMS[escapeIndex]! >>> ((modrm >>> 3) & 7)) & 1) === 0) return false;
  state.op = OP.X87;
  state.aux = escapeIndex;
  state.modrm = true;
  return true;
}

/** FWAIT / WAIT (9B). */
export function decodeFwait(): boolean {
  state.op = OP.X87;
  state.aux = X87_FWAIT;
  return true;
}
