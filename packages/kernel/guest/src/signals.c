/*
 * Signal handlers, compared against native Linux: SIGUSR1 with siginfo
 * (si_code, si_pid), masks and pending sets, nested handlers (SA_NODEFER
 * and the default deferral), SA_RESETHAND, SIGALRM from alarm() ending
 * pause(), sigsuspend, SIGSEGV/SIGFPE/SIGILL/SIGTRAP handlers reading
 * si_addr and si_code and resuming past the fault by editing the saved
 * context, sigaltstack with SA_ONSTACK, SA_RESTART against EINTR on a pipe
 * read, SIGCHLD with CLD_EXITED, masks and dispositions across fork and
 * exec, a forged frame (reserved RFLAGS bits) that rt_sigreturn must
 * sanitise, and sigwaitinfo/sigtimedwait. Prints only facts that are the
 * same on every run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t count;
static volatile sig_atomic_t last_code;
static volatile sig_atomic_t last_pid_ok;
static volatile sig_atomic_t depth, max_depth;
static volatile uintptr_t fault_addr;
static volatile int fault_code;
static volatile int on_alt;
static char alt_stack[65536];
static volatile int chld_code, chld_status, chld_pid;

static void on_child(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)uc;
  chld_code = info->si_code;
  chld_status = info->si_status;
  chld_pid = info->si_pid;
}

static void on_usr1(int sig, siginfo_t *info, void *uc) {
  (void)uc;
  count++;
  last_code = info->si_code;
  last_pid_ok = info->si_pid == getpid() && info->si_signo == sig;
}

static volatile sig_atomic_t raises;
static void nested(int sig) {
  depth++;
  if (depth > max_depth) max_depth = depth;
  /* Two more raises in all: nested at once with SA_NODEFER, one after another otherwise. */
  if (raises < 2) {
    raises++;
    raise(sig);
  }
  depth--;
}

static void plain(int sig) {
  (void)sig;
  count++;
}

/* Skips the faulting instruction: its length is known at each fault site. */
static volatile int skip_length;
static void on_fault(int sig, siginfo_t *info, void *raw) {
  ucontext_t *uc = raw;
  fault_addr = (uintptr_t)info->si_addr;
  fault_code = info->si_code;
  last_code = sig;
  uc->uc_mcontext.gregs[REG_RIP] += skip_length;
}

static void check_stack(int sig) {
  (void)sig;
  char here;
  on_alt = &here >= alt_stack && &here < alt_stack + sizeof alt_stack;
}

static void print_mask(const char *label) {
  sigset_t set;
  sigprocmask(SIG_BLOCK, NULL, &set);
  printf("%s: USR1 %d USR2 %d TERM %d\n", label, sigismember(&set, SIGUSR1), sigismember(&set, SIGUSR2),
         sigismember(&set, SIGTERM));
}

