/*
 * orphan: reparenting of an orphaned process.
 *
 * The top process makes itself a child subreaper (prctl
 * PR_SET_CHILD_SUBREAPER), then forks a child that forks a grandchild and
 * exits 7 at once. The grandchild polls getppid() (sched_yield plus 1 ms
 * sleeps, at most ~2 s) until its parent is no longer the child, and exits
 * 0 if its new parent is the top process, 1 if it is another process, 2 if
 * it never changed. The top reaps the child, then reaps the grandchild
 * (which it can only do if it became its parent) and prints the result.
 *
 * Why a subreaper: natively the top is not pid 1, and an orphan goes to the
 * nearest subreaper or to init, whichever the host has; with the top as
 * subreaper the orphan comes to the top on every Linux host. Under a tsos
 * kernel whose init is this program, the top is pid 1 and the orphan comes
 * to it as init, whether or not the kernel implements the prctl (its result
 * is not printed). Either way "the top process" is the expected new parent,
 * which is what "reparented to init" below means.
 * Exit status: number of failed checks.
 */
#include "sys.h"

#define POLL_LIMIT 2000

static int failures;

static void check(const char *name, int passed) { failures += print_check(name, passed); }

/* Grandchild: waits for the orphaning and reports who adopted it. */
__attribute__((noreturn)) static void run_grandchild(long original_parent, long top) {
  for (int i = 0; i < POLL_LIMIT; i++) {
    long parent = sys_getppid();
    if (parent != original_parent) child_exit(parent == top ? 0 : 1);
    sys_sched_yield();
    sleep_ms(1);
  }
  child_exit(2);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  long top = sys_getpid();
  sys_prctl(PR_SET_CHILD_SUBREAPER, 1);
  long child = fork_flushed();
  if (child == 0) {
    long self = sys_getpid();
    long grandchild = sys_fork();
    if (grandchild == 0) run_grandchild(self, top);
    child_exit(grandchild > 0 ? 7 : 8);
  }
  check("fork", child > 0);
  int status = -1;
  check("wait4-child", sys_wait4(child, &status, 0) == child);
  print_wait_status("child", status);
  status = -1;
  long adopted = sys_wait4(-1, &status, 0);
  check("grandchild-reaped-by-top", adopted > 0 && adopted != child);
  print_wait_status("grandchild", status);
  if (wait_exited(status) && wait_exit_status(status) == 0) {
    print_str("reparented to init\n");
  } else if (wait_exited(status) && wait_exit_status(status) == 1) {
    print_str("reparented to another process\n");
  } else {
    print_str("not reparented\n");
  }
  print_kv_i64("wait4 after both", sys_wait4(-1, &status, 0));
  return failures;
}
