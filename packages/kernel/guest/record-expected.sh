#!/bin/sh
# Records the native (oracle) result of every catalog run: for run <name>,
# expected/<name>.out (stdout bytes), expected/<name>.err (stderr bytes) and
# expected/<name>.status (the exit status as a shell reports it: 128 + the
# signal number if the program was killed). Each run is executed three
# times and must give identical results every time (the programs print
# only deterministic facts); otherwise nothing is written for it and the
# script fails. Must run on x86-64 Linux.
# The arguments and environments here must equal `args` and `env` in
# catalog.ts. argv[0] is bin/<binary> here; no program prints argv[0].
# bench-exec execs argv[0], so it gets the binary's absolute path as argv[0]
# (under tsos the kernel's path for it, e.g. /bin/bench-exec, plays that role);
# so do files, which re-execs itself to check O_CLOEXEC, signals (masks across exec) and threads
# (execve from a second thread).
set -eu
cd "$(dirname "$0")"

RUNS="hello exit-codes exit-codes-default fork-tree orphan memory faults time rlimit waitid readiness
musl-hello musl-stdio musl-malloc musl-qsort musl-env musl-string files oom signals threads futex threads-glibc signal-storm job-control epoll wc parallel
fpfuzz float-print float-env float-math float-print-glibc float-math-glibc
bench-getpid bench-yield bench-fork bench-exec spin xmm-switch bench-signal bench-pipe bench-futex"

# run <name>: executes run <name> with exactly the catalog's argv and environment.
run() {
  case "$1" in
    exit-codes) env -i TSOS_GUEST_VAR=hello TSOS_GUEST_EMPTY= bin/exit-codes 300 "two words" "" ;;
    exit-codes-default) env -i bin/exit-codes ;;
    musl-env) env -i TSOS_GUEST_VAR=hello TSOS_GUEST_EMPTY= bin/musl-env first "second arg" ;;
    bench-getpid | bench-yield | bench-fork | spin | xmm-switch | bench-signal | bench-pipe | bench-futex) env -i "bin/$1" 1000 ;;
    bench-exec) env -i "$PWD/bin/bench-exec" 1000 ;;
    files | signals | threads | threads-glibc) env -i "$PWD/bin/$1" ;;
    oom) env -i bin/oom 128 ;;
    parallel) env -i bin/parallel 2 200000 ;;
    wc) env -i bin/wc </dev/null ;;
    fpfuzz) env -i bin/fpfuzz 1 10000 ;;
    float-env) unreported env -i bin/float-env ;;
    *) env -i "bin/$1" ;;
  esac
}

# record_once <name> <prefix>: one run into <prefix>.out/.err/.status.
record_once() {
  status=0
  run "$1" >"$2.out" 2>"$2.err" || status=$?
  echo "$status" >"$2.status"
}

# unreported <command...>: runs it and exits with the status a shell would
# report (128 + signal), without the shell's own "Floating point exception"
# line landing in the program's recorded stderr.
unreported() {
  python3 -c 'import subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; sys.exit(128 - code if code < 0 else code)' "$@"
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p expected
failed=0
for name in $RUNS; do
  for attempt in 1 2 3; do record_once "$name" "$scratch/$name.$attempt"; done
  stable=1
  for suffix in out err status; do
    for attempt in 2 3; do
      if ! cmp -s "$scratch/$name.1.$suffix" "$scratch/$name.$attempt.$suffix"; then
        echo "record-expected: $name: .$suffix of run $attempt differs from run 1" >&2
        stable=0
      fi
    done
  done
  if [ "$stable" = 0 ]; then
    failed=1
    continue
  fi
  for suffix in out err status; do cp "$scratch/$name.1.$suffix" "expected/$name.$suffix"; done
  echo "$name: status $(cat "expected/$name.status"), $(wc -c <"expected/$name.out") bytes of stdout, $(wc -c <"expected/$name.err") of stderr"
done
exit $failed
