/*
 * The freestanding runtime shared by every guest program: raw Linux
 * x86-64 system calls, buffered output helpers and the few libc routines
 * gcc may call on its own (memcpy, memset, memmove, memcmp).
 *
 * Invariants:
 * - Nothing here depends on anything but the Linux syscall ABI (numbers
 *   from arch/x86/entry/syscalls/syscall_64.tbl; arguments in rdi, rsi,
 *   rdx, r10, r8, r9; rcx and r11 clobbered; -errno returned in rax).
 * - Output goes through one 4 KiB buffer flushed when full and at exit, so
 *   a program makes few write(2) calls and prints the same bytes natively
 *   and under the emulator.
 */
#ifndef TSOS_GUEST_RT_H
#define TSOS_GUEST_RT_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long i64;
typedef unsigned long usize;

#define NULL ((void *)0)

/* Syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
enum {
  SYS_write = 1,
  SYS_mmap = 9,
  SYS_munmap = 11,
  SYS_brk = 12,
  SYS_nanosleep = 35,
  SYS_getpid = 39,
  SYS_exit = 60,
  SYS_clock_gettime = 228,
  SYS_exit_group = 231,
};

static inline long syscall1(long n, long a) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a) : "rcx", "r11", "memory");
  return ret;
}

static inline long syscall2(long n, long a, long b) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b) : "rcx", "r11", "memory");
  return ret;
}

static inline long syscall3(long n, long a, long b, long c) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return ret;
}

static inline long syscall6(long n, long a, long b, long c, long d, long e, long f) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

struct rt_timespec {
  i64 tv_sec;
  i64 tv_nsec;
};

/* mmap protection and flag bits (include/uapi/asm-generic/mman-common.h). */
enum { RT_PROT_READ = 1, RT_PROT_WRITE = 2, RT_MAP_PRIVATE = 2, RT_MAP_ANONYMOUS = 0x20 };
/* clock ids (include/uapi/linux/time.h). */
enum { RT_CLOCK_REALTIME = 0, RT_CLOCK_MONOTONIC = 1 };

static inline long sys_write(int fd, const void *buf, usize len) { return syscall3(SYS_write, fd, (long)buf, (long)len); }
static inline long sys_brk(void *addr) { return syscall1(SYS_brk, (long)addr); }
static inline long sys_mmap(void *addr, usize len, int prot, int flags, int fd, long off) {
  return syscall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, off);
}
static inline long sys_munmap(void *addr, usize len) { return syscall2(SYS_munmap, (long)addr, (long)len); }
static inline long sys_getpid(void) { return syscall1(SYS_getpid, 0); }
static inline long sys_clock_gettime(int clock, struct rt_timespec *ts) {
  return syscall2(SYS_clock_gettime, clock, (long)ts);
}
static inline long sys_nanosleep(const struct rt_timespec *req, struct rt_timespec *rem) {
  return syscall2(SYS_nanosleep, (long)req, (long)rem);
}
__attribute__((noreturn)) static inline void sys_exit_group(int status) {
  syscall1(SYS_exit_group, status);
  __builtin_unreachable();
}
__attribute__((noreturn)) static inline void sys_exit(int status) {
  syscall1(SYS_exit, status);
  __builtin_unreachable();
}

/* Buffered output to fd 1. */
void print_flush(void);
void print_char(char c);
void print_str(const char *s);
void print_bytes(const char *s, usize len);
void print_u64(u64 value);
void print_i64(i64 value);
/* "0x" followed by exactly 16 lowercase hex digits. */
void print_hex64(u64 value);
/* "name=decimal\n" and "name=0x...\n": the programs' result lines. */
void print_kv_u64(const char *name, u64 value);
void print_kv_i64(const char *name, i64 value);
void print_kv_hex(const char *name, u64 value);
/* "check <name> ok\n" or "check <name> FAIL\n"; returns 1 on failure, else 0. */
int print_check(const char *name, int passed);

/* Flushes output and ends the process with `status`. */
__attribute__((noreturn)) void rt_exit(int status);

/* argv[index] as an unsigned decimal, or `fallback` when absent or malformed. */
u64 arg_u64(int argc, char **argv, int index, u64 fallback);

/* libc routines gcc may emit calls to, plus the ones the programs use. */
void *memcpy(void *dst, const void *src, usize n);
void *memmove(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
int memcmp(const void *a, const void *b, usize n);
usize strlen(const char *s);
int strcmp(const char *a, const char *b);

/* Deterministic pseudo-random numbers (Marsaglia xorshift64). */
static inline u64 xorshift64(u64 *state) {
  u64 x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *state = x;
  return x;
}

static inline u64 rotl64(u64 x, unsigned r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }

int main(int argc, char **argv, char **envp);

#endif
