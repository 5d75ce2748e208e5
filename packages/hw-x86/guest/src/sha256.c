/*
 * sha256: CPU-bound benchmark, SHA-256 (FIPS 180-4) written from the spec.
 *
 * 32-bit rotates, shifts, adds and big-endian loads in the compression
 * function. Known-answer tests cover the empty message, "abc" and the
 * two-block 448-bit message from FIPS 180-4's examples; the benchmark then
 * hashes a 16 KiB buffer `iterations` times, chaining each digest into the
 * buffer.
 * Usage: sha256 [iterations, default 640]
 * Exit status: number of failed known-answer tests (0 when correct).
 */
#include "rt.h"

struct sha256 {
  u32 state[8];
  u8 block[64];
  u64 length;
  usize used;
};

static const u32 round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static u32 rotr32(u32 x, unsigned r) { return (x >> r) | (x << (32 - r)); }

static void compress(u32 *state, const u8 *block) {
  u32 w[64];
  for (int i = 0; i < 16; i++) {
    w[i] = (u32)block[4 * i] << 24 | (u32)block[4 * i + 1] << 16 | (u32)block[4 * i + 2] << 8 | block[4 * i + 3];
  }
  for (int i = 16; i < 64; i++) {
    u32 s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
    u32 s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  u32 a = state[0], b = state[1], c = state[2], d = state[3];
  u32 e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; i++) {
    u32 t1 = h + (rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25)) + ((e & f) ^ (~e & g)) + round_constants[i] + w[i];
    u32 t2 = (rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a, state[1] += b, state[2] += c, state[3] += d;
  state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

static void sha256_init(struct sha256 *ctx) {
  static const u32 initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(ctx->state, initial, sizeof initial);
  ctx->length = 0;
  ctx->used = 0;
}

static void sha256_update(struct sha256 *ctx, const u8 *data, usize len) {
  ctx->length += len;
  while (len > 0) {
    usize take = 64 - ctx->used < len ? 64 - ctx->used : len;
    memcpy(ctx->block + ctx->used, data, take);
    ctx->used += take;
    data += take;
    len -= take;
    if (ctx->used == 64) {
      compress(ctx->state, ctx->block);
      ctx->used = 0;
    }
  }
}

static void sha256_final(struct sha256 *ctx, u8 digest[32]) {
  u64 bits = ctx->length * 8;
  u8 pad = 0x80;
  sha256_update(ctx, &pad, 1);
  pad = 0;
  while (ctx->used != 56) sha256_update(ctx, &pad, 1);
  u8 length_be[8];
  for (int i = 0; i < 8; i++) length_be[i] = (u8)(bits >> (56 - 8 * i));
  sha256_update(ctx, length_be, 8);
  for (int i = 0; i < 32; i++) digest[i] = (u8)(ctx->state[i / 4] >> (24 - 8 * (i % 4)));
}

static void print_digest(const char *name, const u8 digest[32]) {
  print_str(name);
  print_char('=');
  for (int i = 0; i < 32; i++) {
    print_char("0123456789abcdef"[digest[i] >> 4]);
    print_char("0123456789abcdef"[digest[i] & 15]);
  }
  print_char('\n');
}

static int known_answer(const char *name, const char *message, const u8 expected[32]) {
  struct sha256 ctx;
  u8 digest[32];
  sha256_init(&ctx);
  sha256_update(&ctx, (const u8 *)message, strlen(message));
  sha256_final(&ctx, digest);
  print_digest(name, digest);
  return print_check(name, memcmp(digest, expected, 32) == 0);
}

#define BUFFER_SIZE 16384
static u8 buffer[BUFFER_SIZE];

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 iterations = arg_u64(argc, argv, 1, 640);
  static const u8 empty[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                               0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                               0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
  static const u8 abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                             0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                             0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  static const u8 two_block[32] = {0x24, 0x8d, 0x6a, 0x61, 0xd2, 0x06, 0x38, 0xb8, 0xe5, 0xc0, 0x26,
                                   0x93, 0x0c, 0x3e, 0x60, 0x39, 0xa3, 0x3c, 0xe4, 0x59, 0x64, 0xff,
                                   0x21, 0x67, 0xf6, 0xec, 0xed, 0xd4, 0x19, 0xdb, 0x06, 0xc1};
  int failures = 0;
  failures += known_answer("sha256-empty", "", empty);
  failures += known_answer("sha256-abc", "abc", abc);
  failures += known_answer("sha256-two-block", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", two_block);

  for (usize i = 0; i < BUFFER_SIZE; i++) buffer[i] = (u8)(i * 131 + (i >> 8));
  u8 digest[32] = {0};
  for (u64 i = 0; i < iterations; i++) {
    struct sha256 ctx;
    memcpy(buffer + (i * 32) % BUFFER_SIZE, digest, 32);
    sha256_init(&ctx);
    sha256_update(&ctx, buffer, BUFFER_SIZE);
    sha256_final(&ctx, digest);
  }
  print_kv_u64("iterations", iterations);
  print_kv_u64("bytes", iterations * BUFFER_SIZE);
  print_digest("chained", digest);
  return failures;
}
