/*
 * musl-env: the environment as musl sees it.
 *
 * Counts environ, reads TSOS_GUEST_VAR and TSOS_GUEST_EMPTY (passed in by
 * the catalog) and an absent name, then setenv of a new name, setenv
 * without and with overwrite, putenv, unsetenv, and checks environ's count
 * after each change. Also prints argc and argv[1..] (not argv[0], which is
 * host-dependent).
 * Exit status: 0 when every fact matched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int failures;

static size_t environ_count(void) {
  size_t count = 0;
  while (environ[count] != NULL) count++;
  return count;
}

static void check(const char *name, int passed) {
  printf("check %s %s\n", name, passed ? "ok" : "FAIL");
  failures += !passed;
}

static const char *show(const char *value) { return value == NULL ? "(null)" : value; }

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  size_t initial = environ_count();
  printf("environ count %zu\n", initial);
  for (size_t i = 0; i < initial; i++) printf("environ[%zu]=%s\n", i, environ[i]);
  printf("TSOS_GUEST_VAR=%s\n", show(getenv("TSOS_GUEST_VAR")));
  printf("TSOS_GUEST_EMPTY=[%s]\n", show(getenv("TSOS_GUEST_EMPTY")));
  printf("TSOS_GUEST_ABSENT=%s\n", show(getenv("TSOS_GUEST_ABSENT")));

  check("setenv-new", setenv("TSOS_GUEST_NEW", "fresh", 0) == 0);
  check("setenv-new-visible", strcmp(show(getenv("TSOS_GUEST_NEW")), "fresh") == 0);
  check("environ-grew", environ_count() == initial + 1);
  setenv("TSOS_GUEST_VAR", "ignored", 0);
  check("setenv-no-overwrite", strcmp(show(getenv("TSOS_GUEST_VAR")), "ignored") != 0);
  setenv("TSOS_GUEST_VAR", "replaced", 1);
  check("setenv-overwrite", strcmp(show(getenv("TSOS_GUEST_VAR")), "replaced") == 0);
  check("environ-same-after-overwrite", environ_count() == initial + 1);
  static char put[] = "TSOS_GUEST_PUT=put";
  check("putenv", putenv(put) == 0 && strcmp(show(getenv("TSOS_GUEST_PUT")), "put") == 0);
  check("unsetenv", unsetenv("TSOS_GUEST_NEW") == 0 && getenv("TSOS_GUEST_NEW") == NULL);
  check("unsetenv-absent", unsetenv("TSOS_GUEST_ABSENT") == 0);
  check("environ-after-unset", environ_count() == initial + 1);
  check("setenv-bad-name", setenv("BAD=NAME", "x", 1) == -1);
  printf("final environ count %zu\n", environ_count());
  return failures;
}
