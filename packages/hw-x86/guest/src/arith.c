/*
 * arith: integer arithmetic at every width.
 *
 * Exercises add/sub/mul/div/mod (signed and unsigned, 8/16/32/64 bits, edge
 * values; division by zero and MIN / -1 are never executed), overflow and
 * carry detection, shifts and rotates, sign and zero extension, 128-bit
 * multiply via __int128, popcount/clz/ctz/bswap/parity builtins, then a
 * checksum over a stream of xorshift-driven mixed operations.
 * Usage: arith [mixed-operation count, default 2000000]
 * Exit status: number of failed known-answer checks (0 when correct).
 * Only well-defined C: signed wrap-around goes through unsigned arithmetic.
 */
#include "rt.h"

static u64 fold(u64 acc, u64 value) { return rotl64(acc, 7) ^ (value + 0x9e3779b97f4a7c15UL); }

static const u64 edges[] = {
    0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x12345678,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000UL, 0x123456789abcdef0UL, 0x7fffffffffffffffUL,
    0x8000000000000000UL, 0xfffffffffffffffeUL, 0xffffffffffffffffUL, 0xdeadbeefcafebabeUL,
};
#define EDGE_COUNT (sizeof edges / sizeof edges[0])

#define WIDTH_TESTS(NAME, UT, ST, BITS, SMIN)                                        \
  static u64 NAME(void) {                                                            \
    u64 acc = BITS;                                                                  \
    for (usize i = 0; i < EDGE_COUNT; i++) {                                         \
      for (usize j = 0; j < EDGE_COUNT; j++) {                                       \
        UT ua = (UT)edges[i], ub = (UT)edges[j];                                     \
        ST sa = (ST)ua, sb = (ST)ub;                                                 \
        acc = fold(acc, (UT)(ua + ub));                                              \
        acc = fold(acc, (UT)(ua - ub));                                              \
        acc = fold(acc, (UT)((u64)ua * (u64)ub));                                    \
        acc = fold(acc, (UT)(ua & ub) ^ (UT)(ua | ub) << 1 ^ (UT)(ua ^ ub) << 2);    \
        acc = fold(acc, (u64)((ua < ub) | (ua <= ub) << 1 | (ua == ub) << 2));       \
        acc = fold(acc, (u64)((sa < sb) | (sa <= sb) << 1 | (sa > sb) << 2));        \
        UT wrapped;                                                                  \
        acc = fold(acc, (u64)__builtin_add_overflow(ua, ub, &wrapped) + wrapped);    \
        acc = fold(acc, (u64)__builtin_sub_overflow(ua, ub, &wrapped) + wrapped);    \
        acc = fold(acc, (u64)__builtin_mul_overflow(ua, ub, &wrapped) + wrapped);    \
        ST swrapped;                                                                 \
        acc = fold(acc, (u64)__builtin_add_overflow(sa, sb, &swrapped) + (UT)swrapped); \
        acc = fold(acc, (u64)__builtin_mul_overflow(sa, sb, &swrapped) + (UT)swrapped); \
        if (ub != 0) {                                                               \
          acc = fold(acc, (UT)(ua / ub));                                            \
          acc = fold(acc, (UT)(ua % ub));                                            \
          if (!(sa == (ST)(SMIN) && sb == -1)) {                                     \
            acc = fold(acc, (UT)(ST)(sa / sb));                                      \
            acc = fold(acc, (UT)(ST)(sa % sb));                                      \
          }                                                                          \
        }                                                                            \
        unsigned count = (unsigned)(edges[j] % BITS);                                \
        acc = fold(acc, (UT)(ua << count));                                          \
        acc = fold(acc, (UT)(ua >> count));                                          \
        acc = fold(acc, (UT)(ST)(sa >> count));                                      \
        acc = fold(acc, (UT)((UT)(ua << count) | (UT)(ua >> ((BITS - count) % BITS)))); \
        acc = fold(acc, (u64)(i64)sa ^ (u64)ua << 1);                                \
      }                                                                              \
    }                                                                                \
    return acc;                                                                      \
  }

WIDTH_TESTS(width8, u8, i8, 8, -128)
WIDTH_TESTS(width16, u16, i16, 16, -32768)
WIDTH_TESTS(width32, u32, i32, 32, (-2147483647 - 1))
WIDTH_TESTS(width64, u64, i64, 64, (-9223372036854775807L - 1))

static int known_answers(void) {
  int failures = 0;
  volatile i64 a = -7, b = 2;
  failures += print_check("idiv-trunc", a / b == -3 && a % b == -1);
  volatile i32 c = -2147483647 - 1, d = 1;
  failures += print_check("int-min-div-1", c / d == c);
  volatile u64 big = 0xffffffffffffffffUL, three = 3;
  failures += print_check("udiv64", big / three == 0x5555555555555555UL && big % three == 0);
  volatile u8 byte = 0x80;
  failures += print_check("sext8", (i64)(i8)byte == -128 && (u64)byte == 128);
  volatile u16 half = 0x8001;
  failures += print_check("sext16", (i64)(i16)half == -32767);
  volatile u32 word = 0x80000000u;
  failures += print_check("sext32", (i64)(i32)word == -2147483648L && (u64)word == 0x80000000UL);
  volatile i64 neg = -1;
  failures += print_check("sar64", (neg >> 63) == -1 && ((u64)neg >> 63) == 1);
  return failures;
}

