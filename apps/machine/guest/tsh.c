/*
 * tsh: the small shell of tsos's default initramfs (`tsos-machine boot
 * --shell`). Reads a line from the terminal, splits it into words (blanks
 * separate; '...' and "..." quote; \ escapes one character), runs the
 * commands of a pipeline (`a | b | c`) as children joined by pipes, waits
 * for all of them and says how a command ended when it was not a plain
 * exit 0. Built-ins: cd, exit [status], help, ls [dir] (the names in a
 * directory, since the default initramfs has no ls). Programs are looked up in
 * /bin unless the name has a '/'. The shell ignores SIGINT and SIGQUIT, so
 * ^C ends the running command, not the shell; its children get the
 * default actions back. There is no job control: ^Z (SIGTSTP) is ignored
 * by the shell and by what it runs, so nothing stops out of reach. End of file (^D on an empty line) ends it.
 * Static musl; it runs natively too.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINE 4096
#define MAX_WORDS 128
#define MAX_STAGES 16

static int last_status;

/* Splits `line` into words (copied into `store`); returns the count, or -1 on an unclosed quote. */
static int split(const char *line, char *store, char **words) {
  int count = 0;
  const char *in = line;
  char *out = store;
  for (;;) {
    while (*in == ' ' || *in == '\t' || *in == '\n') in++;
    if (*in == '\0' || count == MAX_WORDS - 1) break;
    words[count++] = out;
    if (*in == '|') {
      *out++ = *in++;
      *out++ = '\0';
      continue;
    }
    while (*in != '\0' && *in != ' ' && *in != '\t' && *in != '\n' && *in != '|') {
      if (*in == '\'' || *in == '"') {
        char quote = *in++;
        while (*in != '\0' && *in != quote) *out++ = *in++;
        if (*in != quote) return -1;
        in++;
      } else if (*in == '\\' && in[1] != '\0') {
        in++;
        *out++ = *in++;
      } else {
        *out++ = *in++;
      }
    }
    *out++ = '\0';
  }
  words[count] = NULL;
  return count;
}

