/*
 * fork-tree: fork, wait4 and exit-status propagation.
 *
 * 1. A binary tree of processes, TREE_DEPTH levels below the top (2 + 4 + 8
 *    processes), numbered like a heap (top 1, children of n are 2n and
 *    2n+1). Every process below the top exits with its own number, so each
 *    status is distinct. Every parent reaps its second child by pid first
 *    and then the first with wait4(-1); an inner process exits with its
 *    number only if both statuses were right (100 + its number otherwise),
 *    so a wrong status anywhere in a subtree shows up at the top. The odd
 *    leaves sleep 10 ms first, so some parents wait for a child that is
 *    still running and others reap one that already exited.
 *    Only the top prints.
 * 2. wait4(pid, WNOHANG) returns 0 while a child (made with clone(SIGCHLD),
 *    as libc's fork does) still sleeps 50 ms; a blocking wait4 then reaps it.
 * 3. Exit statuses are truncated to 8 bits (exit_group(256 + 5) is 5);
 *    0 and 255 come through unchanged.
 * 4. With no children left, wait4(-1) (blocking and WNOHANG) and wait4 of
 *    a pid that is not a child return -ECHILD.
 * Exit status: number of failed checks.
 */
#include "sys.h"

#define TREE_DEPTH 3

static int failures;

static void check(const char *name, int passed) { failures += print_check(name, passed); }

/* Runs node `id` at `level` (its subtree included) and returns its exit status. */
static int run_node(int id, int level) {
  if (level == TREE_DEPTH) {
    if (id & 1) sleep_ms(10);
    return id;
  }
  long first = fork_flushed();
  if (first == 0) child_exit(run_node(2 * id, level + 1));
  long second = fork_flushed();
  if (second == 0) child_exit(run_node(2 * id + 1, level + 1));
  if (first < 0 || second < 0) return 100 + id;
  int first_status = -1;
  int second_status = -1;
  long reaped_second = sys_wait4(second, &second_status, 0);
  long reaped_first = sys_wait4(-1, &first_status, 0);
  int ok = reaped_second == second && reaped_first == first && wait_exited(second_status) &&
           wait_exit_status(second_status) == 2 * id + 1 && wait_exited(first_status) &&
           wait_exit_status(first_status) == 2 * id;
  return ok ? id : 100 + id;
}

static void check_tree(void) {
  long first = fork_flushed();
  if (first == 0) child_exit(run_node(2, 1));
  long second = fork_flushed();
  if (second == 0) child_exit(run_node(3, 1));
  check("fork-returns-pids", first > 0 && second > 0 && first != second);
  int status = -1;
  long reaped = sys_wait4(second, &status, 0);
  check("wait4-specific-pid", reaped == second);
  print_wait_status("subtree 3 (wait4 by pid)", status);
  reaped = sys_wait4(-1, &status, 0);
  check("wait4-any-returns-remaining-child", reaped == first);
  print_wait_status("subtree 2 (wait4 -1)", status);
}

static void check_nohang(void) {
  print_flush();
  long child = sys_clone_fork();
  if (child == 0) {
    sleep_ms(50);
    child_exit(9);
  }
  check("clone-sigchld-returns-pid", child > 0);
  int status = -1;
  check("wait4-wnohang-running-child-returns-0", sys_wait4(child, &status, WNOHANG) == 0);
  check("wait4-wnohang-leaves-status", status == -1);
  check("wait4-blocking-reaps", sys_wait4(child, &status, 0) == child);
  print_wait_status("sleeping child", status);
}

static void check_status_bits(void) {
  static const int codes[] = {0, 255, 256 + 5};
  for (usize i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    long child = fork_flushed();
    if (child == 0) child_exit(codes[i]);
    int status = -1;
    long reaped = sys_wait4(child, &status, 0);
    print_str("exit_group(");
    print_u64((u64)codes[i]);
    print_str(") reaped=");
    print_str(reaped == child ? "yes" : "no");
    print_wait_status("", status);
  }
}

static void check_no_children(void) {
  int status = -1;
  print_kv_i64("wait4(-1) without children", sys_wait4(-1, &status, 0));
  print_kv_i64("wait4(-1, WNOHANG) without children", sys_wait4(-1, &status, WNOHANG));
  print_kv_i64("wait4(self)", sys_wait4(sys_getpid(), &status, 0));
  check("echild-leaves-status", status == -1);
}

int main(int argc, char **argv, char **envp) {
  (void)argc;
  (void)argv;
  (void)envp;
  check_tree();
  check_nohang();
  check_status_bits();
  check_no_children();
  return failures;
}
