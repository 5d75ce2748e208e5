/*
 * matmul: CPU-bound benchmark, 96x96 integer matrix multiplication with
 * 32-bit wrap-around arithmetic (imul, add, strided loads; gcc -O3 with SSE
 * vectorises it, the gpr build cannot).
 *
 * Each iteration computes C = A * B, then folds C into A so iterations
 * depend on each other. Self-checks: A * I == A, and trace(A*B) ==
 * trace(B*A), which holds exactly in modular arithmetic.
 * Usage: matmul [iterations, default 100]
 * Exit status: number of failed checks (0 when correct).
 */
#include "rt.h"

#define N 96
static u32 a[N][N], b[N][N], c[N][N], d[N][N], identity[N][N];

static void multiply(u32 (*out)[N], u32 (*left)[N], u32 (*right)[N]) {
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) out[i][j] = 0;
    for (int k = 0; k < N; k++) {
      u32 scale = left[i][k];
      for (int j = 0; j < N; j++) out[i][j] += scale * right[k][j];
    }
  }
}

static u32 trace(u32 (*m)[N]) {
  u32 sum = 0;
  for (int i = 0; i < N; i++) sum += m[i][i];
  return sum;
}

static u64 checksum(u32 (*m)[N]) {
  u64 sum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) sum = rotl64(sum, 3) ^ m[i][j];
  return sum;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 iterations = arg_u64(argc, argv, 1, 100);
  u64 state = 0x6a09e667f3bcc909UL;
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) {
      a[i][j] = (u32)xorshift64(&state);
      b[i][j] = (u32)xorshift64(&state) % 1000u;
      identity[i][j] = i == j;
    }
  }
  int failures = 0;
  multiply(c, a, identity);
  failures += print_check("identity", memcmp(c, a, sizeof a) == 0);
  multiply(c, a, b);
  multiply(d, b, a);
  failures += print_check("trace", trace(c) == trace(d));

  for (u64 iteration = 0; iteration < iterations; iteration++) {
    multiply(c, a, b);
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) a[i][j] = c[i][j] ^ (u32)(iteration + (u64)i);
  }
  print_kv_u64("iterations", iterations);
  print_kv_u64("trace", trace(a));
  print_kv_hex("checksum", checksum(a));
  return failures;
}
