/*
 * /init of tsos's default initramfs (`pnpm start`): a short tour of what the
 * kernel does, each step a real process, with one line per step on the
 * console. Built statically against musl (see Makefile); it runs natively
 * too, given the same /bin programs.
 *
 * Steps: hello world; a CPU-bound program; a fork tree checking 14 wait
 * statuses; a memory exerciser (brk, mmap, mprotect, copy-on-write); a
 * pipeline of two processes (`memory | wc`: wc's count is printed); a
 * program whose two threads compute at once on two CPUs; a sleeper timed
 * on CLOCK_MONOTONIC; a child killed by a page fault. The children's own
 * output goes to /dev/null except hello's and wc's; init prints how each
 * ended, as a shell would report it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *signal_name(int signal) {
  switch (signal) {
    case SIGSEGV: return "SIGSEGV";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    default: return "signal";
  }
}

static void report(const char *what, int status) {
  if (WIFEXITED(status)) printf("init: %-32s exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("init: %-32s killed by signal %d (%s)\n", what, WTERMSIG(status), signal_name(WTERMSIG(status)));
  else printf("init: %-32s status %#x\n", what, status);
  fflush(stdout);
}

/* Runs `argv` in a child (stdout to /dev/null unless `show`), waits, reports. */
static void run(char *const argv[], int show, const char *what) {
  fflush(stdout);
  pid_t child = fork();
  if (child < 0) {
    printf("init: fork failed\n");
    return;
  }
  if (child == 0) {
    if (!show) {
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, 1);
    }
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child) printf("init: waitpid failed\n");
  report(what, status);
}

/* `left | right`: two children joined by a pipe; right's output is shown. */
static void pipeline(char *const left[], char *const right[], const char *what) {
  int ends[2];
  fflush(stdout);
  if (pipe(ends) != 0) {
    printf("init: pipe failed\n");
    return;
  }
  pid_t writer = fork();
  if (writer == 0) {
    dup2(ends[1], 1);
    close(ends[0]);
    close(ends[1]);
    execv(left[0], left);
    _exit(127);
  }
  pid_t reader = fork();
  if (reader == 0) {
    dup2(ends[0], 0);
    close(ends[0]);
    close(ends[1]);
    execv(right[0], right);
    _exit(127);
  }
  close(ends[0]);
  close(ends[1]);
  int first = 0, second = 0;
  waitpid(writer, &first, 0);
  waitpid(reader, &second, 0);
  char label[64];
  snprintf(label, sizeof label, "%s (writer)", what);
  report(label, first);
  snprintf(label, sizeof label, "%s (reader)", what);
  report(label, second);
}

static long long monotonic_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int main(void) {
  printf("init: pid %d, the default tsos initramfs\n", (int)getpid());
  run((char *[]){"/bin/hello", NULL}, 1, "/bin/hello");
  run((char *[]){"/bin/spin", "3000000", NULL}, 0, "/bin/spin 3000000 (CPU-bound)");
  run((char *[]){"/bin/fork-tree", NULL}, 0, "/bin/fork-tree (14 processes)");
  run((char *[]){"/bin/memory", NULL}, 0, "/bin/memory (brk, mmap, COW)");
  pipeline((char *[]){"/bin/memory", NULL}, (char *[]){"/bin/wc", NULL}, "memory | wc");
  run((char *[]){"/bin/parallel", "2", "2000000", NULL}, 0, "/bin/parallel (2 threads)");

  fflush(stdout);
  long long before = monotonic_ms();
  pid_t sleeper = fork();
  if (sleeper == 0) {
    struct timespec nap = {0, 250 * 1000 * 1000};
    nanosleep(&nap, NULL);
    _exit(0);
  }
  int status = 0;
  waitpid(sleeper, &status, 0);
  long long slept = monotonic_ms() - before;
  report("sleeper (nanosleep 250 ms)", status);
  printf("init: %-32s %s\n", "  ...slept at least 250 ms", slept >= 250 ? "yes" : "no");

  fflush(stdout);
  pid_t crash = fork();
  if (crash == 0) {
    volatile int *nowhere = (int *)0;
    *nowhere = 1;
    _exit(0);
  }
  waitpid(crash, &status, 0);
  report("crash (writes to NULL)", status);
  printf("init: done\n");
  return 0;
}
