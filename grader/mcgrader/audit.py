"""Stage: audit. Reads the student's object files before anything runs them.

Refuses code that could take over the test runner or hide errors from the
checkers: global symbols outside the exercise's API (a student `main`, or a
`malloc` of its own that hides leaks), calls outside an allow-list of libc,
constructor sections, raw system calls and Valgrind client requests. Works on
the object code, not the source text, so no spelling trick gets past it.
"""
from __future__ import annotations

import re
from pathlib import Path

from .exercises import Exercise
from .proc import Limits, run

LIBC = set("""
malloc calloc realloc reallocarray free aligned_alloc posix_memalign strdup strndup
memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strcpy strncpy strcat
strncat strchr strrchr strstr strspn strcspn strpbrk strtok_r strerror
snprintf vsnprintf sprintf vsprintf fprintf vfprintf printf vprintf fputs puts fputc putc
putchar fwrite fflush fopen fclose fgets fgetc getc getline getdelim sscanf __isoc99_sscanf
stderr stdout stdin abort __assert_fail __errno_location qsort bsearch abs labs llabs
explicit_bzero strtol strtoul strtoll strtoull strtod atoi atol isalpha isdigit isspace
__ctype_b_loc __ctype_tolower_loc __ctype_toupper_loc tolower toupper __stack_chk_fail
sysconf getpagesize mmap munmap mprotect pthread_mutex_init pthread_mutex_lock
pthread_mutex_unlock pthread_mutex_destroy __memcpy_chk __memset_chk __memmove_chk
__strcpy_chk __snprintf_chk __fprintf_chk __printf_chk __vsnprintf_chk __sprintf_chk
_GLOBAL_OFFSET_TABLE_ memccpy time clock rand srand
""".split())
FORBIDDEN_SECTIONS = (".init_array", ".fini_array", ".ctors", ".dtors", ".preinit_array",
                      ".init", ".fini", "cr_tst", ".criterion")
VALGRIND_MAGIC = re.compile(r"rol\s+\$0x3d,%rdi")


def _symbols(obj: Path, runner) -> tuple[set[str], set[str]] | None:
    result = runner(["nm", "--format=posix", str(obj)], cwd=obj.parent,
                    limits=Limits(wall_seconds=30), readable=[obj.parent])
    if not result.ok:
        return None
    defined, undefined = set(), set()
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            name, kind = parts[0], parts[1]
            if kind == "U":
                undefined.add(name)
            elif kind.isupper() or kind in "vw":
                defined.add(name)
    return defined, undefined


def audit(ex: Exercise, objects: list[Path], runner=run) -> list[str]:
    """Violations found in the student's objects, each a sentence; empty when clean."""
    problems = []
    allowed_calls = LIBC | set(ex.libc) | set(ex.api)
    for obj in objects:
        symbols = _symbols(obj, runner)
        if symbols is None:
            return [f"{obj.name}: cannot read the object file"]
        defined, undefined = symbols
        may_define = set(ex.api) | (set(ex.preload_api) if obj.stem in
                                    {Path(f).stem for f in ex.preload_files} else set())
        for name in sorted(defined - may_define):
            problems.append(f"{obj.name} defines '{name}', which is not part of the "
                            f"exercise's API (make helper functions static)")
        for name in sorted(undefined - allowed_calls):
            problems.append(f"{obj.name} calls '{name}', which this exercise does not allow")
        sections = runner(["readelf", "-SW", str(obj)], cwd=obj.parent,
                          limits=Limits(wall_seconds=30), readable=[obj.parent]).stdout
        for section in FORBIDDEN_SECTIONS:
            if re.search(rf"\s{re.escape(section)}(\.\S*)?\s", sections):
                problems.append(f"{obj.name} has a {section} section (code that runs before or "
                                f"after main, or registers tests)")
        code = runner(["objdump", "-d", "--no-show-raw-insn", str(obj)], cwd=obj.parent,
                      limits=Limits(wall_seconds=30), readable=[obj.parent]).stdout
        if re.search(r"\ssyscall\b|\sint\s+\$0x80\b", code):
            problems.append(f"{obj.name} makes a raw system call")
        if VALGRIND_MAGIC.search(code):
            problems.append(f"{obj.name} contains a Valgrind client request")
    return problems