static void forged(int sig, siginfo_t *info, void *raw) {
  (void)sig;
  (void)info;
  ucontext_t *uc = raw;
  /* IOPL 3, VM, VIF, bit 15 and NT: rt_sigreturn must drop them all. */
  uc->uc_mcontext.gregs[REG_EFL] |= 0x3000 | 0x20000 | 0x80000 | 0x8000 | 0x4000;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
    print_mask("after exec");
    struct sigaction old;
    sigaction(SIGUSR1, NULL, &old);
    printf("after exec: USR1 handler is %s\n", old.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
    sigaction(SIGUSR2, NULL, &old);
    printf("after exec: USR2 handler is %s\n", old.sa_handler == SIG_IGN ? "SIG_IGN" : "other");
    return 0;
  }
  setvbuf(stdout, NULL, _IONBF, 0);

  /* 1. SA_SIGINFO handler, kill and raise. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  kill(getpid(), SIGUSR1);
  printf("kill: count %d si_code %d (SI_USER %d) pid ok %d\n", count, last_code, SI_USER, last_pid_ok);
  raise(SIGUSR1);
  printf("raise: count %d si_code %d (SI_TKILL %d)\n", count, last_code, SI_TKILL);
  union sigval value = {.sival_int = 7};
  sigqueue(getpid(), SIGUSR1, value);
  printf("sigqueue: count %d si_code %d (SI_QUEUE %d)\n", count, last_code, SI_QUEUE);

  /* 2. Blocked signals stay pending, coalesce, and arrive on unblock. */
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  count = 0;
  kill(getpid(), SIGUSR1);
  kill(getpid(), SIGUSR1);
  sigset_t pending;
  sigpending(&pending);
  printf("blocked: count %d pending %d\n", count, sigismember(&pending, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("unblocked: count %d (standard signals coalesce)\n", count);

  /* 3. Realtime signals queue every instance, lowest number first. */
  signal(SIGRTMIN + 1, plain);
  signal(SIGRTMIN + 2, plain);
  sigemptyset(&block);
  sigaddset(&block, SIGRTMIN + 1);
  sigaddset(&block, SIGRTMIN + 2);
  sigprocmask(SIG_BLOCK, &block, &old);
  count = 0;
  for (int i = 0; i < 5; i++) sigqueue(getpid(), SIGRTMIN + 2, value);
  for (int i = 0; i < 3; i++) sigqueue(getpid(), SIGRTMIN + 1, value);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("realtime: count %d (every instance)\n", count);

  /* 4. Nesting: deferred by default, nested with SA_NODEFER. */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = nested;
  sigaction(SIGUSR2, &sa, NULL);
  depth = max_depth = raises = 0;
  raise(SIGUSR2);
  printf("deferred: max depth %d raises %d\n", max_depth, raises);
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGUSR2, &sa, NULL);
  depth = max_depth = raises = 0;
  raise(SIGUSR2);
  printf("SA_NODEFER: max depth %d\n", max_depth);

  /* 5. SA_RESETHAND: the second SIGHUP would kill, so check the disposition instead. */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = plain;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGHUP, &sa, NULL);
  count = 0;
  raise(SIGHUP);
  struct sigaction now;
  sigaction(SIGHUP, NULL, &now);
  printf("SA_RESETHAND: count %d, now %s\n", count, now.sa_handler == SIG_DFL ? "SIG_DFL" : "other");

  /* 6. alarm + pause; sigsuspend with a temporary mask. */
  signal(SIGALRM, plain);
  count = 0;
  alarm(1);
  int paused = pause();
  printf("pause: returned %d errno %s count %d\n", paused, errno == EINTR ? "EINTR" : "other", count);
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigprocmask(SIG_BLOCK, &block, &old);
  ualarm(50000, 0);
  sigset_t wait_mask;
  sigemptyset(&wait_mask);
  int suspended = sigsuspend(&wait_mask);
  print_mask("after sigsuspend");
  printf("sigsuspend: returned %d errno %s count %d\n", suspended, errno == EINTR ? "EINTR" : "other", count);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("alarm(0) with none pending: %u\n", alarm(0));
  alarm(100);
  printf("alarm(0) with one pending: %u\n", alarm(0));

  /* 7. Faults with handlers that resume past the faulting instruction. */
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGFPE, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);
  skip_length = 2; /* movb %al, (%rax): 88 00 */
  __asm__ volatile("mov $0x10, %%rax; movb %%al, (%%rax)" ::: "rax", "memory");
  printf("SIGSEGV: signal %d addr 0x%lx code %d (SEGV_MAPERR %d)\n", last_code, (unsigned long)fault_addr, fault_code,
         SEGV_MAPERR);
  skip_length = 2;
  __asm__ volatile("lea main(%%rip), %%rax; movb %%al, (%%rax)" ::: "rax", "memory");
  printf("SIGSEGV on text: code %d (SEGV_ACCERR %d), addr is main %d\n", fault_code, SEGV_ACCERR,
         fault_addr == (uintptr_t)main);
  skip_length = 2; /* divl %ecx: f7 f1 */
  __asm__ volatile("xor %%edx, %%edx; xor %%eax, %%eax; xor %%ecx, %%ecx; divl %%ecx" ::: "rax", "rcx", "rdx");
  printf("SIGFPE: signal %d code %d (FPE_INTDIV %d)\n", last_code, fault_code, FPE_INTDIV);
  skip_length = 2;
  __asm__ volatile("ud2");
  printf("SIGILL: signal %d code %d (ILL_ILLOPN %d)\n", last_code, fault_code, ILL_ILLOPN);
  skip_length = 0;
  __asm__ volatile("int3");
  printf("SIGTRAP: signal %d code %d (SI_KERNEL %d)\n", last_code, fault_code, SI_KERNEL);

  /* 8. sigaltstack and SA_ONSTACK. */
  stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
  printf("sigaltstack: %d\n", sigaltstack(&ss, NULL));
  stack_t small = {.ss_sp = alt_stack, .ss_size = 100, .ss_flags = 0};
  int refused = sigaltstack(&small, NULL);
  printf("sigaltstack too small: %d errno %s\n", refused, errno == ENOMEM ? "ENOMEM" : "other");
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = check_stack;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("SA_ONSTACK: on the alternate stack %d\n", on_alt);
  sa.sa_flags = 0;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  printf("without SA_ONSTACK: on the alternate stack %d\n", on_alt);
  stack_t current;
  sigaltstack(NULL, &current);
  printf("sigaltstack flags %d size %zu\n", current.ss_flags, current.ss_size);

  /* 9. A read on a pipe interrupted by a handled signal: EINTR, or restarted with SA_RESTART. */
  for (int restart = 0; restart < 2; restart++) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    pid_t writer = fork();
    if (writer == 0) {
      /* The child writes after the parent's timer fired. */
      usleep(200000);
      write(fds[1], "x", 1);
      _exit(0);
    }
    close(fds[1]);
    count = 0;
    ualarm(50000, 0);
    char byte = 0;
    ssize_t got = read(fds[0], &byte, 1);
    printf("read with%s SA_RESTART: returned %zd errno %s, handler ran %d\n", restart ? "" : "out", got,
           got < 0 && errno == EINTR ? "EINTR" : "-", count);
    waitpid(writer, NULL, 0);
    close(fds[0]);
  }

  /* 10. SIGCHLD with siginfo. */
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_child;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGCHLD, &sa, NULL);
  pid_t child = fork();
  if (child == 0) _exit(42);
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  printf("SIGCHLD: code %d (CLD_EXITED %d) status %d pid ok %d\n", chld_code, CLD_EXITED, chld_status,
         chld_pid == child);
  signal(SIGCHLD, SIG_DFL);

  /* 11. Masks and dispositions across fork and exec. */
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &old);
  signal(SIGUSR1, plain);
  signal(SIGUSR2, SIG_IGN);
  child = fork();
  if (child == 0) {
    print_mask("after fork");
    execl(argv[0], argv[0], "exec-child", (char *)NULL);
    _exit(127);
  }
  waitpid(child, &status, 0);
  printf("exec child: exit %d\n", WEXITSTATUS(status));
  sigprocmask(SIG_SETMASK, &old, NULL);

  /* 12. A forged frame: reserved and privileged RFLAGS bits are dropped by rt_sigreturn. */
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = forged;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  uint64_t flags;
  raise(SIGUSR1);
  __asm__ volatile("pushfq; popq %0" : "=r"(flags));
  printf("after a forged frame: IOPL %d VM %d NT %d bit15 %d\n", (int)((flags >> 12) & 3), (int)((flags >> 17) & 1),
         (int)((flags >> 14) & 1), (int)((flags >> 15) & 1));

  /* 12b. sigtimedwait/sigwaitinfo: a pending blocked signal is taken with its siginfo, a timeout
     gives EAGAIN, a child's signal ends a wait, and a queued realtime value comes through. */
  sigset_t waitset;
  sigemptyset(&waitset);
  sigaddset(&waitset, SIGUSR1);
  sigaddset(&waitset, SIGRTMIN + 1);
  sigprocmask(SIG_BLOCK, &waitset, &old);
  kill(getpid(), SIGUSR1);
  siginfo_t waited_info;
  memset(&waited_info, 0, sizeof waited_info);
  int taken = sigwaitinfo(&waitset, &waited_info);
  printf("sigwaitinfo: %s, si_code SI_USER %d, si_pid ours %d\n", taken == SIGUSR1 ? "SIGUSR1" : "other",
         waited_info.si_code == SI_USER, waited_info.si_pid == getpid());
  struct timespec short_wait = {0, 10 * 1000 * 1000};
  int none = sigtimedwait(&waitset, &waited_info, &short_wait);
  printf("sigtimedwait with nothing pending: %d %s\n", none, errno == EAGAIN ? "EAGAIN" : "other");
  pid_t parent = getpid();
  child = fork();
  if (child == 0) {
    usleep(20000);
    sigqueue(parent, SIGRTMIN + 1, (union sigval){.sival_int = 77});
    _exit(0);
  }
  struct timespec long_wait = {5, 0};
  memset(&waited_info, 0, sizeof waited_info);
  taken = sigtimedwait(&waitset, &waited_info, &long_wait);
  printf("sigtimedwait woken by the child: %s, value %d, SI_QUEUE %d\n",
         taken == SIGRTMIN + 1 ? "SIGRTMIN+1" : "other", waited_info.si_value.sival_int,
         waited_info.si_code == SI_QUEUE);
  waitpid(child, &status, 0);
  sigprocmask(SIG_SETMASK, &old, NULL);

  /* 13. SIGTERM with the default action kills; the status says which signal. */
  child = fork();
  if (child == 0) {
    signal(SIGTERM, SIG_DFL);
    kill(getpid(), SIGTERM);
    _exit(0);
  }
  waitpid(child, &status, 0);
  printf("SIGTERM child: signaled %d signal %d\n", WIFSIGNALED(status), WTERMSIG(status));
  printf("done\n");
  return 0;
}
