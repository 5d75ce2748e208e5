/*
 * exit-codes: the initial stack and the exit status.
 *
 * Prints argc, argv[1..] (argv[0] is the path the program was started by,
 * which differs between hosts, so only its presence is printed), the number
 * of environment strings and each of them, then exits with argv[1] as a
 * decimal exit status (42 when absent or not a number). The status is taken
 * modulo 256 by exit_group, as on Linux.
 * Usage: exit-codes [status [more args...]]
 */
#include "rt.h"

int main(int argc, char **argv, char **envp) {
  print_kv_u64("argc", (u64)argc);
  print_check("argv0-present", argc >= 1 && argv[0] != NULL && argv[0][0] != '\0');
  for (int i = 1; i < argc; i++) {
    print_str("argv[");
    print_u64((u64)i);
    print_str("]=");
    print_str(argv[i]);
    print_char('\n');
  }
  print_check("argv-null-terminated", argv[argc] == NULL);
  print_check("envp-follows-argv", envp == argv + argc + 1);
  u64 envc = 0;
  while (envp[envc] != NULL) envc++;
  print_kv_u64("envc", envc);
  for (u64 i = 0; i < envc; i++) {
    print_str("env ");
    print_str(envp[i]);
    print_char('\n');
  }
  u64 status = arg_u64(argc, argv, 1, 42);
  print_kv_u64("exit", status & 0xff);
  return (int)status;
}