static u64 wide_multiply(int *failures) {
  volatile u64 x = 0xffffffffffffffffUL, y = 0xffffffffffffffffUL;
  unsigned __int128 p = (unsigned __int128)x * y;
  *failures += print_check("mul128-u", (u64)(p >> 64) == 0xfffffffffffffffeUL && (u64)p == 1);
  volatile i64 s = -3, t = 0x4000000000000000L;
  __int128 q = (__int128)s * t;
  *failures += print_check("mul128-s", (u64)((unsigned __int128)q >> 64) == 0xffffffffffffffffUL &&
                                            (u64)q == 0x4000000000000000UL);
  u64 acc = 0, state = 0x2545f4914f6cdd1dUL;
  unsigned __int128 sum = 0;
  for (int i = 0; i < 1000; i++) {
    u64 m = xorshift64(&state), n = xorshift64(&state);
    unsigned __int128 prod = (unsigned __int128)m * n;
    sum += prod;
    acc = fold(acc, (u64)(prod >> 64) ^ (u64)prod);
  }
  acc = fold(acc, (u64)(sum >> 64));
  return fold(acc, (u64)sum);
}

static u64 bit_ops(int *failures) {
  volatile u64 v = 0x00f0000000000100UL;
  *failures += print_check("popcount", __builtin_popcountll(v) == 5 && __builtin_popcount(0xffu) == 8);
  *failures += print_check("clz-ctz", __builtin_clzll(v) == 8 && __builtin_ctzll(v) == 8 &&
                                          __builtin_clz(1u) == 31 && __builtin_ctz(0x80000000u) == 31);
  *failures += print_check("bswap", __builtin_bswap64(0x0102030405060708UL) == 0x0807060504030201UL &&
                                        __builtin_bswap32(0xaabbccddu) == 0xddccbbaau);
  *failures += print_check("parity", __builtin_parityll(v) == 1 && __builtin_parity(3u) == 0);
  u64 acc = 0, state = 0x9e3779b97f4a7c15UL;
  for (int i = 0; i < 4000; i++) {
    u64 x = xorshift64(&state) >> (i % 64);
    if (x == 0) x = 1;
    acc = fold(acc, (u64)__builtin_popcountll(x) | (u64)__builtin_clzll(x) << 8 |
                        (u64)__builtin_ctzll(x) << 16 | (u64)__builtin_parityll(x) << 24);
    acc = fold(acc, __builtin_bswap64(x) ^ __builtin_bswap32((u32)x) ^ __builtin_bswap16((u16)x));
  }
  return acc;
}

/* One mixed operation chosen by the low bits of r; the acc feeds the operands. */
static u64 mixed_step(u64 acc, u64 r) {
  u64 a = acc ^ r, b = (r >> 17) | 1;
  switch (r & 15) {
    case 0: return a + b;
    case 1: return a - (b << 3);
    case 2: return a * b;
    case 3: return a / b;
    case 4: return a % b;
    case 5: return (u64)((i64)a / (i64)(b | 2));
    case 6: return (u64)((i64)a % (i64)(b | 2));
    case 7: return (u64)(u32)((u32)a * (u32)b + (u32)(a >> 32));
    case 8: return (u64)((u32)a / ((u32)b | 1)) << 7;
    case 9: return (u64)(i64)(i32)((u32)a >> (b & 31));
    case 10: return (u64)(u16)((u32)(u16)a * (u16)b) | (u64)(u8)((u8)a + (u8)b) << 16;
    case 11: return rotl64(a, (unsigned)b);
    case 12: return (u64)((i64)a >> (b & 63));
    case 13: return a ^ (u64)__builtin_popcountll(b);
    case 14: return (u64)(i16)a * (u64)(i8)b;
    default: return (a < b ? a : b) + ((i64)a < (i64)b);
  }
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 count = arg_u64(argc, argv, 1, 2000000);
  int failures = known_answers();
  print_kv_hex("width8", width8());
  print_kv_hex("width16", width16());
  print_kv_hex("width32", width32());
  print_kv_hex("width64", width64());
  print_kv_hex("mul128", wide_multiply(&failures));
  print_kv_hex("bits", bit_ops(&failures));
  u64 acc = 1, state = 88172645463325252UL;
  for (u64 i = 0; i < count; i++) acc = fold(acc, mixed_step(acc, xorshift64(&state)));
  print_kv_u64("mixed-count", count);
  print_kv_hex("mixed", acc);
  print_kv_u64("failures", (u64)failures);
  return failures;
}
