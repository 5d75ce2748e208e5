/*
 * getpid-loop: the system-call round trip, as a guest program.
 *
 * Calls getpid(2) `count` times (argv[1], decimal; default 1000000) in a
 * tight loop and checks every call returned the first call's pid. Prints
 * "getpid-loop <count> ok\n" (or "... mismatch\n") and exits 0 (or 1).
 * Native Linux is the oracle: the same binary prints the same line there.
 * Freestanding: no libc; raw syscalls per the x86-64 Linux ABI (number in
 * rax, arguments in rdi, rsi, rdx; rcx and r11 clobbered by SYSCALL).
 */

typedef unsigned long u64;

__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "  xorl %ebp, %ebp\n"
    "  movq %rsp, %rdi\n"
    "  andq $-16, %rsp\n"
    "  call start_c\n"
    "  hlt\n");

static inline long syscall0(long number) {
  long result;
  __asm__ volatile("syscall" : "=a"(result) : "a"(number) : "rcx", "r11", "memory");
  return result;
}

static inline long syscall3(long number, long a, long b, long c) {
  long result;
  __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return result;
}

static u64 parse_decimal(const char *text) {
  u64 value = 0;
  while (*text >= '0' && *text <= '9') value = value * 10 + (u64)(*text++ - '0');
  return value;
}

static int format_decimal(char *out, u64 value) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (int i = 0; i < count; i++) out[i] = digits[count - 1 - i];
  return count;
}

static int append(char *out, int at, const char *text) {
  while (*text) out[at++] = *text++;
  return at;
}

__attribute__((noreturn, used)) void start_c(u64 *stack) {
  u64 argc = stack[0];
  char **argv = (char **)(stack + 1);
  u64 count = argc > 1 ? parse_decimal(argv[1]) : 1000000;
  long first = syscall0(39);
  u64 mismatches = 0;
  for (u64 i = 0; i < count; i++) mismatches += syscall0(39) != first;
  char line[64];
  int length = append(line, 0, "getpid-loop ");
  length += format_decimal(line + length, count);
  length = append(line, length, mismatches == 0 ? " ok\n" : " mismatch\n");
  syscall3(1, 1, (long)line, length);
  syscall3(231, mismatches == 0 ? 0 : 1, 0, 0);
  __builtin_unreachable();
}
