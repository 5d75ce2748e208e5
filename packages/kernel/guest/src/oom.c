/*
 * oom: asks for more memory than a small machine has.
 *
 * argv[1] = MiB to allocate (default 1024). One anonymous private mmap of
 * that size, then one write per 4 KiB page (so every page needs a frame of
 * its own, not the shared zero page), printing "touched N MiB" after each
 * 64 MiB (flushed at once, so a kill leaves the progress so far visible).
 * Then every page is read back; "done" and exit 0 when all held their
 * value. Natively on a large machine it finishes; under a kernel with less
 * memory than asked the kernel is expected to kill it (SIGKILL) and carry
 * on — what a test checks there is the kernel, not this output.
 * A refused mmap prints "mmap failed errno N" (exit 1).
 * Usage: oom [MiB = 1024]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE_SIZE 4096UL
#define MIB (1024UL * 1024UL)
#define PROGRESS_MIB 64UL

/* The byte page `index` holds: never 0, so a lost page (read back as zero) shows. */
static unsigned char page_mark(size_t index) { return (unsigned char)(index % 251 + 1); }

int main(int argc, char **argv) {
  unsigned long mebibytes = argc >= 2 ? strtoul(argv[1], NULL, 10) : 1024;
  size_t length = mebibytes * MIB;
  unsigned char *memory = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    printf("mmap failed errno %d\n", errno);
    return 1;
  }
  size_t pages = length / PAGE_SIZE;
  size_t pages_per_report = PROGRESS_MIB * MIB / PAGE_SIZE;
  for (size_t page = 0; page < pages; page++) {
    memory[page * PAGE_SIZE] = page_mark(page);
    if ((page + 1) % pages_per_report == 0) {
      printf("touched %zu MiB\n", (page + 1) / pages_per_report * PROGRESS_MIB);
      fflush(stdout);
    }
  }
  for (size_t page = 0; page < pages; page++) {
    if (memory[page * PAGE_SIZE] != page_mark(page)) {
      printf("FAIL page %zu lost its value\n", page);
      return 1;
    }
  }
  printf("done\n");
  return 0;
}
