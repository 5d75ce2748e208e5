/*
 * readiness: pipes (pipe2 flags, EOF, EPIPE, PIPE_BUF atomicity, O_NONBLOCK
 * EAGAIN) and the calls that wait for them — poll (POLLIN, POLLOUT,
 * POLLHUP, POLLERR, POLLNVAL, timeouts) and select/pselect6 (read, write
 * and bad-descriptor sets, timeouts, a writer that is still busy when the
 * reader starts waiting). SIGPIPE is ignored (SIG_IGN) so EPIPE is seen.
 * Prints facts only.
 */
#include "sys.h"

enum { SYS_pipe2 = 293, SYS_poll = 7, SYS_select = 23, SYS_pselect6 = 270, SYS_close_ = 3, SYS_rt_sigaction = 13 };
enum { O_NONBLOCK_ = 04000, O_CLOEXEC_ = 02000000, POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32 };

struct pollfd {
  int fd;
  short events, revents;
};
struct timeval_ {
  long sec, usec;
};
struct ksigaction {
  long handler, flags, restorer, mask;
};

static long pipe2_(int fds[2], int flags) { return syscall2(SYS_pipe2, (long)fds, flags); }
static long close_(int fd) { return syscall1(SYS_close_, fd); }
static long poll_(struct pollfd *fds, long count, int timeout) { return syscall3(SYS_poll, (long)fds, count, timeout); }
static long select_(int nfds, u64 *r, u64 *w, struct timeval_ *t) {
  return syscall6(SYS_select, nfds, (long)r, (long)w, 0, (long)t, 0);
}

static void kv(const char *name, long value) { print_kv_i64(name, value); }

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  struct ksigaction ignore = {1, 0, 0, 0};
  syscall4(SYS_rt_sigaction, 13 /* SIGPIPE */, (long)&ignore, 0, 8);
  int p[2];
  kv("pipe2", pipe2_(p, O_CLOEXEC_));
  struct pollfd fds[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {99, POLLIN, 0}};
  kv("poll empty pipe", poll_(fds, 3, 0));
  kv("  read end revents", fds[0].revents);
  kv("  write end revents", fds[1].revents);
  kv("  bad fd revents", fds[2].revents == POLLNVAL);
  kv("write 3", sys_write(p[1], "abc", 3));
  fds[2].fd = -1;
  kv("poll with data", poll_(fds, 3, 0));
  kv("  read end revents", fds[0].revents);
  u64 readSet = 1ULL << p[0], writeSet = 1ULL << p[1];
  struct timeval_ zero = {0, 0};
  kv("select ready", select_(p[1] + 1, &readSet, &writeSet, &zero));
  kv("  read bit", (long)((readSet >> p[0]) & 1));
  kv("  write bit", (long)((writeSet >> p[1]) & 1));
  char buffer[8];
  kv("read", sys_read(p[0], buffer, sizeof buffer));
  readSet = 1ULL << p[0];
  struct timeval_ wait = {0, 30000};
  struct rt_timespec before, after;
  sys_clock_gettime(1, &before);
  kv("select times out", select_(p[0] + 1, &readSet, NULL, &wait));
  sys_clock_gettime(1, &after);
  long waited = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
  kv("  waited >= 30 ms", waited >= 30);
  kv("  time left", wait.sec * 1000000 + wait.usec);
  kv("  read set cleared", (long)readSet);
  u64 badSet = 1ULL << 40;
  kv("select bad fd", select_(41, &badSet, NULL, &zero));

  // A writer still counting when the reader starts waiting.
  long child = fork_flushed();
  if (child == 0) {
    for (volatile int i = 0; i < 200000; i++) {
    }
    sys_write(p[1], "z", 1);
    child_exit(0);
  }
  fds[0].revents = 0;
  kv("poll waits for the writer", poll_(fds, 1, 5000));
  kv("  read end revents", fds[0].revents);
  int status = 0;
  sys_wait4(child, &status, 0);
  kv("read late byte", sys_read(p[0], buffer, 1));

  close_(p[1]);
  kv("poll after writer closed", poll_(fds, 1, 0));
  kv("  read end revents", fds[0].revents);
  kv("read at EOF", sys_read(p[0], buffer, 1));
  close_(p[0]);

  kv("pipe2 nonblock", pipe2_(p, O_NONBLOCK_));
  kv("read empty nonblock", sys_read(p[0], buffer, 1));
  static char big[65536];
  kv("fill 64 KiB", sys_write(p[1], big, sizeof big));
  kv("write to full nonblock", sys_write(p[1], "x", 1));
  close_(p[0]);
  fds[1].fd = p[1];
  fds[1].events = POLLOUT;
  kv("poll write end, reader gone", poll_(&fds[1], 1, 0));
  kv("  write end revents", fds[1].revents);
  kv("write with no reader", sys_write(p[1], "x", 1));
  kv("bad pipe2 flags", pipe2_(p, 1));
  return 0;
}
