/*
 * syscalls: the process ABI and the system calls the runtime wraps.
 *
 * Checks the initial stack (argc, argv and envp NULL-terminated, AT_PAGESZ
 * = 4096 in the auxiliary vector), getpid, brk grow/shrink, anonymous mmap
 * (page-aligned, zero-filled, writable) and munmap, error returns (-EBADF,
 * -EFAULT, -EINVAL), clock_gettime (monotonic never goes back, tv_nsec in
 * range) and nanosleep (the monotonic clock advances by at least the sleep).
 * Prints only what is the same natively and under the emulator.
 * Usage: syscalls [nanosleep rounds, default 2]
 * Exit status: number of failed checks (0 when correct).
 */
#include "rt.h"

#define PAGE_SIZE 4096UL
#define AT_NULL 0
#define AT_PAGESZ 6
#define EBADF 9
#define EFAULT 14
#define EINVAL 22

static int check_process_abi(int argc, char **argv, char **envp) {
  int failures = 0;
  print_kv_u64("argc", (u64)argc);
  for (int i = 1; i < argc; i++) {
    print_str("argv ");
    print_str(argv[i]);
    print_char('\n');
  }
  failures += print_check("argv-null", argv[argc] == NULL);
  char **cursor = envp;
  while (*cursor != NULL) cursor++;
  u64 *auxv = (u64 *)(cursor + 1);
  u64 page_size = 0;
  for (; auxv[0] != AT_NULL; auxv += 2)
    if (auxv[0] == AT_PAGESZ) page_size = auxv[1];
  failures += print_check("auxv-pagesz", page_size == PAGE_SIZE);
  failures += print_check("getpid", sys_getpid() > 0);
  return failures;
}

static int check_brk(void) {
  int failures = 0;
  long start = sys_brk(NULL);
  failures += print_check("brk-query", start > 0);
  long grown = sys_brk((void *)(start + 65536));
  failures += print_check("brk-grow", grown == start + 65536);
  if (grown == start + 65536) {
    u8 *heap = (u8 *)start;
    int zero = 1;
    for (usize i = 0; i < 65536; i++) zero &= heap[i] == 0;
    memset(heap, 0x5a, 65536);
    failures += print_check("brk-zeroed", zero && heap[65535] == 0x5a);
  }
  failures += print_check("brk-shrink", sys_brk((void *)start) == start);
  return failures;
}

static int check_mmap(void) {
  int failures = 0;
  usize length = 16 * PAGE_SIZE;
  long address = sys_mmap(NULL, length, RT_PROT_READ | RT_PROT_WRITE, RT_MAP_PRIVATE | RT_MAP_ANONYMOUS, -1, 0);
  int mapped = address > 0 && (address & (long)(PAGE_SIZE - 1)) == 0;
  failures += print_check("mmap-anonymous", mapped);
  if (mapped) {
    u64 *words = (u64 *)address;
    u64 sum = 0;
    for (usize i = 0; i < length / 8; i++) sum |= words[i];
    for (usize i = 0; i < length / 8; i++) words[i] = i * 3;
    u64 total = 0;
    for (usize i = 0; i < length / 8; i++) total += words[i];
    failures += print_check("mmap-zeroed-writable", sum == 0 && total == 3 * (length / 8) * (length / 8 - 1) / 2);
    failures += print_check("munmap", sys_munmap((void *)address, length) == 0);
  }
  failures += print_check("mmap-zero-length", sys_mmap(NULL, 0, RT_PROT_READ, RT_MAP_PRIVATE | RT_MAP_ANONYMOUS, -1, 0) == -EINVAL);
  failures += print_check("munmap-unaligned", sys_munmap((void *)(PAGE_SIZE + 1), PAGE_SIZE) == -EINVAL);
  return failures;
}

static int check_errors(void) {
  int failures = 0;
  failures += print_check("write-ebadf", sys_write(-1, "x", 1) == -EBADF);
  failures += print_check("write-efault", sys_write(1, (const void *)8, 1) == -EFAULT);
  failures += print_check("write-zero", sys_write(1, "", 0) == 0);
  return failures;
}

static i64 nanoseconds(const struct rt_timespec *t) { return t->tv_sec * 1000000000L + t->tv_nsec; }

static int check_time(u64 rounds) {
  int failures = 0;
  struct rt_timespec before, after, realtime;
  failures += print_check("clock-monotonic", sys_clock_gettime(RT_CLOCK_MONOTONIC, &before) == 0 &&
                                                 before.tv_nsec >= 0 && before.tv_nsec < 1000000000L);
  failures += print_check("clock-realtime", sys_clock_gettime(RT_CLOCK_REALTIME, &realtime) == 0 &&
                                                realtime.tv_sec > 0 && realtime.tv_nsec < 1000000000L);
  failures += print_check("clock-efault", sys_clock_gettime(RT_CLOCK_MONOTONIC, (struct rt_timespec *)8) == -EFAULT);
  const struct rt_timespec one_millisecond = {0, 1000000};
  int slept = 1;
  for (u64 i = 0; i < rounds; i++) slept &= sys_nanosleep(&one_millisecond, NULL) == 0;
  sys_clock_gettime(RT_CLOCK_MONOTONIC, &after);
  failures += print_check("nanosleep", slept);
  failures += print_check("clock-advanced", nanoseconds(&after) - nanoseconds(&before) >= (i64)rounds * 1000000);
  const struct rt_timespec invalid = {0, 1000000000L};
  failures += print_check("nanosleep-einval", sys_nanosleep(&invalid, NULL) == -EINVAL);
  return failures;
}

int main(int argc, char **argv, char **envp) {
  u64 rounds = arg_u64(argc, argv, 1, 2);
  int failures = check_process_abi(argc, argv, envp);
  failures += check_brk();
  failures += check_mmap();
  print_flush();
  failures += check_errors();
  failures += check_time(rounds);
  print_kv_u64("failures", (u64)failures);
  return failures;
}
