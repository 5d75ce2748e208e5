/*
 * wc: counts lines, words and bytes of standard input (or of each file
 * named), printed as GNU coreutils' wc prints them for the same input —
 * the reader end of the default workload's pipeline (`hello | wc`).
 * Reads with read(2) in 4 KiB chunks, so a pipe's reader blocks and wakes
 * as its writer fills it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

struct counts {
  unsigned long long lines, words, bytes;
};

static int count(int fd, struct counts *total) {
  char buffer[4096];
  int in_word = 0;
  for (;;) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0) return -1;
    if (got == 0) break;
    total->bytes += (unsigned long long)got;
    for (ssize_t i = 0; i < got; i++) {
      char c = buffer[i];
      if (c == '\n') total->lines++;
      int space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
      if (!space && !in_word) total->words++;
      in_word = !space;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    struct counts total = {0, 0, 0};
    if (count(0, &total) < 0) {
      perror("wc: read");
      return 1;
    }
    printf("%7llu %7llu %7llu\n", total.lines, total.words, total.bytes);
    return 0;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    struct counts total = {0, 0, 0};
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0 || count(fd, &total) < 0) {
      fprintf(stderr, "wc: %s: cannot read\n", argv[i]);
      status = 1;
      if (fd >= 0) close(fd);
      continue;
    }
    close(fd);
    printf("%llu %llu %llu %s\n", total.lines, total.words, total.bytes, argv[i]);
  }
  return status;
}
