/*
 * Job control, compared against native Linux: a child stopped by SIGSTOP
 * and continued by SIGCONT; wait4 with WUNTRACED and
 * WCONTINUED (WIFSTOPPED/WSTOPSIG, WIFCONTINUED); waitid with WSTOPPED,
 * WCONTINUED and WNOWAIT; the parent's SIGCHLD handler seeing CLD_STOPPED
 * and CLD_CONTINUED with si_status, and nothing for stops under
 * SA_NOCLDSTOP; a handled SIGTSTP that does not stop; SIGKILL ending a
 * stopped child with no CLD_CONTINUED. Prints only facts that are the same
 * on every run.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t chld_count, chld_code, chld_status;

static void on_chld(int sig, siginfo_t *info, void *uc) {
  (void)sig;
  (void)uc;
  chld_count++;
  chld_code = info->si_code;
  chld_status = info->si_status;
}

static void on_tstp(int sig) { (void)sig; }

static void install(int flags) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_chld;
  action.sa_flags = SA_SIGINFO | SA_RESTART | flags;
  sigaction(SIGCHLD, &action, NULL);
}

static const char *code_name(int code) {
  switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "other";
  }
}

static void describe(const char *what, int status) {
  if (WIFSTOPPED(status)) printf("%s: stopped by %d\n", what, WSTOPSIG(status));
  else if (WIFCONTINUED(status)) printf("%s: continued\n", what);
  else if (WIFSIGNALED(status)) printf("%s: killed by %d\n", what, WTERMSIG(status));
  else if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
}

/* A child that pauses forever; it reports over a pipe once its SIGTSTP handler (if any) is in place. */
static pid_t sleeper(int handle_tstp) {
  int ready[2];
  pipe(ready);
  pid_t child = fork();
  if (child == 0) {
    if (handle_tstp) signal(SIGTSTP, on_tstp);
    write(ready[1], "r", 1);
    for (;;) pause();
  }
  char byte;
  read(ready[0], &byte, 1);
  close(ready[0]);
  close(ready[1]);
  return child;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  install(0);
  pid_t child = sleeper(0);
  int status;

  kill(child, SIGSTOP);
  pid_t got = waitpid(child, &status, WUNTRACED);
  describe("WUNTRACED after SIGSTOP", status);
  printf("waitpid returned the child %d; SIGCHLD %d time(s), %s, status %d\n", got == child, (int)chld_count,
         code_name(chld_code), (int)chld_status);
  printf("the stop is reported once: WNOHANG gives %d\n", (int)waitpid(child, &status, WUNTRACED | WNOHANG));

  chld_count = 0;
  kill(child, SIGCONT);
  waitpid(child, &status, WCONTINUED);
  describe("WCONTINUED after SIGCONT", status);
  /* Linux sends CLD_CONTINUED when the continued child next runs, maybe after wait returned. */
  for (int i = 0; i < 2000 && chld_count == 0; i++) usleep(1000);
  printf("SIGCHLD %d time(s), %s, status %d\n", (int)chld_count, code_name(chld_code), (int)chld_status);

  chld_count = 0;
  /* SIGSTOP, not SIGTSTP: Linux discards a default-action SIGTSTP in an orphaned process group,
     and whether the test runner's group is orphaned depends on how it was started. */
  kill(child, SIGSTOP);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  waitid(P_PID, child, &info, WSTOPPED | WNOWAIT);
  printf("waitid WSTOPPED|WNOWAIT: %s, status %d\n", code_name(info.si_code), info.si_status);
  memset(&info, 0, sizeof info);
  waitid(P_PID, child, &info, WSTOPPED);
  printf("waitid WSTOPPED again (still there): %s, status %d, pid matches %d\n", code_name(info.si_code),
         info.si_status, info.si_pid == child);
  memset(&info, 0, sizeof info);
  printf("then WSTOPPED|WNOHANG: %d, pid %d\n", waitid(P_PID, child, &info, WSTOPPED | WNOHANG), info.si_pid);

  chld_count = 0;
  kill(child, SIGKILL);
  waitpid(child, &status, WUNTRACED | WCONTINUED);
  describe("SIGKILL while stopped", status);
  printf("SIGCHLD %d time(s), %s\n", (int)chld_count, code_name(chld_code));

  install(SA_NOCLDSTOP);
  chld_count = 0;
  child = sleeper(0);
  kill(child, SIGSTOP);
  waitpid(child, &status, WUNTRACED);
  describe("SA_NOCLDSTOP stop", status);
  kill(child, SIGCONT);
  waitpid(child, &status, WCONTINUED);
  describe("SA_NOCLDSTOP continue", status);
  printf("SIGCHLD under SA_NOCLDSTOP: %d\n", (int)chld_count);
  kill(child, SIGTERM);
  waitpid(child, &status, 0);
  describe("then SIGTERM", status);
  printf("SIGCHLD for the exit: %d, %s\n", (int)chld_count, code_name(chld_code));

  install(0);
  child = sleeper(1);
  kill(child, SIGTSTP);
  kill(child, SIGTERM);
  waitpid(child, &status, WUNTRACED);
  describe("a handled SIGTSTP does not stop; then SIGTERM", status);
  return 0;
}
