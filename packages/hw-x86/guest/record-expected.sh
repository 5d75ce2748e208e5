#!/bin/sh
# Records the native (oracle) output of every guest binary: for bin/<name>,
# expected/<name>.out and expected/<name>.status with the default arguments
# (the benchmark size) and expected/<name>.quick.out / .quick.status with
# the small "quick" argument tests use. Fails if two variants (-O0/-O2/-O3,
# gpr/sse) of one program disagree. Must run on x86-64 Linux.
# The quick arguments must match `quickArgs` in catalog.ts (the catalog test
# re-runs every binary natively and would catch a mismatch).
set -eu
cd "$(dirname "$0")"

quick_args() {
  case "$1" in
    arith) echo 20000 ;;
    control) echo 200 ;;
    strings) echo 2 ;;
    syscalls) echo 1 ;;
    sieve) echo 1 ;;
    crc32) echo 2 ;;
    sha256) echo 4 ;;
    matmul) echo 2 ;;
    nbody) echo 2000 ;;
    dtoa) echo 2000 ;;
    *) echo "record-expected: no quick arguments for $1" >&2; exit 1 ;;
  esac
}

record() { # record <binary> <output prefix> [args...]
  binary=$1
  prefix=$2
  shift 2
  status=0
  "$binary" "$@" >"$prefix.out" || status=$?
  echo "$status" >"$prefix.status"
}

mkdir -p expected
failed=0
for program in $(ls bin | sed 's/-O[0-9]-[a-z]*$//' | sort -u); do
  first=
  for binary in bin/"$program"-O*-*; do
    name=$(basename "$binary")
    record "$binary" "expected/$name"
    record "$binary" "expected/$name.quick" "$(quick_args "$program")"
    if [ -z "$first" ]; then
      first=$name
    else
      for suffix in .out .status .quick.out .quick.status; do
        if ! cmp -s "expected/$first$suffix" "expected/$name$suffix"; then
          echo "record-expected: $name$suffix differs from $first$suffix" >&2
          failed=1
        fi
      done
    fi
  done
  echo "$program: status $(cat "expected/$first.status"), quick status $(cat "expected/$first.quick.status")"
done
exit $failed
