/*
 * bench-pipe: pipe throughput between two processes — the parent writes N
 * blocks of 4 KiB into a pipe, the child reads until end of file, checks
 * the first and last byte of each read (block i begins and ends with the
 * byte i & 0xff; writes of 4 KiB are atomic, so reads stay block-aligned)
 * and the total, then exits 0. The parent requires "exited 0". Prints
 * "bench-pipe N ok" (exit 0) or a FAIL line (exit 1).
 * Usage: bench-pipe [N = 1000]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BLOCK 4096

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 1000;
  int fds[2];
  if (pipe(fds) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(fds[1]);
    static unsigned char buffer[BLOCK];
    long total = 0, bad = 0;
    for (;;) {
      ssize_t got = read(fds[0], buffer, BLOCK);
      if (got <= 0) break;
      /* The first and last byte of each read (a full check would time the check, not the pipe). */
      bad += buffer[0] != (unsigned char)(total / BLOCK);
      bad += buffer[got - 1] != (unsigned char)((total + got - 1) / BLOCK);
      total += got;
    }
    _exit(total == count * BLOCK && bad == 0 ? 0 : 1);
  }
  close(fds[0]);
  static unsigned char block[BLOCK];
  for (long i = 0; i < count; i++) {
    /* Only the bytes the child checks change: a memset per block would time the CPU's rep stosb. */
    block[0] = block[BLOCK - 1] = (unsigned char)(i & 0xff);
    for (long done = 0; done < BLOCK;) {
      ssize_t put = write(fds[1], block + done, BLOCK - done);
      if (put <= 0) {
        printf("bench-pipe %ld FAIL write %ld\n", count, i);
        return 1;
      }
      done += put;
    }
  }
  close(fds[1]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    printf("bench-pipe %ld FAIL child-status %d\n", count, status);
    return 1;
  }
  printf("bench-pipe %ld ok\n", count);
  return 0;
}
