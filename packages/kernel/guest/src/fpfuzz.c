/*
 * Random differential test of the x87 and SSE/SSE2 floating-point units.
 *
 *
 * For each case, driven only by xorshift64(seed): a random FXSAVE image
 * (x87 stack contents and tags, FCW with random rounding and precision
 * control, MXCSR with random rounding, DAZ and FTZ, XMM0–7 full of NaNs,
 * infinities, zeros, denormals, integers near 2^31/2^63, halfway ties and
 * random bits), random GPRs, RFLAGS and a 256-byte memory operand area,
 * then 1–24 random instructions, assembled into an RWX page and called.
 * The code starts with FXRSTOR and ends by storing FXSAVE, RFLAGS and the
 * GPRs it may write; the case's hash (FNV-1a 64) covers all of them and the
 * memory area. Every exception stays masked (FLDCW/LDMXCSR only load
 * control words with all masks set), so nothing traps.
 *
 * Output: one line per 10 cases — the hash of their hashes — so a mismatch
 * is narrowed to 10 cases; with `verbose-from` = N, cases from N on print
 * their code bytes and full dump too (run natively and under tsos, diff);
 * with `trace` = N, case N also prints the state after each of its
 * instructions, which pins a difference to one instruction.
 *
 * usage: fpfuzz [seed] [cases] [verbose-from] [trace]
 *
 * Not generated, because the architecture leaves their results open:
 * the transcendental instructions and RCPPS/RSQRTPS (implementation-
 * specific approximations), FBLD of invalid digits; FOP/FIP/FDP are left
 * out of the hash (the emulator does not track them) as is MXCSR_MASK.
 */
#include "rt.h"

enum {
  PROT_RWX = 7,
  MAP_PRIVATE_ANONYMOUS = 0x22,
  /* Offsets from the base register RDI (which points at data + 128). */
  OPERANDS = -128,    /* 256 bytes of memory operands: disp8 -128..127 */
  CONTROL = -128,     /* first 32 bytes: FCW and MXCSR values with every exception masked */
  INIT_IMAGE = 256,   /* FXRSTOR source */
  DUMP_IMAGE = 1024,  /* FXSAVE destination */
  GPR_AREA = 1792,    /* rax, rcx, rdx, rsi in, then out */
  FLAGS_IN = 1856,
  FLAGS_OUT = 1864,
  MXCSR_CLEAN = 1872,
  DATA_BYTES = 4096,
};

static u8 data_storage[DATA_BYTES] __attribute__((aligned(64)));
#define BASE (data_storage + 128)

static u64 rng;
static u8 *code;
static usize code_length;

static u64 next(void) { return xorshift64(&rng); }
static u32 below(u32 n) { return (u32)(next() % n); }

static void emit(u8 byte) { code[code_length++] = byte; }
static void emit32(u32 value) {
  for (int i = 0; i < 4; i++) emit((u8)(value >> (8 * i)));
}

/* ---- interesting values ---- */

static u64 random_double(void) {
  u64 sign = (u64)below(2) << 63;
  switch (below(16)) {
  case 0: return sign;                                   /* ±0 */
  case 1: return sign | 0x7ff0000000000000UL;            /* ±inf */
  case 2: return sign | 0x7ff8000000000000UL | (next() & 0x7ffffffffffffUL); /* QNaN */
  case 3: return sign | 0x7ff0000000000001UL | (next() & 0x7ffffffffffffUL); /* SNaN */
  case 4: return sign | (next() & 0xfffffffffffffUL);    /* denormal */
  case 5: return sign | 0x0010000000000000UL;            /* smallest normal */
  case 6: return sign | ((u64)(1023 + 63) << 52) | (next() & 0xfUL);     /* near 2^63 */
  case 7: return sign | ((u64)(1023 + 31) << 52) | (next() & 0xfUL << 20); /* near 2^31 */
  case 8: return sign | ((u64)(1023 + below(8)) << 52) | (0x8000000000000UL >> below(4)); /* ties */
  case 9: return sign | 0x3ff0000000000000UL;            /* ±1 */
  case 10: return sign | 0x7fefffffffffffffUL;           /* max */
  case 11: return sign | ((u64)(1 + below(60)) << 52) | (next() & 0xfffffffffffffUL); /* tiny */
  case 12: return sign | ((u64)(2000 + below(46)) << 52) | (next() & 0xfffffffffffffUL); /* huge */
  default: return sign | ((u64)(1000 + below(48)) << 52) | (next() & 0xfffffffffffffUL);
  }
}

