/*
 * bench-exec: the cost of execve replacing a process image (load, initial
 * stack, address-space teardown), with no fork in between.
 *
 * argv[0] must be a path execve can open to this same binary: natively
 * its absolute path (record-expected.sh runs it so), under tsos the path
 * the kernel started it by (e.g. /bin/bench-exec). argv[1] = N, argv[2] =
 * executions still to do (default N). While that is > 0 the program execs
 * argv[0] with {argv[0], N, remaining - 1} and the same environment; the
 * last image prints "bench-exec N ok" (exit 0). A failed execve prints
 * "bench-exec N FAIL execve -errno" (exit 1).
 * Usage: /abs/path/bench-exec [N = 1000 [remaining = N]]
 */
#include "bench.h"

/* Writes `value` in decimal, NUL-terminated, into `out` (room for 21 bytes). */
static void format_u64(u64 value, char out[21]) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int i = 0; i < count; i++) out[i] = digits[count - 1 - i];
  out[count] = '\0';
}

int main(int argc, char **argv, char **envp) {
  u64 count = bench_count(argc, argv);
  u64 remaining = arg_u64(argc, argv, 2, count);
  if (remaining == 0) return bench_ok("bench-exec", count);
  char count_text[21];
  char remaining_text[21];
  format_u64(count, count_text);
  format_u64(remaining - 1, remaining_text);
  char *next_argv[] = {argv[0], count_text, remaining_text, NULL};
  long result = sys_execve(argv[0], next_argv, envp);
  return bench_fail("bench-exec", count, "execve", result);
}
