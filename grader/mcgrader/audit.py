"""Stage: audit. Reads the student's object files before anything runs them.

Refuses code that could take over the test runner or hide errors from the
checkers: global symbols outside the exercise's API (a student `main`, or a
`malloc` of its own that hides leaks), calls outside the exercise's allow-list of
libc, constructor sections, raw system calls, and Valgrind client requests other
than the ones the exercise lists (an allocator that poisons its free blocks needs
a few; DISABLE_ERROR_REPORTING or FREELIKE_BLOCK would hide errors). Works on the
object code, not the source text, so no spelling trick gets past it.

Both builds are audited: the plain one before anything is linked, and the
sanitizer build too, since `#ifdef __SANITIZE_ADDRESS__` can make it different
code. In the sanitizer build the instrumentation's own runtime calls and its one
module constructor are expected, and nothing else.
"""
from __future__ import annotations

import re
from pathlib import Path

from .exercises import Exercise
from .proc import Limits, run

# The allow-list of an exercise whose README does not yet state its own (legacy).
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
# What the compiler puts in any object, whatever the source calls: the stack
# protector, and libgcc's arithmetic helpers behind builtins and 128-bit division.
ABI = {"__stack_chk_fail", "_GLOBAL_OFFSET_TABLE_", "__popcountdi2", "__popcountsi2",
       "__clzdi2", "__ctzdi2", "__udivti3", "__umodti3", "__divti3", "__modti3", "__muloti4",
       "__mulodi4"}
# The names glibc's headers give in an object to a function (or macro) the source uses.
ALIASES = {
    "sscanf": {"__isoc99_sscanf"}, "errno": {"__errno_location"}, "assert": {"__assert_fail"},
    "tolower": {"__ctype_tolower_loc"}, "toupper": {"__ctype_toupper_loc"},
    **{f: {"__ctype_b_loc"} for f in ("isalpha", "isdigit", "isspace", "isalnum", "isupper",
                                      "islower", "isprint", "ispunct", "isxdigit", "iscntrl")},
    **{f: {f"__{f}_chk"} for f in ("memcpy", "memset", "memmove", "strcpy", "snprintf",
                                   "fprintf", "printf", "vsnprintf", "sprintf")},
}


def allowed_calls(ex: Exercise) -> set[str]:
    """What the student's objects may leave undefined: exactly exercise.toml's libc (with
    the aliases its headers produce), the ABI's own names, and the exercise's API."""
    from .clauses import allowed_in_readme   # the README's line marks a migrated exercise
    if allowed_in_readme(ex) is None:
        return LIBC | set(ex.libc) | set(ex.api)
    names = set(ex.libc) | ABI | set(ex.api)
    for name in ex.libc:
        names |= ALIASES.get(name, set())
    return names


FORBIDDEN_SECTIONS = (".init_array", ".fini_array", ".ctors", ".dtors", ".preinit_array",
                      ".init", ".fini", "cr_tst", ".criterion")
VALGRIND_MAGIC = re.compile(r"rol\s+\$0x3d,%rdi")
# Client requests by name (exercise.toml's client_requests) and code (valgrind.h,
# memcheck.h of Valgrind 3.19).
REQUESTS = {
    "MAKE_MEM_NOACCESS": 0x4D430000, "MAKE_MEM_UNDEFINED": 0x4D430001,
    "MAKE_MEM_DEFINED": 0x4D430002, "CREATE_MEMPOOL": 0x1303, "DESTROY_MEMPOOL": 0x1304,
    "MEMPOOL_ALLOC": 0x1305, "MEMPOOL_FREE": 0x1306, "MEMPOOL_TRIM": 0x1307,
    "MOVE_MEMPOOL": 0x1308, "MEMPOOL_CHANGE": 0x1309, "MEMPOOL_EXISTS": 0x130A,
}
# What ASan and UBSan instrumentation calls on its own.
SANITIZER_RUNTIME = re.compile(
    r"^__(asan_(report_\w+|init|version_mismatch_check_v\d+|(un)?register_globals|"
    r"stack_(malloc|free)_\d+|option_detect_stack_use_after_return|handle_no_return|"
    r"alloca_poison|allocas_unpoison|(before|after)_dynamic_init|memcpy|memset|memmove)|"
    r"ubsan_handle_\w+)$")