static u32 random_float(void) {
  u32 sign = below(2) << 31;
  switch (below(14)) {
  case 0: return sign;
  case 1: return sign | 0x7f800000;
  case 2: return sign | 0x7fc00000 | (u32)(next() & 0x3fffff);
  case 3: return sign | 0x7f800001 | (u32)(next() & 0x3fffff);
  case 4: return sign | (u32)(next() & 0x7fffff);
  case 5: return sign | 0x00800000;
  case 6: return sign | ((127 + 31) << 23) | (u32)(next() & 0xf);
  case 7: return sign | ((127 + below(8)) << 23) | (0x400000 >> below(3));
  case 8: return sign | 0x3f800000;
  case 9: return sign | 0x7f7fffff;
  case 10: return sign | ((1 + below(20)) << 23) | (u32)(next() & 0x7fffff);
  default: return sign | ((110 + below(40)) << 23) | (u32)(next() & 0x7fffff);
  }
}

/* An 80-bit value: significand, sign/exponent. */
static void random_extended(u8 *at) {
  u64 significand;
  u16 exponent;
  u16 sign = (u16)(below(2) << 15);
  switch (below(14)) {
  case 0: significand = 0; exponent = 0; break;
  case 1: significand = 1UL << 63; exponent = 0x7fff; break;
  case 2: significand = (3UL << 62) | (next() >> 2); exponent = 0x7fff; break;
  case 3: significand = (1UL << 63) | ((next() >> 2) | 1); exponent = 0x7fff; break;
  case 4: significand = next() >> 1; exponent = 0; break; /* denormal */
  case 5: significand = 1UL << 63; exponent = 0x3fff; break;
  case 6: significand = (1UL << 63) | (next() & 0xff); exponent = (u16)(0x3fff + 62 + below(3)); break;
  case 7: significand = (1UL << 63) | (1UL << (62 - below(8))); exponent = (u16)(0x3fff + below(8)); break;
  case 8: significand = (1UL << 63) | next(); exponent = (u16)(1 + below(30)); break;
  case 9: significand = (1UL << 63) | next(); exponent = (u16)(0x7ffe - below(30)); break;
  case 10: { /* a binary64 value widened: exercises PC and store rounding ties */
    significand = (1UL << 63) | (next() & ~0x7ffUL);
    exponent = (u16)(0x3fff - 40 + below(80));
    break;
  }
  default: significand = (1UL << 63) | next(); exponent = (u16)(0x3fff - 64 + below(128)); break;
  }
  memcpy(at, &significand, 8);
  exponent |= sign;
  memcpy(at + 8, &exponent, 2);
}

static u16 random_fcw(void) {
  static const u16 precision[3] = {0x000, 0x200, 0x300};
  return (u16)(0x3f | 0x40 | precision[below(3)] | (below(4) << 10));
}

static u32 random_mxcsr(void) {
  u32 value = 0x1f80 | (below(4) << 13);
  if (below(6) == 0) value |= 0x40;    /* DAZ */
  if (below(6) == 0) value |= 0x8000;  /* FTZ */
  return value;
}

/* ---- the initial state ---- */

