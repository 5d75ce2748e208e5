/*
 * files: the file-descriptor and path system calls, on whatever file system
 * holds /tmp (so natively and under tsos alike).
 *
 * Works only inside a fresh /tmp/tsos-files-test (removed recursively first
 * if present, and again at the end), mostly by paths relative to it after
 * chdir. Prints only facts every Linux file system agrees on: file sizes
 * and contents, file types, a regular file's link count, sorted directory
 * names, error numbers, whether an fd is open. Never directory sizes or
 * link counts (btrfs differs), inode numbers, times, fd numbers (a host may
 * pass extra fds in) or absolute paths. The umask is set to 022 so the
 * created modes (and access X_OK) do not depend on the caller's.
 *
 * O_CLOEXEC across execve: a forked child execs argv[0] (so argv[0] must be
 * a path to this binary: natively its absolute path, under tsos /bin/files)
 * as `argv[0] exec-child <cloexec-fd> <plain-fd>`; that image checks the
 * first is closed, the second open at the offset the parent left, and
 * reports through its exit status (children never print).
 *
 * Output: `check <name> ok|FAIL` and `<name>: errno N ok|FAIL` lines.
 * Exit status: the number of failed checks (0 when all passed).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_DIR "/tmp/tsos-files-test"
#define TEST_DIR_NAME "tsos-files-test"

/* Offset the parent leaves the plain fd at before the exec; the child reads from there. */
#define EXEC_OFFSET 6
#define EXEC_TEXT "inherited"

/* Child exit-status bits: which exec-child fact was wrong. */
#define EXEC_BAD_CLOEXEC_OPEN 1
#define EXEC_BAD_PLAIN_CLOSED 2
#define EXEC_BAD_PLAIN_FLAGS 4
#define EXEC_BAD_PLAIN_DATA 8
#define EXEC_BAD_ARGS 16

static int failures;

static void check(const char *name, int passed) {
  printf("check %s %s\n", name, passed ? "ok" : "FAIL");
  failures += !passed;
}

/* A call that must fail (-1) with errno `expected`; `result` is its return value. */
static void expect_errno(const char *name, long result, int expected) {
  int error = errno;
  if (result == -1 && error == expected) {
    printf("%s: errno %d ok\n", name, error);
    return;
  }
  printf("%s: result %ld errno %d FAIL (want errno %d)\n", name, result, result == -1 ? error : 0, expected);
  failures++;
}

/* Writes all of `text` to `fd`; true when write returned its whole length. */
static int write_text(int fd, const char *text) {
  size_t length = strlen(text);
  return write(fd, text, length) == (ssize_t)length;
}

/* Creates `path` (mode 0644 under umask 022) holding `text`; true on success. */
static int create_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 0;
  int written = write_text(fd, text);
  return close(fd) == 0 && written;
}

/* Reads exactly `length` bytes at `offset` of `fd` and compares them with `text`. */
static int pread_equals(int fd, off_t offset, const char *text) {
  char buffer[64];
  size_t length = strlen(text);
  if (length > sizeof buffer) return 0;
  return pread(fd, buffer, length, offset) == (ssize_t)length && memcmp(buffer, text, length) == 0;
}

static off_t file_size(int fd) {
  struct stat status;
  return fstat(fd, &status) == 0 ? status.st_size : -1;
}

/* Removes `path` and, if it is a directory (not followed through symlinks), all below it. */
static void remove_tree(const char *path) {
  struct stat status;
  if (lstat(path, &status) != 0) return;
  if (!S_ISDIR(status.st_mode)) {
    unlink(path);
    return;
  }
  DIR *directory = opendir(path);
  if (directory != NULL) {
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
      if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
      char child[PATH_MAX];
      snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
      remove_tree(child);
    }
    closedir(directory);
  }
  rmdir(path);
}

/* ---- the exec'd image ---- */

