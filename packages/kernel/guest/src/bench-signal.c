/*
 * bench-signal: the cost of a handled signal's round trip — kill(2) to
 * itself, the rt_sigframe pushed on the way back to user mode, the handler,
 * and rt_sigreturn through musl's restorer. N times; the handler must have
 * run N times. Prints "bench-signal N ok" (exit 0) or a FAIL line (exit 1).
 * Usage: bench-signal [N = 1000]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile long handled;

static void on_usr1(int sig) {
  (void)sig;
  handled++;
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 1000;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_usr1;
  sigaction(SIGUSR1, &action, NULL);
  pid_t self = getpid();
  for (long i = 0; i < count; i++) kill(self, SIGUSR1);
  if (handled != count) {
    printf("bench-signal %ld FAIL handled %ld\n", count, handled);
    return 1;
  }
  printf("bench-signal %ld ok\n", count);
  return 0;
}
