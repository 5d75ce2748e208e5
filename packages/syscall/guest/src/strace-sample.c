/*
 * strace-sample: one call of each argument kind the tracer formats, most of
 * them failing in a way Linux defines (EBADF, ENOENT, EFAULT, EINVAL, ESRCH,
 * ENOSYS), so `strace ./strace-sample` natively and the package's tracer on
 * the emulated CPU must print the same lines. Buffers are static (fixed
 * addresses in a non-PIE binary), so printed pointers agree too.
 * Run with stdin at EOF (</dev/null): read(0, ...) returns 0. Exits 3.
 */

typedef unsigned long u64;

__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "  andq $-16, %rsp\n"
    "  call start_c\n"
    "  hlt\n");

static inline long syscall6(long number, long a, long b, long c, long d, long e, long f) {
  long result;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return result;
}

#define SYS_read 0
#define SYS_write 1
#define SYS_close 3
#define SYS_mmap 9
#define SYS_kill 62
#define SYS_clock_gettime 228
#define SYS_exit_group 231
#define SYS_openat 257
#define AT_FDCWD (-100)
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_CLOEXEC 02000000

static const char hello[] = "hello\n";
static const char odd[] = "a\0b\033c\3779\0019\n\t\r\v\f\\\"\177 ~x";
static const char long_text[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD\n";
static char buffer[64];

void start_c(void) {
  syscall6(SYS_write, 1, (long)hello, sizeof hello - 1, 0, 0, 0);
  syscall6(SYS_write, -1, (long)odd, sizeof odd, 0, 0, 0);
  syscall6(SYS_write, 1, (long)long_text, sizeof long_text - 1, 0, 0, 0);
  syscall6(SYS_write, 1, 0x10, 5, 0, 0, 0);
  syscall6(SYS_write, 9, (long)hello, 0, 0, 0, 0);
  syscall6(SYS_openat, AT_FDCWD, (long)"/tsos-no-such-file", O_CLOEXEC, 0, 0, 0);
  syscall6(SYS_openat, AT_FDCWD, (long)"/tsos-no-such-dir/file", O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 0);
  syscall6(SYS_openat, AT_FDCWD, 0, 0, 0, 0, 0);
  syscall6(SYS_openat, AT_FDCWD, (long)0xffffffff81000000UL, 0, 0, 0, 0);
  syscall6(SYS_close, -1, 0, 0, 0, 0, 0);
  syscall6(SYS_read, -5, (long)buffer, 10, 0, 0, 0);
  syscall6(SYS_read, 0, (long)buffer, 16, 0, 0, 0);
  syscall6(SYS_kill, 0x7ffffff0, 34, 0, 0, 0, 0);
  syscall6(SYS_kill, 0x7ffffff0, 0, 0, 0, 0, 0);
  syscall6(SYS_mmap, 0, 0, 1, 0x22, -1, 0);
  syscall6(SYS_clock_gettime, 1, 0, 0, 0, 0, 0);
  syscall6(999, 1, 2, 3, 4, 5, 6);
  syscall6(SYS_exit_group, 3, 0, 0, 0, 0, 0);
}
