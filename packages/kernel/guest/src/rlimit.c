/*
 * rlimit: resource limits through getrlimit, setrlimit and prlimit64.
 *
 * - RLIMIT_NOFILE, STACK, AS and NPROC can be read (cur <= max) by
 *   getrlimit and by prlimit64 (pid 0 and the caller's own pid) with the
 *   same values.
 * - Lowering RLIMIT_NOFILE's soft limit to 16 reads back as 16 (also
 *   through prlimit64's old-limit result); dup2 to fd 16 then fails with
 *   -EBADF while dup2 to fd 15 works.
 * - Lowering RLIMIT_AS's soft limit to 64 MiB makes an anonymous mmap of
 *   128 MiB (and a brk growth of 128 MiB) fail with -ENOMEM (brk: the break
 *   stays put), while a 1 MiB mmap still works.
 * - Errors: soft above hard and an unknown resource give -EINVAL; a bad
 *   pointer gives -EFAULT.
 * No check depends on privilege (raising a hard limit) or on the host's
 * limits, and no limit value is printed, only facts about them.
 * Exit status: number of failed checks.
 */
#include "sys.h"

#define MIB (1024UL * 1024UL)
#define UNKNOWN_RESOURCE 100

static int failures;

static void check(const char *name, int passed) { failures += print_check(name, passed); }

static void check_readable(const char *name, int resource) {
  struct rlimit64 by_get = {0, 0};
  struct rlimit64 by_prlimit = {1, 1};
  struct rlimit64 by_own_pid = {2, 2};
  int ok = sys_getrlimit(resource, &by_get) == 0 && sys_prlimit64(0, resource, NULL, &by_prlimit) == 0 &&
           sys_prlimit64(sys_getpid(), resource, NULL, &by_own_pid) == 0;
  print_str(name);
  print_str(": readable ");
  print_str(ok ? "yes" : "no");
  print_str(", cur <= max ");
  print_str(by_get.cur <= by_get.max ? "yes" : "no");
  print_str(", prlimit64 agrees ");
  print_str(by_get.cur == by_prlimit.cur && by_get.max == by_prlimit.max && by_get.cur == by_own_pid.cur &&
                    by_get.max == by_own_pid.max
                ? "yes"
                : "no");
  print_char('\n');
  failures += !ok;
}

static void check_nofile(void) {
  struct rlimit64 original;
  check("nofile-get", sys_getrlimit(RLIMIT_NOFILE, &original) == 0 && original.max >= 16);
  struct rlimit64 lowered = {16, original.max};
  check("nofile-set-16", sys_setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  struct rlimit64 current = {0, 0};
  check("nofile-reads-back-16", sys_getrlimit(RLIMIT_NOFILE, &current) == 0 && current.cur == 16 &&
                                    current.max == original.max);
  print_kv_i64("dup2(1, 16) under limit 16", sys_dup2(1, 16));
  long duplicate = sys_dup2(1, 15);
  check("dup2-below-limit", duplicate == 15);
  struct rlimit64 previous = {0, 0};
  check("prlimit64-restores-and-returns-old", sys_prlimit64(0, RLIMIT_NOFILE, &original, &previous) == 0 &&
                                                  previous.cur == 16 && previous.max == original.max);
  check("nofile-restored", sys_getrlimit(RLIMIT_NOFILE, &current) == 0 && current.cur == original.cur);
}

static void check_address_space(void) {
  struct rlimit64 original;
  check("as-get", sys_getrlimit(RLIMIT_AS, &original) == 0);
  u64 limit = 64 * MIB < original.max ? 64 * MIB : original.max;
  struct rlimit64 lowered = {limit, original.max};
  check("as-set-64mib", sys_setrlimit(RLIMIT_AS, &lowered) == 0);
  long large = sys_mmap(NULL, 128 * MIB, RT_PROT_READ | RT_PROT_WRITE, RT_MAP_PRIVATE | RT_MAP_ANONYMOUS, -1, 0);
  print_kv_i64("mmap(128 MiB) under RLIMIT_AS 64 MiB", large < 0 ? large : 0);
  long small = sys_mmap(NULL, MIB, RT_PROT_READ | RT_PROT_WRITE, RT_MAP_PRIVATE | RT_MAP_ANONYMOUS, -1, 0);
  check("as-small-mmap-still-works", small > 0);
  if (small > 0) {
    *(volatile u8 *)small = 1;
    sys_munmap((void *)small, MIB);
  }
  long start = sys_brk(NULL);
  check("as-brk-growth-refused", sys_brk((void *)(start + (long)(128 * MIB))) == start);
  check("as-restore", sys_setrlimit(RLIMIT_AS, &original) == 0);
}

static void check_errors(void) {
  struct rlimit64 limit;
  sys_getrlimit(RLIMIT_STACK, &limit);
  struct rlimit64 inverted = {limit.max, limit.max == 0 ? 0 : limit.max - 1};
  print_kv_i64("setrlimit(cur > max)", limit.max == 0 ? -EINVAL : sys_setrlimit(RLIMIT_STACK, &inverted));
  print_kv_i64("getrlimit(unknown resource)", sys_getrlimit(UNKNOWN_RESOURCE, &limit));
  print_kv_i64("getrlimit(bad pointer)", sys_getrlimit(RLIMIT_NOFILE, (struct rlimit64 *)8));
  print_kv_i64("prlimit64(unknown resource)", sys_prlimit64(0, UNKNOWN_RESOURCE, NULL, &limit));
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  check_readable("RLIMIT_NOFILE", RLIMIT_NOFILE);
  check_readable("RLIMIT_STACK", RLIMIT_STACK);
  check_readable("RLIMIT_AS", RLIMIT_AS);
  check_readable("RLIMIT_NPROC", RLIMIT_NPROC);
  check_nofile();
  check_address_space();
  check_errors();
  return failures;
}
