/*
 * bench-yield: the cost of sched_yield with two runnable processes, i.e.
 * of a voluntary switch when the other process is ready.
 *
 * Forks once; parent and child each call sched_yield N times (every call
 * must return 0). The child exits 0, or 1 if a call failed; the parent
 * reaps it with wait4 and requires "exited 0". Prints "bench-yield N ok"
 * (exit 0) or a FAIL line (exit 1). The child never prints.
 * Usage: bench-yield [N = 1000]
 */
#include "bench.h"

/* Yields `count` times; returns the number of calls that did not return 0. */
static u64 yield_many(u64 count) {
  u64 failed = 0;
  for (u64 i = 0; i < count; i++) failed += sys_sched_yield() != 0;
  return failed;
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  u64 count = bench_count(argc, argv);
  long child = fork_flushed();
  if (child == 0) child_exit(yield_many(count) == 0 ? 0 : 1);
  if (child < 0) return bench_fail("bench-yield", count, "fork", child);
  u64 failed = yield_many(count);
  int status = -1;
  long reaped = sys_wait4(child, &status, 0);
  if (reaped != child) return bench_fail("bench-yield", count, "wait4", reaped);
  if (!wait_exited(status) || wait_exit_status(status) != 0) {
    return bench_fail("bench-yield", count, "child-status", status);
  }
  if (failed != 0) return bench_fail("bench-yield", count, "parent-yield-failures", (i64)failed);
  return bench_ok("bench-yield", count);
}