static void fill_state(void) {
  u8 *image = BASE + INIT_IMAGE;
  memset(image, 0, 512);
  u16 fcw = below(3) == 0 ? 0x37f : random_fcw();
  memcpy(image, &fcw, 2);
  u32 depth = below(9);
  u32 top = below(8);
  u16 fsw = (u16)((((top - depth) & 7) << 11));
  memcpy(image + 2, &fsw, 2);
  /* Abridged tags: physical registers top-depth .. top-1 are full (ST0 .. ST(depth-1)). */
  u8 tags = 0;
  for (u32 i = 0; i < depth; i++) tags |= (u8)(1 << ((top - depth + i) & 7));
  image[4] = tags;
  for (int i = 0; i < 8; i++) random_extended(image + 32 + 16 * i);
  u32 mxcsr = below(3) == 0 ? 0x1f80 : random_mxcsr();
  memcpy(image + 24, &mxcsr, 4);
  for (int r = 0; r < 8; r++) {
    u8 *xmm = image + 160 + 16 * r;
    if (below(2) == 0) {
      for (int lane = 0; lane < 2; lane++) {
        u64 value = random_double();
        memcpy(xmm + 8 * lane, &value, 8);
      }
    } else {
      for (int lane = 0; lane < 4; lane++) {
        u32 value = random_float();
        memcpy(xmm + 4 * lane, &value, 4);
      }
    }
  }
  u8 *operands = BASE + OPERANDS;
  for (int slot = 0; slot < 256; slot += 16) {
    switch (below(4)) {
    case 0: {
      u64 a = random_double(), b = random_double();
      memcpy(operands + slot, &a, 8);
      memcpy(operands + slot + 8, &b, 8);
      break;
    }
    case 1:
      for (int lane = 0; lane < 4; lane++) {
        u32 value = random_float();
        memcpy(operands + slot + 4 * lane, &value, 4);
      }
      break;
    case 2:
      random_extended(operands + slot);
      break;
    default: {
      u64 a = next(), b = next() >> below(64);
      memcpy(operands + slot, &a, 8);
      memcpy(operands + slot + 8, &b, 8);
    }
    }
  }
  /* Control words at CONTROL: FCW at 0, 2, 4, 6; MXCSR at 8, 12, 16, 20. */
  for (int i = 0; i < 4; i++) {
    u16 control = random_fcw();
    memcpy(operands + 2 * i, &control, 2);
    u32 mx = random_mxcsr();
    memcpy(operands + 8 + 4 * i, &mx, 4);
  }
  u64 *gpr = (u64 *)(BASE + GPR_AREA);
  for (int i = 0; i < 4; i++) {
    u64 value = next();
    switch (below(4)) {
    case 0: value = (u64)(i64)(i32)value; break;
    case 1: value &= 0xff; break;
    case 2: value = (u64)-(i64)(value & 0xffff); break;
    default: break;
    }
    gpr[i] = value;
  }
  u64 flags = 0x202 | (next() & 0x8d5);
  memcpy(BASE + FLAGS_IN, &flags, 8);
  u32 clean = 0x1f80;
  memcpy(BASE + MXCSR_CLEAN, &clean, 4);
}

/* ---- instruction generator ---- */

/* A memory operand displacement: 16-byte aligned slots, away from the control words for stores. */
static u8 memory_disp(int store) { return (u8)(store ? 32 + 16 * below(14) : 16 * below(16)) - 128; }

static void modrm_register(u32 reg, u32 rm) { emit((u8)(0xc0 | (reg << 3) | rm)); }
static void modrm_memory(u32 reg, int store) {
  emit((u8)(0x47 | (reg << 3)));
  emit(memory_disp(store));
}

/* The GPRs the code may read and write: rax, rcx, rdx, rsi (encodings 0, 1, 2, 6). */
static u32 random_gpr(void) {
  static const u8 gprs[4] = {0, 1, 2, 6};
  return gprs[below(4)];
}

static void sse_prefix(u32 which) {
  static const u8 prefixes[4] = {0, 0x66, 0xf3, 0xf2};
  if (which != 0) emit(prefixes[which]);
}

static void sse_operand(void) {
  if (below(4) == 0) modrm_memory(below(8), 0);
  else modrm_register(below(8), below(8));
}

