/*
 * What the benchmark guests (bench-getpid, bench-yield, bench-fork,
 * bench-exec, spin) share: the result line and the one system call sys.h
 * lacks.
 *
 * Invariants:
 * - A benchmark prints exactly one line, at the end, holding only its
 *   name, its iteration count and "ok" (or a checksum, or "FAIL <what>"):
 *   no times, pids or addresses, so native and tsos runs print the same
 *   bytes. Timing is the harness's job (virtual or host clock around the
 *   whole run), never the guest's.
 * - argv[1] is the iteration count; absent or malformed means
 *   BENCH_DEFAULT_COUNT.
 */
#ifndef TSOS_KERNEL_GUEST_BENCH_H
#define TSOS_KERNEL_GUEST_BENCH_H

#include "sys.h"

#define BENCH_DEFAULT_COUNT 1000

enum { SYS_execve = 59 };

static inline long sys_execve(const char *path, char *const argv[], char *const envp[]) {
  return syscall3(SYS_execve, (long)path, (long)argv, (long)envp);
}

/* The iteration count: argv[1], or BENCH_DEFAULT_COUNT. */
static inline u64 bench_count(int argc, char **argv) { return arg_u64(argc, argv, 1, BENCH_DEFAULT_COUNT); }

/* Prints "<name> <count> ok\n"; returns exit status 0. */
static inline int bench_ok(const char *name, u64 count) {
  print_str(name);
  print_char(' ');
  print_u64(count);
  print_str(" ok\n");
  return 0;
}

/*
 * Prints "<name> <count> FAIL <what> <detail>\n" (detail: the failing
 * iteration or a -errno value); returns exit status 1.
 */
static inline int bench_fail(const char *name, u64 count, const char *what, i64 detail) {
  print_str(name);
  print_char(' ');
  print_u64(count);
  print_str(" FAIL ");
  print_str(what);
  print_char(' ');
  print_i64(detail);
  print_char('\n');
  return 1;
}

#endif
