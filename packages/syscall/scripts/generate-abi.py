#!/usr/bin/env python3
"""Regenerate the Linux x86-64 ABI data of @tsos/syscall from this machine's headers.

Writes
  packages/syscall/src/abi/syscall-numbers.ts  from  asm/unistd_64.h
  packages/syscall/src/abi/errno.ts            from  asm-generic/errno-base.h + errno.h,
                                                     messages from glibc's strerror (os.strerror)

Run from anywhere:  python3 packages/syscall/scripts/generate-abi.py

The output is formatted the way biome formats it (two-space indent, one entry
per line, double quotes, trailing commas), so `biome check` accepts it as is.
The script fails loudly rather than emit a table it does not understand: an
unparsed `#define __NR_` or errno line, a duplicated number or an errno
message glibc does not know is an error, not something to skip.
"""

import json
import os
import re
import sys
from pathlib import Path

UNISTD_64 = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
ERRNO_HEADERS = (
    Path("/usr/include/asm-generic/errno-base.h"),
    Path("/usr/include/asm-generic/errno.h"),
)
LINUX_VERSION_HEADER = Path("/usr/include/linux/version.h")

OUTPUT_DIRECTORY = Path(__file__).resolve().parent.parent / "src" / "abi"
REGENERATE = "python3 packages/syscall/scripts/generate-abi.py"

# syscall_64.tbl numbers x32-only entries from 512 up (and the x32 ABI ORs in
# __X32_SYSCALL_BIT = 0x40000000); neither belongs to the x86-64 ABI.
FIRST_X32_NUMBER = 512

# Aliases glibc defines that the kernel's asm-generic headers do not:
# <bits/errno.h> has `# define ENOTSUP EOPNOTSUPP`, so ENOTSUP is 95 on Linux.
GLIBC_ERRNO_ALIASES = {"ENOTSUP": "EOPNOTSUPP"}

SYSCALL_DEFINE = re.compile(r"^#define\s+__NR_(\w+)\s+(\S.*?)\s*$")
ERRNO_DEFINE = re.compile(r"^#define\s+(E[A-Z0-9]+)\s+(\w+)\b")


def fail(message):
    sys.exit(f"generate-abi: {message}")


def linux_headers_version():
    """The UAPI headers' kernel version ("6.1.0"), or "unknown" without linux/version.h."""
    if not LINUX_VERSION_HEADER.exists():
        return "unknown"
    match = re.search(r"#define\s+LINUX_VERSION_CODE\s+(\d+)", LINUX_VERSION_HEADER.read_text())
    if not match:
        return "unknown"
    code = int(match.group(1))
    return f"{code >> 16}.{(code >> 8) & 0xFF}.{code & 0xFF}"


def glibc_version():
    try:
        return os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):
        return "unknown libc"


def parse_syscalls():
    """[(number, name)] in number order, x86-64 entries only."""
    entries = []
    excluded = []
    for line in UNISTD_64.read_text().splitlines():
        match = SYSCALL_DEFINE.match(line)
        if not match:
            if "__NR_" in line:
                fail(f"{UNISTD_64}: cannot parse {line!r}")
            continue
        name, value = match.groups()
        if "__X32_SYSCALL_BIT" in value:
            excluded.append(name)
            continue
        if not value.isdigit():
            fail(f"{UNISTD_64}: __NR_{name} is not a plain number: {value!r}")
        number = int(value)
        if number >= FIRST_X32_NUMBER:
            excluded.append(name)
            continue
        entries.append((number, name))
    if excluded:
        print(f"generate-abi: excluded x32 entries: {', '.join(excluded)}", file=sys.stderr)
    if not entries:
        fail(f"{UNISTD_64}: no syscall numbers found")
    numbers = [number for number, _ in entries]
    names = [name for _, name in entries]
    if len(set(numbers)) != len(numbers):
        fail(f"{UNISTD_64}: a syscall number is defined twice")
    if len(set(names)) != len(names):
        fail(f"{UNISTD_64}: a syscall name is defined twice")
    return sorted(entries)


