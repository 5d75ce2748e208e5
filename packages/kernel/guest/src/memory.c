/*
 * memory: the process address space.
 *
 * - brk: query, grow by 1 MiB, touch every page, shrink back; a child
 *   touching the released range dies of SIGSEGV; growing again gives
 *   zero-filled pages; brk below the start of the heap is refused.
 * - mmap: anonymous private mappings are page-aligned, zero-filled and
 *   writable; MAP_FIXED maps at the requested address; munmap of the
 *   middle page splits the mapping (a child touching the hole dies of
 *   SIGSEGV, its neighbours stay usable); a PROT_NONE page kills a reader.
 * - mprotect: a page made read-only can still be read by a child, a child
 *   writing it dies of SIGSEGV, and after mprotect back to read-write the
 *   parent writes it.
 * - copy-on-write: after fork, the parent writes a page the child then
 *   reads (the child sees the old value); the child writes pages the parent
 *   reads after reaping it (the parent sees its own values). Checked for a
 *   .data global, a .bss array, the stack, a brk page and an mmap page.
 * Children report through exit statuses; only the parent prints.
 * Exit status: number of failed checks.
 */
#include "sys.h"

#define PAGE_SIZE 4096UL
#define MIB (1024L * 1024L)
/* An address far from the program (0x400000), its heap and the stack. */
#define FIXED_ADDRESS 0x200000000UL

static int failures;

static void check(const char *name, int passed) { failures += print_check(name, passed); }

static void *map_anonymous(usize length, int prot) {
  long address = sys_mmap(NULL, length, prot, RT_MAP_PRIVATE | RT_MAP_ANONYMOUS, -1, 0);
  return address < 0 ? NULL : (void *)address;
}

/* Forks a child that reads (write == 0) or writes one byte at `address` and exits 0; returns the wait status. */
static int probe_in_child(volatile u8 *address, int write) {
  long child = fork_flushed();
  if (child == 0) {
    if (write) {
      *address = 0x77;
    } else {
      (void)*address;
    }
    child_exit(0);
  }
  int status = -1;
  if (child < 0 || sys_wait4(child, &status, 0) != child) return -1;
  return status;
}

static void probe(const char *label, volatile u8 *address, int write) {
  print_wait_status(label, probe_in_child(address, write));
}

static int all_bytes_are(const u8 *bytes, usize length, u8 value) {
  for (usize i = 0; i < length; i++)
    if (bytes[i] != value) return 0;
  return 1;
}

static void check_brk(void) {
  long start = sys_brk(NULL);
  check("brk-query", start > 0);
  long grown = sys_brk((void *)(start + MIB));
  check("brk-grow-1mib", grown == start + MIB);
  if (grown != start + MIB) return;
  u8 *heap = (u8 *)start;
  int zero = 1;
  for (usize offset = 0; offset < (usize)MIB; offset += PAGE_SIZE) zero &= heap[offset] == 0 && heap[offset + PAGE_SIZE - 1] == 0;
  check("brk-pages-zero", zero);
  for (usize offset = 0; offset < (usize)MIB; offset += PAGE_SIZE) heap[offset] = (u8)(offset / PAGE_SIZE);
  int kept = 1;
  for (usize offset = 0; offset < (usize)MIB; offset += PAGE_SIZE) kept &= heap[offset] == (u8)(offset / PAGE_SIZE);
  check("brk-pages-written", kept);
  /* Shrink to a page boundary so the released range is whole pages. */
  long keep = (start + (long)PAGE_SIZE - 1) & ~(long)(PAGE_SIZE - 1);
  check("brk-shrink", sys_brk((void *)keep) == keep);
  probe("touch released brk page", (u8 *)keep + 4 * PAGE_SIZE, 0);
  check("brk-regrow", sys_brk((void *)(keep + MIB)) == keep + MIB);
  check("brk-regrown-pages-zero", all_bytes_are((u8 *)keep, (usize)MIB, 0));
  check("brk-below-start-refused", sys_brk((void *)(start - MIB)) == keep + MIB);
  check("brk-restore", sys_brk((void *)start) == start);
}

