/*
 * A signal storm, compared against native Linux: argv[1] (default 100000)
 * signals each way, counted by handlers, with nothing lost beyond Linux's
 * coalescing of standard signals:
 * - kill(getpid()) with a handler, N times: each is delivered before kill
 *   returns, so the handler runs exactly N times;
 * - SIGUSR2 sent 1000 times while blocked: one delivery when unblocked;
 * - 1000 realtime signals queued with sigqueue while blocked: all
 *   delivered on unblock, in order, with their values;
 * - N signals from a child to its parent and N back, ping-pong through
 *   sigsuspend, so neither side ever has two pending: both count N;
 * - N signals from a child to a parent that never waits, its handler
 *   counting: between 1 and N arrive (coalescing), and the parent then
 *   sees the child's exit.
 * Prints only facts that are the same on every run.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, usr2, rt_count, rt_in_order;
static volatile int rt_next;

static void on_usr1(int sig) {
  (void)sig;
  usr1++;
}

static void on_usr2(int sig) {
  (void)sig;
  usr2++;
}

static void on_rt(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)uc;
  if (info->si_value.sival_int == rt_next) rt_in_order++;
  rt_next++;
  rt_count++;
}

static void handle(int sig, void (*handler)(int)) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  sigaction(sig, &action, NULL);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  setvbuf(stdout, NULL, _IOLBF, 0);
  handle(SIGUSR1, on_usr1);
  handle(SIGUSR2, on_usr2);

  for (long i = 0; i < n; i++) kill(getpid(), SIGUSR1);
  printf("self: %ld sent, %ld handled\n", n, (long)usr1);

  sigset_t usr2_set, none, old;
  sigemptyset(&usr2_set);
  sigaddset(&usr2_set, SIGUSR2);
  sigemptyset(&none);
  sigprocmask(SIG_BLOCK, &usr2_set, &old);
  for (int i = 0; i < 1000; i++) kill(getpid(), SIGUSR2);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("blocked standard signal sent 1000 times: handled %d\n", (int)usr2);

  struct sigaction rt;
  memset(&rt, 0, sizeof rt);
  rt.sa_sigaction = on_rt;
  rt.sa_flags = SA_SIGINFO;
  sigaction(SIGRTMIN, &rt, NULL);
  sigset_t rt_set;
  sigemptyset(&rt_set);
  sigaddset(&rt_set, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &rt_set, NULL);
  int queued = 0;
  for (int i = 0; i < 1000; i++) queued += sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i}) == 0;
  sigprocmask(SIG_UNBLOCK, &rt_set, NULL);
  printf("realtime: %d queued, %d handled, %d in order\n", queued, (int)rt_count, (int)rt_in_order);

  /* Ping-pong: the parent sends SIGUSR1, the child answers SIGUSR2; each waits in sigsuspend. */
  sigset_t both;
  sigemptyset(&both);
  sigaddset(&both, SIGUSR1);
  sigaddset(&both, SIGUSR2);
  sigprocmask(SIG_BLOCK, &both, NULL);
  usr1 = usr2 = 0;
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    for (long i = 0; i < n; i++) {
      while (usr1 == i) sigsuspend(&none);
      kill(parent, SIGUSR2);
    }
    _exit(usr1 == n ? 0 : 1);
  }
  for (long i = 0; i < n; i++) {
    kill(child, SIGUSR1);
    while (usr2 == i) sigsuspend(&none);
  }
  int status;
  waitpid(child, &status, 0);
  printf("ping-pong: parent handled %ld, child exited %d\n", (long)usr2, WEXITSTATUS(status));

  /* A one-way storm at a parent that is not waiting: coalescing may merge any of them. */
  usr1 = 0;
  sigprocmask(SIG_UNBLOCK, &both, NULL);
  child = fork();
  if (child == 0) {
    for (long i = 0; i < n; i++) kill(parent, SIGUSR1);
    _exit(0);
  }
  waitpid(child, &status, 0);
  printf("one-way storm: child exited %d, handled between 1 and %ld: %d\n", WEXITSTATUS(status), n,
         usr1 >= 1 && usr1 <= n);
  return 0;
}
