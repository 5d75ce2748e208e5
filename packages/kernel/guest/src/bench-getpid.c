/*
 * bench-getpid: the cost of the cheapest system call round trip.
 *
 * Makes N getpid calls, each its own `syscall` instruction in a volatile
 * asm statement so the compiler can neither drop nor merge them, and
 * checks every result is the same positive pid. Prints
 * "bench-getpid N ok" (exit 0) or a FAIL line (exit 1).
 * Usage: bench-getpid [N = 1000]
 */
#include "bench.h"

static inline long raw_getpid(void) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_getpid) : "rcx", "r11", "memory");
  return ret;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 count = bench_count(argc, argv);
  long first = raw_getpid();
  if (first <= 0) return bench_fail("bench-getpid", count, "getpid", first);
  for (u64 i = 0; i < count; i++) {
    if (raw_getpid() != first) return bench_fail("bench-getpid", count, "changed-at", (i64)i);
  }
  return bench_ok("bench-getpid", count);
}