static void report(int status) {
  if (WIFEXITED(status)) {
    if (WEXITSTATUS(status) != 0) printf("[exit %d]\n", WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    int signal = WTERMSIG(status);
    printf("[killed by signal %d: %s]\n", signal, strsignal(signal));
  }
  fflush(stdout);
}

static void run_child(char **argv) {
  signal(SIGINT, SIG_DFL);
  signal(SIGQUIT, SIG_DFL);
  signal(SIGTSTP, SIG_IGN); /* no job control: nothing could continue it */
  if (strchr(argv[0], '/') != NULL) {
    execv(argv[0], argv);
  } else {
    char path[256];
    snprintf(path, sizeof path, "/bin/%s", argv[0]);
    execv(path, argv);
  }
  fprintf(stderr, "tsh: %s: %s\n", argv[0], errno == ENOENT ? "command not found" : strerror(errno));
  _exit(errno == ENOENT ? 127 : 126);
}

/* Runs `words` (count > 0): a built-in, or a pipeline of programs. */
static void run(char **words, int count) {
  if (strcmp(words[0], "exit") == 0) exit(count > 1 ? atoi(words[1]) : last_status);
  if (strcmp(words[0], "cd") == 0) {
    const char *to = count > 1 ? words[1] : "/";
    if (chdir(to) != 0) printf("tsh: cd: %s: %s\n", to, strerror(errno));
    return;
  }
  if (strcmp(words[0], "help") == 0) {
    printf("tsh: runs programs from /bin with arguments and pipes (a | b); built-ins cd, exit, help, ls.\n"
           "     Try: ls /bin, hello, hello | wc, parallel 2 1000000, spin 100000000 then ^C\n");
    return;
  }
  if (strcmp(words[0], "ls") == 0 && (count == 1 || (count == 2 && strcmp(words[1], "|") != 0))) {
    const char *where = count > 1 ? words[1] : ".";
    DIR *directory = opendir(where);
    if (directory == NULL) {
      printf("tsh: ls: %s: %s\n", where, strerror(errno));
      return;
    }
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL)
      if (entry->d_name[0] != '.') printf("%s\n", entry->d_name);
    closedir(directory);
    fflush(stdout);
    return;
  }
  char **stages[MAX_STAGES];
  int stage_count = 0;
  stages[stage_count++] = words;
  for (int i = 0; i < count; i++) {
    if (strcmp(words[i], "|") != 0) continue;
    words[i] = NULL;
    if (stage_count == MAX_STAGES || i + 1 >= count || words[i + 1] == NULL || strcmp(words[i + 1], "|") == 0) {
      printf("tsh: syntax error near '|'\n");
      return;
    }
    stages[stage_count++] = &words[i + 1];
  }
  if (stages[0][0] == NULL) {
    printf("tsh: syntax error near '|'\n");
    return;
  }
  fflush(stdout);
  pid_t pids[MAX_STAGES];
  int input = -1;
  for (int s = 0; s < stage_count; s++) {
    int ends[2] = {-1, -1};
    if (s + 1 < stage_count && pipe(ends) != 0) {
      printf("tsh: pipe: %s\n", strerror(errno));
      break;
    }
    pid_t child = fork();
    if (child == 0) {
      if (input >= 0) {
        dup2(input, 0);
        close(input);
      }
      if (ends[1] >= 0) {
        dup2(ends[1], 1);
        close(ends[0]);
        close(ends[1]);
      }
      run_child(stages[s]);
    }
    pids[s] = child;
    if (input >= 0) close(input);
    if (ends[1] >= 0) close(ends[1]);
    input = ends[0];
    if (child < 0) {
      printf("tsh: fork: %s\n", strerror(errno));
      stage_count = s;
      break;
    }
  }
  if (input >= 0) close(input);
  for (int s = 0; s < stage_count; s++) {
    int status = 0;
    while (waitpid(pids[s], &status, 0) < 0 && errno == EINTR) {
    }
    if (s == stage_count - 1) {
      last_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      report(status);
    }
  }
}

/*
 * The next line of standard input, without its newline, into `line`:
 * 1, or 0 at end of file (a last line without a newline still counts),
 * or -1 on a read error (errno set; EINTR: a signal came). A terminal
 * gives one line per read(2); a file or pipe may give many.
 */
static int read_line(char *line) {
  static char buffer[MAX_LINE];
  static size_t filled;
  for (;;) {
    char *newline = memchr(buffer, '\n', filled);
    if (newline != NULL || filled == sizeof buffer) {
      size_t length = newline != NULL ? (size_t)(newline - buffer) : filled;
      memcpy(line, buffer, length);
      line[length] = '\0';
      size_t used = newline != NULL ? length + 1 : length;
      memmove(buffer, buffer + used, filled - used);
      filled -= used;
      return 1;
    }
    ssize_t got = read(0, buffer + filled, sizeof buffer - filled);
    if (got < 0) return -1;
    if (got == 0) {
      if (filled == 0) return 0;
      memcpy(line, buffer, filled);
      line[filled] = '\0';
      filled = 0;
      return 1;
    }
    filled += (size_t)got;
  }
}

int main(void) {
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGTSTP, SIG_IGN);
  char line[MAX_LINE + 1];
  char store[2 * MAX_LINE + 2];
  char *words[MAX_WORDS];
  printf("tsh: the tsos shell (help lists what it does; exit or ^D leaves)\n");
  for (;;) {
    printf("tsos$ ");
    fflush(stdout);
    int got = read_line(line);
    if (got < 0) {
      if (errno == EINTR) {
        printf("\n");
        continue;
      }
      return 1;
    }
    if (got == 0) {
      printf("exit\n");
      return last_status;
    }
    int count = split(line, store, words);
    if (count < 0) {
      printf("tsh: unclosed quote\n");
      continue;
    }
    if (count > 0) run(words, count);
  }
}