POISON_CALLS = {"__asan_poison_memory_region", "__asan_unpoison_memory_region"}
# The one module constructor and destructor ASan adds to an object (priority 99).
SANITIZER_SECTIONS = re.compile(r"^\.(init|fini)_array\.00099$")


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


def audit(ex: Exercise, objects: list[Path], runner=run, variant: str = "plain") -> list[str]:
    """Violations found in the student's objects, each a sentence; empty when clean."""
    problems = []
    allowed = allowed_calls(ex)
    sanitized = variant == "asan"
    if sanitized and ex.client_requests:
        allowed |= POISON_CALLS
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
        for name in sorted(undefined - allowed):
            if not (sanitized and SANITIZER_RUNTIME.match(name)):
                problems.append(f"{obj.name} calls '{name}', which this exercise does not "
                                f"allow (README.md lists the library functions you may use)")
        sections = runner(["readelf", "-SW", str(obj)], cwd=obj.parent,
                          limits=Limits(wall_seconds=30), readable=[obj.parent]).stdout
        problems += _sections(obj, sections, sanitized)
        code = runner(["objdump", "-d", "--no-show-raw-insn", str(obj)], cwd=obj.parent,
                      limits=Limits(wall_seconds=30), readable=[obj.parent]).stdout
        if re.search(r"\ssyscall\b|\sint\s+\$0x80\b", code):
            problems.append(f"{obj.name} makes a raw system call")
        problems += _client_requests(obj.name, code, ex.client_requests)
    return problems


def _sections(obj: Path, listing: str, sanitized: bool) -> list[str]:
    """Constructor, destructor and test-registration sections: none of the student's own.
    A sanitizer build has ASan's single module constructor and destructor (one 8-byte
    entry each, priority 99); a second entry there would be the student's."""
    problems = []
    for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", listing):
        name, size = m.group(1), int(m.group(2), 16)
        if sanitized and SANITIZER_SECTIONS.match(name):
            if size != 8:
                problems.append(f"{obj.name} adds a constructor to the sanitizer build's own")
            continue
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_SECTIONS):
            problems.append(f"{obj.name} has a {name} section (code that runs before or "
                            f"after main, or registers tests)")
    return problems


def _client_requests(name: str, code: str, allowed: tuple[str, ...]) -> list[str]:
    """Each Valgrind client request in the disassembly must store, as its request code,
    a constant of an allowed request: the magic sequence reads the code from the
    argument block whose address is loaded just before it (off %rbp at -O0, off any
    register in the optimized sanitizer build)."""
    if not VALGRIND_MAGIC.search(code):
        return []
    if not allowed:
        return [f"{name} contains a Valgrind client request"]
    # valgrind.h's own static VALGRIND_PRINTF helpers come with the header (-O0 keeps
    # them): a message to Valgrind's log, harmless to grading.
    codes = {REQUESTS[r] for r in allowed if r in REQUESTS} | {0x1403, 0x1404}
    problems = []
    lines = code.splitlines()
    for i, line in enumerate(lines):
        if not VALGRIND_MAGIC.search(line):
            continue
        block = next((m.group(1) for ln in reversed(lines[max(0, i - 8):i])
                      for m in [re.search(r"\blea\s+(-?0x[0-9a-f]+\(%\w+\)),", ln)] if m),
                     None)
        stored = None
        if block:
            for ln in reversed(lines[max(0, i - 80):i]):
                m = re.search(r"\bmov[lq]?\s+\$(0x[0-9a-f]+),\s*" + re.escape(block) + r"\s*$",
                              ln)
                if m:
                    stored = int(m.group(1), 16)
                    break
                if re.search(r",\s*" + re.escape(block) + r"\s*$", ln):
                    break   # a computed request code: not a constant, not allowed
        if stored not in codes:
            what = f"request {stored:#x}" if stored is not None else "a computed request"
            problems.append(f"{name} makes a Valgrind client request this exercise does not "
                            f"allow ({what}; allowed: {', '.join(allowed)})")
    return problems
