/*
 * C half of process start-up: decodes the initial stack (argc, argv, envp;
 * the auxiliary vector is not needed), runs main, flushes output and calls
 * exit_group with main's result. Never returns.
 */
#include "rt.h"

__attribute__((noreturn, used)) void rt_start(long *stack) {
  int argc = (int)stack[0];
  char **argv = (char **)(stack + 1);
  char **envp = argv + argc + 1;
  rt_exit(main(argc, argv, envp));
}

__attribute__((noreturn)) void rt_exit(int status) {
  print_flush();
  sys_exit_group(status);
}

u64 arg_u64(int argc, char **argv, int index, u64 fallback) {
  if (index >= argc || argv[index] == NULL || argv[index][0] == '\0') return fallback;
  u64 value = 0;
  for (const char *p = argv[index]; *p != '\0'; p++) {
    if (*p < '0' || *p > '9') return fallback;
    value = value * 10 + (u64)(*p - '0');
  }
  return value;
}
