/*
 * faults: the fault catalogue. For each case a child does one faulting
 * thing and the parent prints how it ended ("<case>: killed by signal N",
 * or "exited 99" if the fault did not happen). Natively the signals are
 * SIGSEGV (11) for page faults and general-protection faults (null,
 * read-only, non-executable, kernel and non-canonical addresses, hlt and
 * cli at CPL 3), SIGILL (4) for ud2, SIGFPE (8) for a divide error and
 * SIGTRAP (5) for int3.
 * Then bad system-call arguments, which must fail with -errno and not kill
 * the caller: write from address 1 (-EFAULT), read from fd -1 (-EBADF),
 * syscall number 1000 (-ENOSYS).
 * RLIMIT_CORE is set to 0 first so that no host writes core files.
 * Exit status: 0 (the printed lines are the result).
 */
#include "sys.h"

#define PAGE_SIZE 4096UL
#define NOT_FAULTED 99

typedef void (*fault_fn)(void);

static void null_write(void) { *(volatile u64 *)0 = 1; }

static void read_only_write(void) {
  long page = sys_mmap(NULL, PAGE_SIZE, RT_PROT_READ | RT_PROT_WRITE, RT_MAP_PRIVATE | RT_MAP_ANONYMOUS, -1, 0);
  if (page < 0 || sys_mprotect((void *)page, PAGE_SIZE, RT_PROT_READ) != 0) child_exit(98);
  *(volatile u8 *)page = 1;
}

static void execute_non_executable(void) {
  long page = sys_mmap(NULL, PAGE_SIZE, RT_PROT_READ | RT_PROT_WRITE, RT_MAP_PRIVATE | RT_MAP_ANONYMOUS, -1, 0);
  if (page < 0) child_exit(98);
  *(volatile u8 *)page = 0xc3; /* ret: if the fetch were allowed, the call would just return */
  ((void (*)(void))page)();
}

static void call_null(void) {
  void (*volatile target)(void) = 0;
  target();
}

static void undefined_instruction(void) { __asm__ volatile("ud2"); }

static void divide_by_zero(void) {
  long dividend = 1;
  long divisor = 0;
  /* Inline asm: in C the division would be undefined and could be folded away. */
  __asm__ volatile("cqto\n\tidivq %1" : "+a"(dividend) : "r"(divisor) : "rdx", "cc");
}

static void halt(void) { __asm__ volatile("hlt"); }

static void clear_interrupts(void) { __asm__ volatile("cli"); }

static void kernel_read(void) { (void)*(volatile u64 *)0xffffffff81000000UL; }

static void non_canonical_read(void) { (void)*(volatile u64 *)0x8000000000000000UL; }

static void breakpoint(void) { __asm__ volatile("int3"); }

struct fault_case {
  const char *name;
  fault_fn run;
};

static const struct fault_case cases[] = {
    {"null-write", null_write},
    {"read-only-write", read_only_write},
    {"execute-non-executable", execute_non_executable},
    {"call-null", call_null},
    {"ud2", undefined_instruction},
    {"divide-by-zero", divide_by_zero},
    {"hlt-at-cpl3", halt},
    {"cli-at-cpl3", clear_interrupts},
    {"kernel-address-read", kernel_read},
    {"non-canonical-read", non_canonical_read},
    {"int3", breakpoint},
};

static void run_case(const struct fault_case *fault) {
  long child = fork_flushed();
  if (child == 0) {
    fault->run();
    child_exit(NOT_FAULTED);
  }
  int status = -1;
  if (child < 0 || sys_wait4(child, &status, 0) != child) status = -1;
  print_wait_status(fault->name, status);
}

static void print_result(const char *name, long result) {
  print_str(name);
  print_str(" = ");
  print_i64(result);
  print_char('\n');
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct rlimit64 no_core = {0, 0};
  sys_setrlimit(RLIMIT_CORE, &no_core);
  for (usize i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
  char buffer[8];
  print_result("write(1, 1, 5)", sys_write(1, (void *)1, 5));
  print_result("read(-1, buf, 8)", sys_read(-1, buffer, sizeof buffer));
  print_result("syscall(1000)", syscall0(1000));
  print_str("still alive\n");
  return 0;
}
