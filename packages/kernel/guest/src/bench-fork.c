/*
 * bench-fork: the cost of a whole process life: fork (copy-on-write
 * address space), child exit, parent wait4.
 *
 * N times: fork; the child exits with (i & 0x7f) at once; the parent reaps
 * it with wait4(pid) and requires "exited i & 0x7f" (so a status mix-up
 * between iterations shows). Prints "bench-fork N ok" (exit 0) or a FAIL
 * line naming the iteration (exit 1). Children never print.
 * Usage: bench-fork [N = 1000]
 */
#include "bench.h"

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 count = bench_count(argc, argv);
  for (u64 i = 0; i < count; i++) {
    int expected = (int)(i & 0x7f);
    long child = sys_fork();
    if (child == 0) child_exit(expected);
    if (child < 0) return bench_fail("bench-fork", count, "fork", child);
    int status = -1;
    long reaped = sys_wait4(child, &status, 0);
    if (reaped != child) return bench_fail("bench-fork", count, "wait4-at", (i64)i);
    if (!wait_exited(status) || wait_exit_status(status) != expected) {
      return bench_fail("bench-fork", count, "status-at", (i64)i);
    }
  }
  return bench_ok("bench-fork", count);
}
