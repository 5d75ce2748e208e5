/*
 * System calls the kernel guest programs need beyond the shared runtime's
 * rt.h (packages/hw-x86/guest/runtime), as raw `syscall` wrappers, plus
 * the wait-status, errno and signal constants the programs decode.
 *
 * Invariants:
 * - Numbers and layouts follow the Linux x86-64 ABI only
 *   (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/...); no libc.
 * - Every wrapper returns the raw result: -errno on failure.
 * - Children created by these programs never print: they report through
 *   their exit status, so the output order is the parent's alone.
 */
#ifndef TSOS_KERNEL_GUEST_SYS_H
#define TSOS_KERNEL_GUEST_SYS_H

#include "rt.h"

enum {
  SYS_read = 0,
  SYS_mprotect = 10,
  SYS_sched_yield = 24,
  SYS_dup = 32,
  SYS_dup2 = 33,
  SYS_getppid = 110,
  SYS_clone = 56,
  SYS_fork = 57,
  SYS_wait4 = 61,
  SYS_gettimeofday = 96,
  SYS_getrlimit = 97,
  SYS_prctl = 157,
  SYS_setrlimit = 160,
  SYS_time = 201,
  SYS_clock_getres = 229,
  SYS_prlimit64 = 302,
};

/* errno values (include/uapi/asm-generic/errno-base.h, errno.h). */
enum {
  EPERM = 1,
  EBADF = 9,
  ECHILD = 10,
  EAGAIN = 11,
  ENOMEM = 12,
  EFAULT = 14,
  EINVAL = 22,
  ENOSYS = 38,
};

/* Signal numbers (arch/x86/include/uapi/asm/signal.h). */
enum { SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGSEGV = 11, SIGCHLD = 17 };

/* wait4 options (include/uapi/linux/wait.h). */
enum { WNOHANG = 1 };

/* Wait-status decoding, as glibc/musl <sys/wait.h> define it. */
static inline int wait_exited(int status) { return (status & 0x7f) == 0; }
static inline int wait_exit_status(int status) { return (status >> 8) & 0xff; }
static inline int wait_signaled(int status) { return (status & 0x7f) != 0 && (status & 0x7f) != 0x7f; }
static inline int wait_term_signal(int status) { return status & 0x7f; }

/* mprotect / mmap bits not in rt.h (include/uapi/asm-generic/mman-common.h). */
enum { PROT_NONE = 0, PROT_EXEC = 4, MAP_FIXED = 0x10 };

/* prctl option (include/uapi/linux/prctl.h). */
enum { PR_SET_CHILD_SUBREAPER = 36 };

/* Resource numbers (include/uapi/asm-generic/resource.h). */
enum { RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_AS = 9 };
#define RLIM_INFINITY (~0UL)

struct rlimit64 {
  u64 cur;
  u64 max;
};

struct timeval64 {
  i64 tv_sec;
  i64 tv_usec;
};

static inline long syscall0(long n) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
  return ret;
}

static inline long syscall4(long n, long a, long b, long c, long d) {
  long ret;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return ret;
}

static inline long sys_read(int fd, void *buf, usize len) { return syscall3(SYS_read, fd, (long)buf, (long)len); }
static inline long sys_mprotect(void *addr, usize len, int prot) {
  return syscall3(SYS_mprotect, (long)addr, (long)len, prot);
}
static inline long sys_sched_yield(void) { return syscall0(SYS_sched_yield); }
static inline long sys_dup(int fd) { return syscall1(SYS_dup, fd); }
static inline long sys_dup2(int fd, int target) { return syscall2(SYS_dup2, fd, target); }
static inline long sys_getppid(void) { return syscall0(SYS_getppid); }
static inline long sys_fork(void) { return syscall0(SYS_fork); }
/* clone(flags, stack 0, ...): with only an exit signal in flags this is fork, as libc implements it. */
static inline long sys_clone_fork(void) { return syscall6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0); }
static inline long sys_wait4(long pid, int *status, int options) {
  return syscall4(SYS_wait4, pid, (long)status, options, 0);
}
static inline long sys_gettimeofday(struct timeval64 *tv) { return syscall2(SYS_gettimeofday, (long)tv, 0); }
static inline long sys_getrlimit(int resource, struct rlimit64 *limit) {
  return syscall2(SYS_getrlimit, resource, (long)limit);
}
static inline long sys_setrlimit(int resource, const struct rlimit64 *limit) {
  return syscall2(SYS_setrlimit, resource, (long)limit);
}
static inline long sys_prlimit64(long pid, int resource, const struct rlimit64 *new_limit, struct rlimit64 *old_limit) {
  return syscall4(SYS_prlimit64, pid, resource, (long)new_limit, (long)old_limit);
}
static inline long sys_prctl(int option, long arg) { return syscall6(SYS_prctl, option, arg, 0, 0, 0, 0); }
static inline long sys_time(i64 *out) { return syscall1(SYS_time, (long)out); }
static inline long sys_clock_getres(int clock, struct rt_timespec *res) {
  return syscall2(SYS_clock_getres, clock, (long)res);
}

/* Flushes this process's buffered output, then forks: the child starts with an empty buffer. */
static inline long fork_flushed(void) {
  print_flush();
  return sys_fork();
}

/* Ends a child without flushing (children never print). */
__attribute__((noreturn)) static inline void child_exit(int status) { sys_exit_group(status); }

/* Sleeps `ms` milliseconds; returns nanosleep's result. */
static inline long sleep_ms(long ms) {
  struct rt_timespec request = {ms / 1000, (ms % 1000) * 1000000L};
  return sys_nanosleep(&request, NULL);
}

/* Prints "<label>: exited N" or "<label>: killed by signal N" for a wait status. */
static inline void print_wait_status(const char *label, int status) {
  print_str(label);
  if (wait_exited(status)) {
    print_str(": exited ");
    print_u64((u64)wait_exit_status(status));
  } else if (wait_signaled(status)) {
    print_str(": killed by signal ");
    print_u64((u64)wait_term_signal(status));
  } else {
    print_str(": stopped or unknown status");
  }
  print_char('\n');
}

#endif