def parse_errnos():
    """({name: value} canonical in value order, {alias: canonical name})."""
    canonical = {}
    aliases = {}
    for header in ERRNO_HEADERS:
        for line in header.read_text().splitlines():
            match = ERRNO_DEFINE.match(line)
            if not match:
                if re.match(r"^#define\s+E", line):
                    fail(f"{header}: cannot parse {line!r}")
                continue
            name, value = match.groups()
            if value.isdigit():
                canonical[name] = int(value)
            else:
                aliases[name] = value
    for alias, target in GLIBC_ERRNO_ALIASES.items():
        if alias in canonical or alias in aliases:
            fail(f"{alias} is now in the kernel headers; drop it from GLIBC_ERRNO_ALIASES")
        aliases[alias] = target
    for alias, target in aliases.items():
        if target not in canonical:
            fail(f"alias {alias} names {target}, which is not a numbered errno")
    values = list(canonical.values())
    if len(set(values)) != len(values):
        fail("two errno names share one number; mark one of them as an alias")
    return dict(sorted(canonical.items(), key=lambda item: item[1])), aliases


def errno_message(name, value):
    message = os.strerror(value)
    if message.startswith("Unknown error"):
        fail(f"glibc has no message for {name} ({value}): {message!r}")
    return message


def provenance(sources):
    lines = [
        "// GENERATED FILE, do not edit by hand.",
        f"// Generated by packages/syscall/scripts/generate-abi.py from {sources[0]}",
    ]
    lines += [f"// and {source}" for source in sources[1:]]
    lines += [
        f"// (Linux UAPI headers {linux_headers_version()}, {glibc_version()}).",
        f"// Regenerate: {REGENERATE}",
    ]
    return lines


def render_syscalls(entries):
    table_size = entries[-1][0] + 1
    lines = provenance([str(UNISTD_64)])
    lines += [
        "",
        "/**",
        " * Linux x86-64 system-call numbers: the `common` and `64` ABI entries of",
        " * Linux `arch/x86/entry/syscalls/syscall_64.tbl`, as the UAPI header",
        " * `asm/unistd_64.h` publishes them. The x32 entries (512 and up, and numbers",
        " * carrying `__X32_SYSCALL_BIT`) belong to another ABI and are left out.",
        " *",
        " * Invariant: `SYSCALL_NAMES[SYS[name]] === name` for every name, and every",
        " * number below `SYSCALL_TABLE_SIZE` without a name is unassigned (a hole",
        " * such as 335..423), for which Linux returns -ENOSYS.",
        " */",
        "",
        "/**",
        " * Every x86-64 system call by its kernel name (`newfstatat`, `rt_sigaction`,",
        " * `exit_group`), valued with the number userspace puts in RAX.",
        " */",
        "export const SYS = {",
    ]
    lines += [f"  {name}: {number}," for number, name in entries]
    lines += [
        "} as const;",
        "",
        "/** The kernel name of an x86-64 system call, such as `\"openat\"`. */",
        "export type SyscallName = keyof typeof SYS;",
        "",
        "/** Highest assigned x86-64 system-call number plus one: the length of a dense dispatch table. */",
        f"export const SYSCALL_TABLE_SIZE = {table_size};",
        "",
        "/**",
        " * Kernel name of each system-call number, indexed by number; `undefined` marks",
        " * an unassigned number. Length is `SYSCALL_TABLE_SIZE`.",
        " */",
        "export const SYSCALL_NAMES: readonly (string | undefined)[] = buildSyscallNames();",
        "",
        "function buildSyscallNames(): readonly (string | undefined)[] {",
        "  const names = new Array<string | undefined>(SYSCALL_TABLE_SIZE).fill(undefined);",
        "  for (const [name, number] of Object.entries(SYS)) names[number] = name;",
        "  return Object.freeze(names);",
        "}",
        "",
        "/**",
        " * Kernel name of system call `number`, or `undefined` when the number is",
        " * unassigned, outside the table or not an integer. Never throws.",
        " */",
        "export function syscallName(number: number): string | undefined {",
        "  return Number.isInteger(number) && number >= 0 && number < SYSCALL_TABLE_SIZE",
        "    ? SYSCALL_NAMES[number]",
        "    : undefined;",
        "}",
        "",
        "/**",
        " * Number of the system call named `name` (kernel spelling), or `undefined`",
        " * for a name that is not an x86-64 system call. Never throws.",
        " */",
        "export function syscallNumber(name: string): number | undefined {",
        "  return Object.hasOwn(SYS, name) ? SYS[name as SyscallName] : undefined;",
        "}",
    ]
    return "\n".join(lines) + "\n"


