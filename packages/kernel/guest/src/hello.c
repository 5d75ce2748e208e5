/*
 * hello: the smallest kernel guest. One write(2) of "hello, world\n" to
 * fd 1 (through the runtime's buffer), then exit_group(0). Checks that the
 * kernel loads a static ELF, enters _start, and that write and exit_group
 * work and the exit status reaches whoever started the program.
 */
#include "rt.h"

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  print_str("hello, world\n");
  return 0;
}
