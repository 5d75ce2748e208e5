#!/bin/sh
# Fetches Debian's static BusyBox (package busybox-static) without installing
# it: `apt-get download` the .deb into .cache/busybox-static/ and unpack it
# there with `dpkg -x`. Prints the binary's path on success. The BusyBox
# suites use it (TSOS_BUSYBOX overrides the path; /bin/busybox is the last
# resort) and skip, saying why, when nothing can be fetched.
# Usage: scripts/fetch-busybox.sh
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/busybox-static"
binary="$cache/root/bin/busybox"
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi
for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-busybox: $tool not found (not a Debian system)" >&2; exit 1; }
done
mkdir -p "$cache"
cd "$cache"
rm -f ./*.deb
# apt-get download writes into the working directory; as root it warns that _apt cannot (harmless).
apt-get download busybox-static >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null 2>&1 && apt-get download busybox-static >/dev/null 2>&1; } ||
  { echo "fetch-busybox: apt-get download busybox-static failed" >&2; exit 1; }
rm -rf root
dpkg -x ./busybox-static_*.deb root
[ -x "$binary" ] || { echo "fetch-busybox: the package holds no bin/busybox" >&2; exit 1; }
echo "$binary"
