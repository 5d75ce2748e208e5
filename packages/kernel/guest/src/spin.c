/*
 * spin: a CPU-bound anchor with no system calls in its loop, to separate
 * the emulator's instruction speed from kernel costs (boot, syscalls).
 *
 * N rounds of xorshift64 mixed into a rotating sum; the loop carries a
 * dependency through both values, so gcc can neither vectorise it nor
 * compute it in closed form. Prints "spin N <checksum>" (decimal) and
 * exits 0.
 * Usage: spin [N = 1000]
 */
#include "bench.h"

static u64 spin(u64 rounds) {
  u64 state = 0x9e3779b97f4a7c15UL;
  u64 sum = 0;
  for (u64 i = 0; i < rounds; i++) {
    u64 x = xorshift64(&state);
    sum = rotl64(sum ^ x, 7) + i;
  }
  return sum;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 rounds = bench_count(argc, argv);
  print_str("spin ");
  print_u64(rounds);
  print_char(' ');
  print_u64(spin(rounds));
  print_char('\n');
  return 0;
}