/* argv: [self, "exec-child", cloexec fd, plain fd]. Returns the EXEC_BAD_* bits. */
static int exec_child(int argc, char **argv) {
  if (argc != 4) return EXEC_BAD_ARGS;
  int cloexec_fd = atoi(argv[2]);
  int plain_fd = atoi(argv[3]);
  int bad = 0;
  errno = 0;
  if (!(fcntl(cloexec_fd, F_GETFD) == -1 && errno == EBADF)) bad |= EXEC_BAD_CLOEXEC_OPEN;
  int flags = fcntl(plain_fd, F_GETFD);
  if (flags == -1) return bad | EXEC_BAD_PLAIN_CLOSED;
  if (flags & FD_CLOEXEC) bad |= EXEC_BAD_PLAIN_FLAGS;
  char buffer[sizeof EXEC_TEXT];
  size_t length = strlen(EXEC_TEXT);
  if (read(plain_fd, buffer, length) != (ssize_t)length || memcmp(buffer, EXEC_TEXT, length) != 0) {
    bad |= EXEC_BAD_PLAIN_DATA;
  }
  return bad;
}

/* ---- the checks, in groups ---- */

static void test_create_read_write(void) {
  int fd = open("data", O_RDWR | O_CREAT | O_EXCL, 0644);
  check("open-creat-excl", fd >= 0);
  expect_errno("open-creat-excl-again", open("data", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
  check("write", write_text(fd, "hello world"));
  check("lseek-cur-after-write", lseek(fd, 0, SEEK_CUR) == 11);
  check("lseek-set", lseek(fd, 0, SEEK_SET) == 0);
  char buffer[32];
  check("read-5", read(fd, buffer, 5) == 5 && memcmp(buffer, "hello", 5) == 0);
  check("lseek-cur+1", lseek(fd, 1, SEEK_CUR) == 6);
  check("read-rest", read(fd, buffer, sizeof buffer) == 5 && memcmp(buffer, "world", 5) == 0);
  check("read-at-end", read(fd, buffer, sizeof buffer) == 0);
  check("lseek-end", lseek(fd, 0, SEEK_END) == 11);
  check("lseek-end-5", lseek(fd, -5, SEEK_END) == 6);
  check("lseek-past-end", lseek(fd, 100, SEEK_SET) == 100);
  check("read-past-end", read(fd, buffer, sizeof buffer) == 0);
  expect_errno("lseek-negative", lseek(fd, -1, SEEK_SET), EINVAL);
  check("size-unchanged-by-seek", file_size(fd) == 11);

  check("pwrite", pwrite(fd, "WORLD", 5, 6) == 5);
  check("pwrite-keeps-offset", lseek(fd, 0, SEEK_CUR) == 100);
  check("pread", pread_equals(fd, 0, "hello WORLD"));
  check("pwrite-hole", pwrite(fd, "!", 1, 20) == 1 && file_size(fd) == 21);
  static const char hole[9] = {0};
  char middle[9];
  check("hole-reads-zeros", pread(fd, middle, 9, 11) == 9 && memcmp(middle, hole, 9) == 0);

  check("ftruncate-shrink", ftruncate(fd, 5) == 0 && file_size(fd) == 5);
  check("ftruncate-shrink-data", pread(fd, buffer, sizeof buffer, 0) == 5 && memcmp(buffer, "hello", 5) == 0);
  check("ftruncate-grow", ftruncate(fd, 8) == 0 && file_size(fd) == 8);
  check("ftruncate-grow-zeros", pread(fd, buffer, sizeof buffer, 0) == 8 && memcmp(buffer, "hello\0\0\0", 8) == 0);
  check("close", close(fd) == 0);

  fd = open("data", O_WRONLY | O_APPEND);
  check("open-append", fd >= 0);
  check("append-after-seek-0", lseek(fd, 0, SEEK_SET) == 0 && write_text(fd, "++"));
  check("append-offset-at-end", lseek(fd, 0, SEEK_CUR) == 10 && file_size(fd) == 10);
  close(fd);
  fd = open("data", O_RDONLY);
  check("append-data", pread(fd, buffer, sizeof buffer, 0) == 10 && memcmp(buffer, "hello\0\0\0++", 10) == 0);
  expect_errno("write-rdonly", write(fd, "x", 1), EBADF);
  close(fd);
  fd = open("data", O_WRONLY | O_TRUNC);
  check("open-trunc", fd >= 0 && file_size(fd) == 0);
  close(fd);
}

static void test_stat(void) {
  check("create-stat-file", create_file("stat-file", "12345"));
  check("symlink", symlink("stat-file", "stat-link") == 0);
  struct stat status;
  check("stat-file", stat("stat-file", &status) == 0 && S_ISREG(status.st_mode) && status.st_size == 5 &&
                         status.st_nlink == 1 && (status.st_mode & 07777) == 0644);
  check("stat-follows-link", stat("stat-link", &status) == 0 && S_ISREG(status.st_mode) && status.st_size == 5);
  check("lstat-link", lstat("stat-link", &status) == 0 && S_ISLNK(status.st_mode) &&
                          status.st_size == (off_t)strlen("stat-file"));
  check("stat-dir", stat(".", &status) == 0 && S_ISDIR(status.st_mode));
  int fd = open("stat-file", O_RDONLY);
  check("fstat", fd >= 0 && fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_size == 5);
  close(fd);
  char target[64];
  ssize_t length = readlink("stat-link", target, sizeof target);
  check("readlink", length == 9 && memcmp(target, "stat-file", 9) == 0);
  expect_errno("readlink-regular", readlink("stat-file", target, sizeof target), EINVAL);
  check("readlink-truncates", readlink("stat-link", target, 4) == 4 && memcmp(target, "stat", 4) == 0);

  check("create-not-exec", create_file("not-exec", "x"));
  fd = open("exec-file", O_WRONLY | O_CREAT | O_EXCL, 0755);
  check("create-exec-file", fd >= 0 && close(fd) == 0);
  check("access-f-ok", access("stat-file", F_OK) == 0);
  expect_errno("access-f-ok-missing", access("missing", F_OK), ENOENT);
  check("access-x-ok-0755", access("exec-file", X_OK) == 0);
  check("access-x-ok-dir", access(".", X_OK) == 0);
  /* Even root gets EACCES for X_OK on a file with no execute bit. */
  expect_errno("access-x-ok-0644", access("not-exec", X_OK), EACCES);
}

/* One record of getdents64's buffer (struct linux_dirent64). */
struct directory_record {
  unsigned long long inode;
  long long next_offset;
  unsigned short record_length;
  unsigned char type;
  char name[];
};

/* Collects the names getdents64 returns for `path` (in 64-byte reads) and prints them sorted. */
static int compare_names(const void *left, const void *right) {
  return strcmp(*(char *const *)left, *(char *const *)right);
}

static void list_directory(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  char buffer[64] __attribute__((aligned(8)));
  char names[16][32];
  char *sorted[16];
  int count = 0;
  int calls = 0;
  long got;
  while ((got = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
    calls++;
    for (long offset = 0; offset < got;) {
      const struct directory_record *record = (const struct directory_record *)(buffer + offset);
      if (count < 16) {
        size_t length = strnlen(record->name, sizeof names[0] - 1);
        memcpy(names[count], record->name, length);
        names[count++][length] = '\0';
      }
      offset += record->record_length;
    }
  }
  check("getdents64-end", got == 0);
  check("getdents64-several-calls", calls > 1);
  for (int i = 0; i < count; i++) sorted[i] = names[i];
  qsort(sorted, count, sizeof sorted[0], compare_names);
  printf("listing of %s:", path);
  for (int i = 0; i < count; i++) printf(" %s", sorted[i]);
  printf("\n");
  char tiny[8];
  lseek(fd, 0, SEEK_SET);
  expect_errno("getdents64-buffer-too-small", syscall(SYS_getdents64, fd, tiny, sizeof tiny), EINVAL);
  close(fd);
}

static void test_directories(void) {
  check("mkdir", mkdir("list", 0755) == 0);
  expect_errno("mkdir-exists", mkdir("list", 0755), EEXIST);
  check("create-list-files", create_file("list/charlie", "c") && create_file("list/alpha", "a") &&
                                 create_file("list/bravo", "b") && mkdir("list/delta", 0755) == 0);
  list_directory("list");
  int fd = open("stat-file", O_RDONLY);
  char buffer[64];
  expect_errno("getdents64-regular", syscall(SYS_getdents64, fd, buffer, sizeof buffer), ENOTDIR);
  close(fd);
  expect_errno("open-directory-regular", open("stat-file", O_RDONLY | O_DIRECTORY), ENOTDIR);
  expect_errno("open-dir-for-write", open("list", O_WRONLY), EISDIR);

  expect_errno("rmdir-not-empty", rmdir("list"), ENOTEMPTY);
  expect_errno("rmdir-regular", rmdir("list/alpha"), ENOTDIR);
  expect_errno("unlink-dir", unlink("list/delta"), EISDIR);
  check("rmdir-empty", rmdir("list/delta") == 0);
  expect_errno("rmdir-gone", rmdir("list/delta"), ENOENT);
  check("unlink", unlink("list/alpha") == 0);
  expect_errno("unlink-gone", unlink("list/alpha"), ENOENT);

  check("rename", rename("list/bravo", "list/renamed") == 0);
  expect_errno("rename-old-gone", access("list/bravo", F_OK), ENOENT);
  fd = open("list/renamed", O_RDONLY);
  check("rename-keeps-data", fd >= 0 && pread_equals(fd, 0, "b"));
  close(fd);
  check("rename-replaces", rename("list/renamed", "list/charlie") == 0);
  fd = open("list/charlie", O_RDONLY);
  check("rename-replaced-data", fd >= 0 && pread_equals(fd, 0, "b") && file_size(fd) == 1);
  close(fd);
  check("rename-dir", rename("list", "list2") == 0 && access("list2/charlie", F_OK) == 0);
  list_directory("list2");
  check("unlink-open-file", (fd = open("list2/charlie", O_RDONLY)) >= 0 && unlink("list2/charlie") == 0);
  check("unlinked-still-readable", pread_equals(fd, 0, "b"));
  close(fd);
  check("rmdir-now-empty", rmdir("list2") == 0);
}

static void test_path_errors(void) {
  expect_errno("open-missing", open("missing", O_RDONLY), ENOENT);
  expect_errno("open-missing-dir", open("missing/file", O_RDONLY), ENOENT);
  struct stat status;
  expect_errno("stat-missing", stat("missing", &status), ENOENT);
  expect_errno("open-through-file", open("stat-file/x", O_RDONLY), ENOTDIR);
  expect_errno("stat-through-file", stat("stat-file/x", &status), ENOTDIR);
  char long_name[300];
  memset(long_name, 'n', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  expect_errno("open-name-too-long", open(long_name, O_RDONLY | O_CREAT, 0644), ENAMETOOLONG);
  expect_errno("mkdir-name-too-long", mkdir(long_name, 0755), ENAMETOOLONG);
  check("symlink-loop", symlink("loop-b", "loop-a") == 0 && symlink("loop-a", "loop-b") == 0);
  expect_errno("open-loop", open("loop-a", O_RDONLY), ELOOP);
  expect_errno("stat-loop", stat("loop-a", &status), ELOOP);
  check("lstat-loop", lstat("loop-a", &status) == 0 && S_ISLNK(status.st_mode));
  expect_errno("open-nofollow", open("stat-link", O_RDONLY | O_NOFOLLOW), ELOOP);
  expect_errno("symlink-exists", symlink("x", "stat-link"), EEXIST);
  check("dangling-symlink", symlink("nowhere", "dangling") == 0);
  expect_errno("open-dangling", open("dangling", O_RDONLY), ENOENT);
}

static void test_descriptors(void) {
  int fd = open("fds", O_RDWR | O_CREAT | O_EXCL, 0644);
  write_text(fd, "0123456789");
  int spare = open("fds", O_RDONLY);
  close(spare);
  int copy = dup(fd);
  check("dup-lowest-free", copy == spare);
  check("dup-shares-offset", lseek(fd, 3, SEEK_SET) == 3 && lseek(copy, 0, SEEK_CUR) == 3);
  check("dup-no-cloexec", fcntl(copy, F_GETFD) == 0);
  check("dup2", dup2(fd, 100) == 100 && lseek(100, 0, SEEK_CUR) == 3);
  check("dup2-same", dup2(fd, fd) == fd);
  check("dup2-replaces", dup2(copy, 100) == 100 && fcntl(100, F_GETFD) == 0);
  check("dup3-cloexec", dup3(fd, 101, O_CLOEXEC) == 101 && fcntl(101, F_GETFD) == FD_CLOEXEC);
  expect_errno("dup3-same", dup3(fd, fd, 0), EINVAL);
  expect_errno("dup2-bad", dup2(555, 102), EBADF);
  check("f-setfd", fcntl(101, F_SETFD, 0) == 0 && fcntl(101, F_GETFD) == 0);
  check("f-setfd-cloexec", fcntl(100, F_SETFD, FD_CLOEXEC) == 0 && fcntl(100, F_GETFD) == FD_CLOEXEC);
  check("f-dupfd-cloexec", fcntl(fd, F_DUPFD_CLOEXEC, 120) == 120 && fcntl(120, F_GETFD) == FD_CLOEXEC);
  check("f-dupfd", fcntl(fd, F_DUPFD, 120) == 121 && fcntl(121, F_GETFD) == 0);

  int mask = O_ACCMODE | O_APPEND | O_NONBLOCK;
  check("f-getfl-rdwr", (fcntl(fd, F_GETFL) & mask) == O_RDWR);
  check("f-setfl-append", fcntl(fd, F_SETFL, O_APPEND) == 0 && (fcntl(fd, F_GETFL) & mask) == (O_RDWR | O_APPEND));
  check("f-setfl-shared-by-dup", (fcntl(copy, F_GETFL) & mask) == (O_RDWR | O_APPEND));
  check("f-setfl-append-writes-at-end", lseek(fd, 0, SEEK_SET) == 0 && write_text(fd, "AB") && file_size(fd) == 12 &&
                                             pread_equals(fd, 10, "AB"));
  check("f-setfl-clear", fcntl(fd, F_SETFL, 0) == 0 && (fcntl(fd, F_GETFL) & mask) == O_RDWR);
  int reader = open("fds", O_RDONLY);
  check("f-getfl-rdonly", (fcntl(reader, F_GETFL) & mask) == O_RDONLY);
  close(reader);

  expect_errno("close-bad", close(555), EBADF);
  expect_errno("close-twice", (close(121), close(121)), EBADF);
  expect_errno("fcntl-closed", fcntl(121, F_GETFD), EBADF);
  char byte;
  expect_errno("read-bad", read(555, &byte, 1), EBADF);
  expect_errno("dup-bad", dup(555), EBADF);
  close(100);
  close(101);
  close(120);
  close(copy);
  check("fd-still-open-after-closing-dups", pread_equals(fd, 0, "0123456789AB"));
  close(fd);
}

static void test_devices(void) {
  char buffer[4096];
  memset(buffer, 0xa5, sizeof buffer);
  int fd = open("/dev/zero", O_RDONLY);
  ssize_t got = read(fd, buffer, sizeof buffer);
  int zeros = 1;
  for (size_t i = 0; i < sizeof buffer; i++) zeros &= buffer[i] == 0;
  check("dev-zero", fd >= 0 && got == (ssize_t)sizeof buffer && zeros);
  close(fd);
  fd = open("/dev/null", O_RDWR);
  check("dev-null-write", fd >= 0 && write(fd, buffer, sizeof buffer) == (ssize_t)sizeof buffer);
  check("dev-null-read", read(fd, buffer, sizeof buffer) == 0);
  close(fd);
  fd = open("/dev/urandom", O_RDONLY);
  printf("dev-urandom read %zd bytes\n", fd >= 0 ? read(fd, buffer, 16) : -1);
  close(fd);

  char target[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", target, sizeof target);
  printf("proc-self-exe readlink %s\n", length > 0 && target[0] == '/' ? "ok" : "FAIL");
  failures += !(length > 0 && target[0] == '/');
  fd = open("/proc/self/exe", O_RDONLY);
  int elf = fd >= 0 && read(fd, buffer, 4) == 4 && memcmp(buffer, "\x7f" "ELF", 4) == 0;
  printf("proc-self-exe elf %s\n", elf ? "ok" : "FAIL");
  failures += !elf;
  close(fd);
}

static void test_exec_cloexec(const char *self) {
  int cloexec_fd = open("exec-data", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  int plain_fd = open("exec-data", O_RDWR);
  check("open-cloexec-flag", fcntl(cloexec_fd, F_GETFD) == FD_CLOEXEC && fcntl(plain_fd, F_GETFD) == 0);
  write_text(plain_fd, "ahead " EXEC_TEXT);
  lseek(plain_fd, EXEC_OFFSET, SEEK_SET);
  char cloexec_text[16];
  char plain_text[16];
  snprintf(cloexec_text, sizeof cloexec_text, "%d", cloexec_fd);
  snprintf(plain_text, sizeof plain_text, "%d", plain_fd);
  char *child_argv[] = {(char *)self, "exec-child", cloexec_text, plain_text, NULL};
  char *child_envp[] = {NULL};
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    execve(self, child_argv, child_envp);
    _exit(100);
  }
  int status = 0;
  check("exec-fork-wait", child > 0 && waitpid(child, &status, 0) == child);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 100) printf("exec-child: execve failed\n");
  int bits = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
  check("exec-cloexec-fd-closed", !(bits & EXEC_BAD_CLOEXEC_OPEN));
  check("exec-plain-fd-open", !(bits & EXEC_BAD_PLAIN_CLOSED));
  check("exec-plain-fd-not-cloexec", !(bits & EXEC_BAD_PLAIN_FLAGS));
  check("exec-plain-fd-offset-and-data", !(bits & EXEC_BAD_PLAIN_DATA));
  check("exec-child-clean-exit", bits == 0);
  check("exec-offset-shared-with-child", lseek(plain_fd, 0, SEEK_CUR) == EXEC_OFFSET + (off_t)strlen(EXEC_TEXT));
  close(cloexec_fd);
  close(plain_fd);
}

/* Record locks (fcntl) and flock on a file of this process: every set succeeds, F_GETLK sees no conflict. */
static void test_locks(void) {
  int fd = open("locked", O_RDWR | O_CREAT | O_EXCL, 0644);
  int readonly = open("locked", O_RDONLY);
  struct flock lock;
  memset(&lock, 0, sizeof lock);
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_len = 10;
  check("setlk-write", fcntl(fd, F_SETLK, &lock) == 0);
  check("setlkw-write", fcntl(fd, F_SETLKW, &lock) == 0);
  lock.l_type = F_RDLCK;
  check("getlk-own-lock-no-conflict", fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type == F_UNLCK);
  lock.l_type = F_WRLCK;
  expect_errno("setlk-write-on-readonly", fcntl(readonly, F_SETLK, &lock), EBADF);
  lock.l_type = 7;
  expect_errno("setlk-bad-type", fcntl(fd, F_SETLK, &lock), EINVAL);
  lock.l_type = F_UNLCK;
  expect_errno("getlk-unlck", fcntl(fd, F_GETLK, &lock), EINVAL);
  check("setlk-unlock", fcntl(fd, F_SETLK, &lock) == 0);
  lock.l_type = F_RDLCK;
  lock.l_whence = 5;
  expect_errno("setlk-bad-whence", fcntl(fd, F_SETLK, &lock), EINVAL);
  lock.l_whence = SEEK_SET;
  check("ofd-setlk", fcntl(fd, F_OFD_SETLK, &lock) == 0);
  lock.l_pid = 1;
  expect_errno("ofd-setlk-with-pid", fcntl(fd, F_OFD_SETLK, &lock), EINVAL);
  expect_errno("setlk-bad-pointer", fcntl(fd, F_SETLK, (struct flock *)8), EFAULT);
  check("flock-ex", flock(fd, LOCK_EX) == 0);
  check("flock-convert-sh-nb", flock(fd, LOCK_SH | LOCK_NB) == 0);
  check("flock-un", flock(fd, LOCK_UN) == 0);
  expect_errno("flock-bad-op", flock(fd, 0), EINVAL);
  expect_errno("flock-bad-fd", flock(999, LOCK_EX), EBADF);
  close(readonly);
  close(fd);
  check("unlink-locked", unlink("locked") == 0);
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "exec-child") == 0) return exec_child(argc, argv);
  umask(022);
  remove_tree(TEST_DIR);
  check("mkdir-test-dir", mkdir(TEST_DIR, 0755) == 0);
  check("chdir", chdir(TEST_DIR) == 0);
  char cwd[PATH_MAX];
  const char *last = getcwd(cwd, sizeof cwd) != NULL ? strrchr(cwd, '/') : NULL;
  printf("getcwd last component: %s\n", last != NULL ? last + 1 : "(none)");
  expect_errno("getcwd-too-small", getcwd(cwd, 4) == NULL ? -1 : 0, ERANGE);

  test_create_read_write();
  test_stat();
  test_directories();
  test_path_errors();
  test_descriptors();
  test_devices();
  test_exec_cloexec(argv[0]);
  test_locks();

  check("chdir-out", chdir("/") == 0);
  remove_tree(TEST_DIR);
  struct stat status;
  expect_errno("test-dir-removed", stat(TEST_DIR, &status), ENOENT);
  printf("%d checks failed\n", failures);
  return failures > 255 ? 255 : failures;
}
