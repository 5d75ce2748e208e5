/*
 * waitid: waitid(2) as Linux answers it — siginfo of an exited child
 * (si_signo SIGCHLD, si_code CLD_EXITED, si_status the exit code), of a
 * killed one (CLD_KILLED, the signal), WNOWAIT leaving the zombie for a
 * later wait4, WNOHANG with a live child (0, si_pid 0), P_PGID, ECHILD,
 * and EINVAL without WEXITED. Prints facts only (no pids).
 */
#include "sys.h"

enum { SYS_waitid = 247, SYS_kill_ = 62, P_ALL = 0, P_PID = 1, P_PGID = 2 };
enum { WEXITED_ = 4, WNOWAIT_ = 0x01000000, WNOHANG_ = 1 };

struct info {
  int signo, errno_, code, pad;
  int pid, uid, status;
  char rest[100];
};

static long waitid_(int type, long id, struct info *info, int options) {
  return syscall6(SYS_waitid, type, id, (long)info, options, 0, 0);
}

static void show(const char *label, long result, struct info *info, long pid) {
  print_str(label);
  print_str(": result ");
  print_i64(result);
  print_str(" signo ");
  print_i64(info->signo);
  print_str(" code ");
  print_i64(info->code);
  print_str(" status ");
  print_i64(info->status);
  print_str(info->pid == pid ? " pid ok\n" : " pid other\n");
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct info info;
  long child = fork_flushed();
  if (child == 0) child_exit(7);
  memset(&info, 0x55, sizeof info);
  show("exited", waitid_(P_PID, child, &info, WEXITED_), &info, child);

  child = fork_flushed();
  if (child == 0) child_exit(3);
  memset(&info, 0, sizeof info);
  show("nowait", waitid_(P_ALL, 0, &info, WEXITED_ | WNOWAIT_), &info, child);
  int status = 0;
  print_kv_i64("wait4 after nowait reaps", sys_wait4(child, &status, 0) == child && wait_exit_status(status) == 3);

  child = fork_flushed();
  if (child == 0) {
    for (;;) sys_sched_yield();
  }
  memset(&info, 0x55, sizeof info);
  show("nohang-live", waitid_(P_PID, child, &info, WEXITED_ | WNOHANG_), &info, 0);
  syscall2(SYS_kill_, child, 9);
  memset(&info, 0, sizeof info);
  show("killed", waitid_(P_PGID, 0, &info, WEXITED_), &info, child);

  memset(&info, 0, sizeof info);
  print_kv_i64("no children", waitid_(P_ALL, 0, &info, WEXITED_));
  print_kv_i64("no WEXITED", waitid_(P_ALL, 0, &info, 0));
  print_kv_i64("bad idtype", waitid_(9, 0, &info, WEXITED_));
  return 0;
}