static void generate_sse(void) {
  switch (below(12)) {
  case 0: case 1: case 2: { /* arithmetic, min, max, sqrt in all four lane layouts */
    static const u8 ops[7] = {0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f};
    sse_prefix(below(4));
    emit(0x0f); emit(ops[below(7)]);
    sse_operand();
    return;
  }
  case 3: { /* CVTPS2PD/CVTPD2PS/CVTSS2SD/CVTSD2SS, CVTDQ2PS/CVTPS2DQ/CVTTPS2DQ, CVTTPD2DQ/CVTDQ2PD/CVTPD2DQ */
    u32 kind = below(3);
    if (kind == 0) { sse_prefix(below(4)); emit(0x0f); emit(0x5a); }
    else if (kind == 1) { sse_prefix(below(3)); emit(0x0f); emit(0x5b); }
    else { sse_prefix(1 + below(3)); emit(0x0f); emit(0xe6); }
    sse_operand();
    return;
  }
  case 4: /* CMPccPS/PD/SS/SD */
    sse_prefix(below(4));
    emit(0x0f); emit(0xc2);
    sse_operand();
    emit((u8)below(8));
    return;
  case 5: /* (U)COMISS/SD */
    sse_prefix(below(2));
    emit(0x0f); emit((u8)(0x2e + below(2)));
    sse_operand();
    return;
  case 6: { /* CVTSI2SS/SD from a GPR, 32 or 64 bits */
    sse_prefix(2 + below(2));
    if (below(2)) emit(0x48);
    emit(0x0f); emit(0x2a);
    modrm_register(below(8), random_gpr());
    return;
  }
  case 7: { /* CVT[T]SS2SI / CVT[T]SD2SI to a GPR */
    sse_prefix(2 + below(2));
    if (below(2)) emit(0x48);
    emit(0x0f); emit((u8)(0x2c + below(2)));
    if (below(4) == 0) modrm_memory(random_gpr(), 0);
    else modrm_register(random_gpr(), below(8));
    return;
  }
  case 8: { /* logic, unpacks, shuffles */
    static const u8 ops[6] = {0x54, 0x55, 0x56, 0x57, 0x14, 0x15};
    u32 pick = below(7);
    sse_prefix(below(2));
    emit(0x0f);
    if (pick == 6) { emit(0xc6); sse_operand(); emit((u8)next()); return; }
    emit(ops[pick]);
    sse_operand();
    return;
  }
  case 9: /* MOVMSKPS/PD */
    sse_prefix(below(2));
    emit(0x0f); emit(0x50);
    modrm_register(random_gpr(), below(8));
    return;
  case 10: /* MOVSS/MOVSD loads and stores */
    sse_prefix(2 + below(2));
    emit(0x0f);
    if (below(2)) { emit(0x10); sse_operand(); }
    else { emit(0x11); if (below(2)) modrm_memory(below(8), 1); else modrm_register(below(8), below(8)); }
    return;
  default: /* LDMXCSR from a control slot */
    emit(0x0f); emit(0xae);
    emit(0x57); emit((u8)(8 + 4 * below(4) - 128));
    return;
  }
}

static void generate_x87_register(void) {
  static const u8 d9[] = {0xe0, 0xe1, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee,
                          0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xfa, 0xfc, 0xfd};
  u32 i = below(8);
  switch (below(14)) {
  case 0: case 1: emit(0xd8); emit((u8)(0xc0 + 8 * below(8) + i)); return;
  case 2: emit(0xdc); emit((u8)(below(2) ? 0xc0 + 8 * below(2) + i : 0xe0 + 8 * below(4) + i)); return;
  case 3: emit(0xde); if (below(8) == 0) emit(0xd9); else emit((u8)(below(2) ? 0xc0 + 8 * below(2) + i : 0xe0 + 8 * below(4) + i)); return;
  case 4: emit(0xd9); emit((u8)(0xc0 + 8 * below(2) + i)); return; /* FLD ST(i), FXCH */
  case 5: case 6: emit(0xd9); emit(d9[below(sizeof d9)]); return;
  case 7: emit(0xda); emit((u8)(below(8) == 0 ? 0xe9 : 0xc0 + 8 * below(4) + i)); return;
  case 8: emit(0xdb); emit((u8)(below(2) ? 0xc0 + 8 * below(4) + i : 0xe8 + 8 * below(2) + i)); return;
  case 9: emit(0xdd); emit((u8)(0xc0 + (below(4) == 0 ? 0 : 16 + 8 * below(4)) + i)); return;
  case 10: emit(0xdf); emit((u8)(below(8) == 0 ? 0xe0 : 0xe8 + 8 * below(2) + i)); return;
  case 11: emit(0xdb); emit(0xe2); return; /* FNCLEX */
  default: emit(0xd9); emit(0xc0 + i); return;
  }
}