static void check_mmap(void) {
  usize length = 64 * 1024;
  u8 *area = map_anonymous(length, RT_PROT_READ | RT_PROT_WRITE);
  check("mmap-anonymous", area != NULL && ((usize)area & (PAGE_SIZE - 1)) == 0);
  if (area == NULL) return;
  check("mmap-zero-filled", all_bytes_are(area, length, 0));
  memset(area, 0xa5, length);
  check("mmap-writable", all_bytes_are(area, length, 0xa5));
  check("munmap", sys_munmap(area, length) == 0);
  probe("touch unmapped page", area, 0);

  long fixed = sys_mmap((void *)FIXED_ADDRESS, 3 * PAGE_SIZE, RT_PROT_READ | RT_PROT_WRITE,
                        RT_MAP_PRIVATE | RT_MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  check("mmap-fixed-at-address", fixed == (long)FIXED_ADDRESS);
  if (fixed != (long)FIXED_ADDRESS) return;
  u8 *pages = (u8 *)fixed;
  memset(pages, 1, 3 * PAGE_SIZE);
  check("munmap-middle-page", sys_munmap(pages + PAGE_SIZE, PAGE_SIZE) == 0);
  probe("touch hole after split", pages + PAGE_SIZE, 0);
  probe("write first page after split", pages, 1);
  probe("write last page after split", pages + 2 * PAGE_SIZE, 1);
  check("split-neighbours-keep-data", pages[0] == 1 && pages[2 * PAGE_SIZE] == 1);
  check("munmap-across-hole", sys_munmap(pages, 3 * PAGE_SIZE) == 0);

  u8 *none = map_anonymous(PAGE_SIZE, PROT_NONE);
  check("mmap-prot-none", none != NULL);
  if (none != NULL) {
    probe("read PROT_NONE page", none, 0);
    sys_munmap(none, PAGE_SIZE);
  }
}

static void check_mprotect(void) {
  u8 *page = map_anonymous(PAGE_SIZE, RT_PROT_READ | RT_PROT_WRITE);
  check("mprotect-page-mapped", page != NULL);
  if (page == NULL) return;
  page[0] = 42;
  check("mprotect-read-only", sys_mprotect(page, PAGE_SIZE, RT_PROT_READ) == 0);
  probe("read read-only page", page, 0);
  probe("write read-only page", page, 1);
  check("read-only-page-unchanged", page[0] == 42);
  check("mprotect-read-write", sys_mprotect(page, PAGE_SIZE, RT_PROT_READ | RT_PROT_WRITE) == 0);
  page[0] = 43;
  check("write-after-mprotect-back", page[0] == 43);
  check("mprotect-unaligned-einval", sys_mprotect(page + 1, PAGE_SIZE, RT_PROT_READ) == -EINVAL);
  sys_munmap(page, PAGE_SIZE);
}

/* Memory of every kind the copy-on-write check covers. */
static volatile u64 data_word = 0x1111;
static volatile u64 bss_words[1024];

enum { COW_REGIONS = 5 };

/*
 * Child side of the copy-on-write check: waits so the parent has written its
 * copies, checks it still sees the values from before fork, then overwrites
 * every region. Exit status: bit i set when region i showed a wrong value.
 */
__attribute__((noreturn)) static void run_cow_child(volatile u64 *regions[COW_REGIONS]) {
  sleep_ms(20);
  int wrong = 0;
  for (int i = 0; i < COW_REGIONS; i++) {
    if (*regions[i] != 0x1111) wrong |= 1 << i;
    *regions[i] = 0x3333;
  }
  child_exit(wrong);
}

static void check_copy_on_write(void) {
  volatile u64 stack_word = 0x1111;
  long start = sys_brk(NULL);
  long heap_end = sys_brk((void *)(start + (long)PAGE_SIZE));
  u64 *mapped = map_anonymous(PAGE_SIZE, RT_PROT_READ | RT_PROT_WRITE);
  check("cow-setup", heap_end == start + (long)PAGE_SIZE && mapped != NULL);
  if (heap_end != start + (long)PAGE_SIZE || mapped == NULL) return;
  volatile u64 *regions[COW_REGIONS] = {&data_word, &bss_words[512], &stack_word, (u64 *)start, mapped};
  static const char *const names[COW_REGIONS] = {"data", "bss", "stack", "brk", "mmap"};
  for (int i = 1; i < COW_REGIONS; i++) *regions[i] = 0x1111;

  long child = fork_flushed();
  if (child == 0) run_cow_child(regions);
  for (int i = 0; i < COW_REGIONS; i++) *regions[i] = 0x2222;
  int status = -1;
  check("cow-child-reaped", sys_wait4(child, &status, 0) == child);
  check("cow-child-exited", wait_exited(status));
  for (int i = 0; i < COW_REGIONS; i++) {
    print_str("cow ");
    print_str(names[i]);
    print_str(": child saw old value ");
    print_str(wait_exited(status) && (wait_exit_status(status) & (1 << i)) == 0 ? "yes" : "no");
    print_str(", parent kept its value ");
    print_str(*regions[i] == 0x2222 ? "yes" : "no");
    print_char('\n');
  }
  sys_munmap(mapped, PAGE_SIZE);
  sys_brk((void *)start);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  check_brk();
  check_mmap();
  check_mprotect();
  check_copy_on_write();
  return failures;
}
