/*
 * sieve: CPU-bound benchmark, the sieve of Eratosthenes over a byte array.
 *
 * Each iteration sieves [0, 1000000) from scratch (a 1 MB .bss array: byte
 * stores, strided loops, a compare-heavy counting pass) and folds the count
 * and the sum of the primes into a checksum.
 * Usage: sieve [iterations, default 20]
 * Exit status: 0 when the count is 78498 (primes below 10^6), else 1.
 */
#include "rt.h"

#define LIMIT 1000000
static u8 composite[LIMIT];

static u64 sieve_once(u64 *sum) {
  memset(composite, 0, sizeof composite);
  composite[0] = composite[1] = 1;
  for (u64 p = 2; p * p < LIMIT; p++) {
    if (composite[p]) continue;
    for (u64 multiple = p * p; multiple < LIMIT; multiple += p) composite[multiple] = 1;
  }
  u64 count = 0, total = 0;
  for (u64 n = 0; n < LIMIT; n++) {
    if (!composite[n]) {
      count++;
      total += n;
    }
  }
  *sum = total;
  return count;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 iterations = arg_u64(argc, argv, 1, 20);
  u64 count = 0, sum = 0, checksum = 0;
  for (u64 i = 0; i < iterations; i++) {
    count = sieve_once(&sum);
    checksum = rotl64(checksum, 9) ^ (count * 31 + sum + i);
  }
  print_kv_u64("iterations", iterations);
  print_kv_u64("primes", count);
  print_kv_u64("sum", sum);
  print_kv_hex("checksum", checksum);
  int failed = print_check("prime-count", iterations == 0 || (count == 78498 && sum == 37550402023UL));
  return failed;
}