static void generate_x87_memory(void) {
  switch (below(9)) {
  case 0: case 1: emit((u8)(0xd8 + 4 * below(2))); modrm_memory(below(8), 0); return; /* m32fp/m64fp */
  case 2: emit((u8)(0xda + 4 * below(2))); modrm_memory(below(8), 0); return;       /* m32int/m16int */
  case 3: { /* D9: FLD m32, FST(P) m32, FLDCW (control slot), FNSTCW */
    u32 sub = below(5);
    emit(0xd9);
    if (sub == 0) modrm_memory(0, 0);
    else if (sub <= 2) modrm_memory(sub + 1, 1);
    else if (sub == 3) { emit(0x6f); emit((u8)(2 * below(4) - 128)); }
    else modrm_memory(7, 1);
    return;
  }
  case 4: { /* DB: FILD m32, FISTTP, FIST, FISTP m32, FLD m80, FSTP m80 */
    static const u8 subs[6] = {0, 1, 2, 3, 5, 7};
    u32 sub = subs[below(6)];
    emit(0xdb);
    modrm_memory(sub, sub != 0 && sub != 5);
    return;
  }
  case 5: { /* DD: FLD m64, FISTTP m64, FST(P) m64, FNSTSW m16 */
    static const u8 subs[5] = {0, 1, 2, 3, 7};
    u32 sub = subs[below(5)];
    emit(0xdd);
    modrm_memory(sub, sub != 0);
    return;
  }
  default: { /* DF: FILD m16, FISTTP m16, FIST(P) m16, FILD m64, FBSTP, FISTP m64 */
    static const u8 subs[7] = {0, 1, 2, 3, 5, 6, 7};
    u32 sub = subs[below(7)];
    emit(0xdf);
    modrm_memory(sub, sub != 0 && sub != 5);
    return;
  }
  }
}

/* The instructions of the current case, and where each one ends. */
static u8 body[24 * 16];
static usize body_ends[24];
static u32 body_count;

static void generate_body(void) {
  u8 *saved = code;
  code = body;
  code_length = 0;
  body_count = 1 + below(24);
  for (u32 n = 0; n < body_count; n++) {
    switch (below(3)) {
    case 0: generate_sse(); break;
    case 1: generate_x87_register(); break;
    default: generate_x87_memory(); break;
    }
    body_ends[n] = code_length;
  }
  code = saved;
}

/* Assembles prologue, the first `count` instructions of the body, epilogue. */
static void assemble(u32 count) {
  code_length = 0;
  /* fxrstor [rdi + INIT_IMAGE] */
  emit(0x0f); emit(0xae); emit(0x8f); emit32(INIT_IMAGE);
  /* mov rax/rcx/rdx/rsi, [rdi + GPR_AREA + 8k] */
  static const u8 regs[4] = {0, 1, 2, 6};
  for (int k = 0; k < 4; k++) { emit(0x48); emit(0x8b); emit((u8)(0x87 | (regs[k] << 3))); emit32(GPR_AREA + 8 * k); }
  /* push qword [rdi + FLAGS_IN]; popfq */
  emit(0xff); emit(0xb7); emit32(FLAGS_IN); emit(0x9d);
  usize end = count == 0 ? 0 : body_ends[count - 1];
  for (usize i = 0; i < end; i++) emit(body[i]);
  /* pushfq; pop qword [rdi + FLAGS_OUT] */
  emit(0x9c); emit(0x8f); emit(0x87); emit32(FLAGS_OUT);
  /* fxsave [rdi + DUMP_IMAGE] */
  emit(0x0f); emit(0xae); emit(0x87); emit32(DUMP_IMAGE);
  for (int k = 0; k < 4; k++) { emit(0x48); emit(0x89); emit((u8)(0x87 | (regs[k] << 3))); emit32(GPR_AREA + 32 + 8 * k); }
  /* fninit; ldmxcsr [rdi + MXCSR_CLEAN]; ret */
  emit(0xdb); emit(0xe3);
  emit(0x0f); emit(0xae); emit(0x97); emit32(MXCSR_CLEAN);
  emit(0xc3);
}

/* ---- hashing ---- */

static u64 fnv(u64 hash, const u8 *bytes, usize length) {
  for (usize i = 0; i < length; i++) hash = (hash ^ bytes[i]) * 0x100000001b3UL;
  return hash;
}