def render_errnos(canonical, aliases):
    errno_max = max(canonical.values())
    lines = provenance([str(header) for header in ERRNO_HEADERS])
    lines += [
        "",
        "/**",
        " * Linux error numbers (`include/uapi/asm-generic/errno-base.h` and `errno.h`;",
        " * x86-64 uses the generic values) with glibc's `strerror` messages, and the",
        " * rule for telling an error return from a result.",
        " *",
        " * A system call fails by returning `-errno`. Several names alias one value",
        " * (EWOULDBLOCK is EAGAIN); `errnoName` always answers the canonical name, the",
        " * one the header defines with a number.",
        " */",
        "",
        "const CANONICAL_ERRNO = {",
    ]
    lines += [f"  {name}: {value}," for name, value in canonical.items()]
    lines += [
        "} as const;",
        "",
        "/**",
        " * Every Linux errno name, aliases included, valued with its positive number.",
        " * A failing system call returns the negation, e.g. `-ERRNO.ENOENT`.",
        " */",
        "export const ERRNO = {",
        "  ...CANONICAL_ERRNO,",
    ]
    for alias, target in aliases.items():
        note = " // glibc only: <bits/errno.h>" if alias in GLIBC_ERRNO_ALIASES else ""
        lines.append(f"  {alias}: CANONICAL_ERRNO.{target},{note}")
    lines += [
        "} as const;",
        "",
        "/** A Linux errno name, such as `\"ENOENT\"`, aliases included. */",
        "export type ErrnoName = keyof typeof ERRNO;",
        "",
        f"/** Largest errno value the Linux headers define ({max(canonical, key=canonical.get)}). */",
        f"export const ERRNO_MAX = {errno_max};",
        "",
        "/**",
        " * Largest value a failing system call may negate (Linux `include/linux/err.h`):",
        " * returns in [-MAX_ERRNO, -1] are errors, everything else is a result.",
        " */",
        "export const MAX_ERRNO = 4095;",
        "",
        "/** glibc `strerror` text of each canonical errno. */",
        "const ERRNO_MESSAGES: { readonly [name in keyof typeof CANONICAL_ERRNO]: string } = {",
    ]
    lines += [f"  {name}: {json.dumps(errno_message(name, value))}," for name, value in canonical.items()]
    lines += [
        "};",
        "",
        "// Dense value-indexed tables, built once, so lookups are one bounds check and one load.",
        "const NAME_BY_VALUE = new Array<string | undefined>(ERRNO_MAX + 1).fill(undefined);",
        "const MESSAGE_BY_VALUE = new Array<string | undefined>(ERRNO_MAX + 1).fill(undefined);",
        "for (const [name, value] of Object.entries(CANONICAL_ERRNO)) {",
        "  NAME_BY_VALUE[value] = name;",
        "  MESSAGE_BY_VALUE[value] = ERRNO_MESSAGES[name as keyof typeof CANONICAL_ERRNO];",
        "}",
        "",
        "function isErrnoValue(value: number): boolean {",
        "  return Number.isInteger(value) && value >= 1 && value <= ERRNO_MAX;",
        "}",
        "",
        "/**",
        " * Canonical name of positive errno `value` (11 is `\"EAGAIN\"`, never",
        " * `\"EWOULDBLOCK\"`), or `undefined` for an unassigned, non-positive,",
        " * out-of-range or fractional value. Never throws.",
        " */",
        "export function errnoName(value: number): string | undefined {",
        "  return isErrnoValue(value) ? NAME_BY_VALUE[value] : undefined;",
        "}",
        "",
        "/**",
        " * glibc's message for positive errno `value` (2 is `\"No such file or",
        " * directory\"`), or `undefined` where `errnoName` is `undefined`. Never throws.",
        " */",
        "export function errnoMessage(value: number): string | undefined {",
        "  return isErrnoValue(value) ? MESSAGE_BY_VALUE[value] : undefined;",
        "}",
        "",
        "/**",
        " * Whether a raw system-call return `value` is an error, i.e. an integer in",
        " * [-MAX_ERRNO, -1]. Anything else (results, NaN, fractions) is not.",
        " */",
        "export function isErrorReturn(value: number): boolean {",
        "  return Number.isInteger(value) && value >= -MAX_ERRNO && value <= -1;",
        "}",
    ]
    return "\n".join(lines) + "\n"


def main():
    for header in (UNISTD_64, *ERRNO_HEADERS):
        if not header.exists():
            fail(f"{header} not found (install the Linux UAPI headers, e.g. linux-libc-dev)")
    syscalls = parse_syscalls()
    canonical, aliases = parse_errnos()
    OUTPUT_DIRECTORY.mkdir(parents=True, exist_ok=True)
    outputs = {
        "syscall-numbers.ts": render_syscalls(syscalls),
        "errno.ts": render_errnos(canonical, aliases),
    }
    for file_name, text in outputs.items():
        path = OUTPUT_DIRECTORY / file_name
        path.write_text(text)
        print(f"generate-abi: wrote {path}")


if __name__ == "__main__":
    main()