static u64 case_hash(void) {
  u8 *dump = BASE + DUMP_IMAGE;
  u64 hash = 0xcbf29ce484222325UL;
  hash = fnv(hash, dump, 6);         /* FCW, FSW, abridged FTW (byte 5 reserved: 0) */
  hash = fnv(hash, dump + 24, 4);    /* MXCSR */
  hash = fnv(hash, dump + 32, 128 + 128); /* ST0–ST7, XMM0–XMM7 */
  u64 flags;
  memcpy(&flags, BASE + FLAGS_OUT, 8);
  flags &= 0x8d5;
  hash = fnv(hash, (const u8 *)&flags, 8);
  hash = fnv(hash, BASE + GPR_AREA + 32, 32);
  hash = fnv(hash, BASE + OPERANDS, 256);
  return hash;
}

static void print_hex_bytes(const u8 *bytes, usize length) {
  static const char digits[] = "0123456789abcdef";
  for (usize i = 0; i < length; i++) {
    print_char(digits[bytes[i] >> 4]);
    print_char(digits[bytes[i] & 15]);
  }
}

static void print_case(u64 index) {
  print_str("case ");
  print_u64(index);
  print_str(" code ");
  print_hex_bytes(code, code_length);
  print_str("\n initial fcw/fsw/ftw ");
  print_hex_bytes(BASE + INIT_IMAGE, 6);
  print_str(" mxcsr ");
  print_hex_bytes(BASE + INIT_IMAGE + 24, 4);
  print_str("\n fcw/fsw/ftw ");
  print_hex_bytes(BASE + DUMP_IMAGE, 6);
  print_str(" mxcsr ");
  print_hex_bytes(BASE + DUMP_IMAGE + 24, 4);
  for (int i = 0; i < 8; i++) {
    print_str("\n st");
    print_char((char)('0' + i));
    print_char(' ');
    print_hex_bytes(BASE + DUMP_IMAGE + 32 + 16 * i, 10);
    print_str(" xmm");
    print_char((char)('0' + i));
    print_char(' ');
    print_hex_bytes(BASE + DUMP_IMAGE + 160 + 16 * i, 16);
  }
  print_str("\n flags/gprs ");
  print_hex_bytes(BASE + FLAGS_OUT, 8);
  print_char(' ');
  print_hex_bytes(BASE + GPR_AREA + 32, 32);
  print_str("\n memory ");
  print_hex_bytes(BASE + OPERANDS + 32, 224);
  print_char('\n');
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  rng = arg_u64(argc, argv, 1, 1) * 0x9e3779b97f4a7c15UL + 1;
  u64 cases = arg_u64(argc, argv, 2, 1000);
  u64 verbose_from = arg_u64(argc, argv, 3, ~0UL);
  u64 trace = arg_u64(argc, argv, 4, ~0UL);
  long mapped = sys_mmap(NULL, 4096, PROT_RWX, MAP_PRIVATE_ANONYMOUS, -1, 0);
  if (mapped < 0) {
    print_str("mmap failed\n");
    return 1;
  }
  code = (u8 *)mapped;
  u64 group = 0xcbf29ce484222325UL;
  for (u64 index = 0; index < cases; index++) {
    fill_state();
    generate_body();
    if (index == trace) {
      /* The state after each prefix of the case: where native and emulated first differ. */
      static u8 operands[256];
      memcpy(operands, BASE + OPERANDS, 256);
      for (u32 count = 0; count <= body_count; count++) {
        memcpy(BASE + OPERANDS, operands, 256);
        assemble(count);
        ((void (*)(u8 *))(void *)code)(BASE);
        print_str("after ");
        print_u64(count);
        print_str(": ");
        print_case(index);
      }
    }
    assemble(body_count);
    ((void (*)(u8 *))(void *)code)(BASE);
    u64 hash = case_hash();
    if (index >= verbose_from) print_case(index);
    group = fnv(group, (const u8 *)&hash, 8);
    if (index % 10 == 9 || index + 1 == cases) {
      print_u64(index - index % 10);
      print_char(' ');
      print_hex64(group);
      print_char('\n');
      group = 0xcbf29ce484222325UL;
    }
  }
  return 0;
}
