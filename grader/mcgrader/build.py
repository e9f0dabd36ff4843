"""Stage: build. Compiles the student's files and the trusted tests, and links them.

Student files are compiled on their own with the strict flags and -DNVALGRIND
(no Valgrind client requests from untrusted code, unless the exercise lists the
ones it teaches); the tests and the test kit
are trusted objects compiled apart from them. Two variants: "plain" (for the
tests and Valgrind) and "asan" (AddressSanitizer + UBSan). An object or a binary
is rebuilt only when what it is made from changed: each keeps a stamp (<target>.key),
the digest of its command and of its inputs' contents, so a save that changes
nothing, or an edit that lands within the file system's timestamp granularity,
or a file restored with an older date, is handled right, and `make check` and
`make watch` rebuild only what an edit touched.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .exercises import ROOT, Exercise
from .paths import tidy
from .proc import Limits, run

TESTKIT = ROOT / "testkit"
STD = ["-std=c17", "-D_POSIX_C_SOURCE=200809L", "-g"]
STRICT = ["-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fmax-errors=20"]
VARIANTS = {
    "plain": ["-O0"],
    "asan": ["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
             "-fno-omit-frame-pointer", "-Wno-error"],  # -O1 warns more; plain enforces
}
WRAPPED = ("malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "posix_memalign",
           "strdup", "strndup", "free")
# What testkit/mc_harness.c takes over from Criterion's runtime (see its header).
HARNESS_WRAPPED = ("criterion_current_test", "criterion_current_suite",
                   "cri_asserts_passed_incr", "criterion_send_assert", "criterion_abort_test",
                   "criterion_continue_test", "criterion_test_die",
                   "criterion_internal_test_setup", "criterion_internal_test_main",
                   "criterion_internal_test_teardown")
COMPILE_LIMITS = Limits(wall_seconds=60, cpu_seconds=60, file_bytes=64 << 20,
                        address_space=2 << 30)


@dataclass
class Build:
    ok: bool
    binary: Path | None = None
    student_objects: list[Path] = field(default_factory=list)
    errors: str = ""             # the compiler's first messages, for the report
    failed_file: str = ""        # which file did not compile
    missing: str = ""            # on a link error: "your files do not define: f, g"
    objects: list[Path] = field(default_factory=list)   # everything linked into binary


def _digest(cmd: list[str], inputs: list[Path]) -> str:
    """What a target is made from: its command and the contents of its inputs."""
    digest = hashlib.sha256("\0".join(cmd).encode())
    for path in inputs:
        digest.update(b"\0" + str(path).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    return digest.hexdigest()


def _stamp(target: Path) -> Path:
    return target.with_name(target.name + ".key")


def _stale(target: Path, key: str) -> bool:
    """Whether target must be made again: missing, or made from something else."""
    try:
        return not target.exists() or _stamp(target).read_text() != key
    except OSError:
        return True


def _made(target: Path, key: str) -> None:
    _stamp(target).write_text(key)


def _first_lines(text: str, count: int = 25) -> str:
    lines = text.strip().splitlines()
    more = f"\n[... {len(lines) - count} more lines ...]" if len(lines) > count else ""
    return "\n".join(lines[:count]) + more


def _compile(source: Path, obj: Path, flags: list[str], deps: list[Path], build: Build,
             runner, readable: list[Path]) -> bool:
    cmd = ["gcc", *flags, "-c", str(source), "-o", str(obj)]
    key = _digest(cmd, [source, *deps])
    if not _stale(obj, key):
        return True
    obj.parent.mkdir(parents=True, exist_ok=True)
    _stamp(obj).unlink(missing_ok=True)
    result = runner(cmd, cwd=obj.parent, limits=COMPILE_LIMITS, readable=readable,
                    writable=[obj.parent])
    if result.ok:
        _made(obj, key)
        return True
    obj.unlink(missing_ok=True)
    build.ok = False
    build.failed_file = source.name
    reason = "the compiler ran out of time" if result.timed_out else \
        tidy(result.stderr.replace(f"{source.parent}/", ""))
    build.errors = _first_lines(reason or f"gcc exited with status {result.returncode}")
    return False


# Our own objects (tests, test kit, harness) compiled once per content and flags, for
# every grading on this host: a class of 300 needs them compiled once, not 300 times.
# Root's alone (the grader's start-up makes build/grader-cache 0700).
TRUSTED_CACHE = ROOT / "build" / "grader-cache" / "objects"


def _trusted(source: Path, obj: Path, flags: list[str], deps: list[Path], build: Build) -> bool:
    """Compiles one of our own sources (as root, never in the sandbox), through the cache."""
    digest = hashlib.sha256(" ".join(flags).encode())
    for path in (source, *deps):
        digest.update(b"\0" + path.read_bytes())
    key = digest.hexdigest()
    if not _stale(obj, key):
        return True
    cached = TRUSTED_CACHE / f"{key[:32]}.o"
    obj.parent.mkdir(parents=True, exist_ok=True)
    if cached.is_file():
        shutil.copyfile(cached, obj)
        _made(obj, key)
        return True
    if not _compile(source, obj, flags, deps, build, run, []):
        return False
    _made(obj, key)
    TRUSTED_CACHE.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = TRUSTED_CACHE / f".{cached.name}.{os.getpid()}.{threading.get_ident()}"
    shutil.copyfile(obj, tmp)
    tmp.replace(cached)
    return True


def build(ex: Exercise, files_dir: Path, out_dir: Path, variant: str, tests: list[Path],
          runner=run, name: str = "tests") -> Build:
    """Builds out_dir/<variant>/<name>-*.bin from the student files in files_dir.

    files_dir holds the student's files beside our headers (copied there by
    the caller when grading; the exercise folder itself for `make check`).
    Only the student's files are compiled through `runner` (the sandbox when
    grading); the trusted tests are compiled into out_dir/trusted/, which the
    sandbox never shows to the student's code.
    """
    vflags = VARIANTS[variant]
    out = out_dir / variant
    headers = [ex.dir / h for h in ex.headers] + sorted(TESTKIT.glob("*.h"))
    result = compile_student(ex, files_dir, out_dir, variant, runner)
    if not result.ok:
        return result
    preload = {Path(f).stem for f in ex.preload_files}   # they define malloc: never linked here
    objects = [o for o in result.student_objects if o.stem not in preload]
    for source in [*tests, TESTKIT / "mc_test.c"]:
        (out_dir / "trusted").mkdir(mode=0o700, parents=True, exist_ok=True)
        obj = out_dir / "trusted" / variant / (source.stem + ".o")
        local = sorted(source.parent.glob("*.h"))   # a test's own helper headers
        deps = list(dict.fromkeys([*headers, *local, *ex.test_helpers()]))   # hidden tests too
        if not _trusted(source, obj, test_flags(ex, variant), deps, result):
            result.errors = "a trusted test file did not compile (not the student's fault):\n" \
                + result.errors
            return result
        objects.append(obj)
    tag = hashlib.sha1("\n".join(map(str, objects)).encode()).hexdigest()[:10]
    binary = out / f"{name}-{tag}.bin"   # one binary per set of test files
    if _link(objects, binary, vflags, WRAPPED, result):
        result.binary = binary
        result.objects = objects
    return result


def _link(objects: list[Path], binary: Path, vflags: list[str], wrapped: tuple[str, ...],
          result: Build) -> bool:
    """Links objects into binary (as root: the objects are compiled, nothing runs)."""
    link = ["gcc", *vflags, *map(str, objects), "-o", str(binary),
            "-Wl,--wrap=" + ",--wrap=".join(wrapped), "-lcriterion"]
    key = _digest(link, objects)
    if not _stale(binary, key):
        return True
    _stamp(binary).unlink(missing_ok=True)
    linked = run(link, cwd=binary.parent, limits=COMPILE_LIMITS)
    if linked.ok:
        _made(binary, key)
        return True
    binary.unlink(missing_ok=True)
    result.ok = False
    result.failed_file = "(link)"
    missing = sorted(set(re.findall(r"undefined reference to `([^']+)'", linked.stderr)))
    result.missing = f"your files do not define: {', '.join(missing)}" if missing else ""
    result.errors = result.missing or _first_lines(linked.stderr)
    return False


def harness(ex: Exercise, made: Build, out_dir: Path) -> Path | None:
    """The one-process memory-check binary for a built test binary: the same objects
    with testkit/mc_harness.c as main (None if it cannot be built: the caller then
    checks per test, as before)."""
    if not made.ok or made.binary is None:
        return None
    obj = out_dir / "trusted" / "harness" / "mc_harness.o"
    probe = Build(ok=True)
    if not _trusted(TESTKIT / "mc_harness.c", obj, [*STD, *STRICT, "-O0"], [], probe):
        return None
    binary = made.binary.with_name(made.binary.name.replace(".bin", ".harness"))
    return binary if _link([*made.objects, obj], binary, ["-O0"],
                           WRAPPED + HARNESS_WRAPPED, probe) else None


def compile_student(ex: Exercise, files_dir: Path, out_dir: Path, variant: str,
                    runner=run) -> Build:
    """Only the student's own objects (the audit reads them before anything is linked)."""
    headers = [ex.dir / h for h in ex.headers] + [TESTKIT / "mc_test.h"]
    result = Build(ok=True)
    for name in ex.student_files:
        obj = out_dir / variant / "student" / (Path(name).stem + ".o")
        flags = student_flags(files_dir, variant, ex)
        if not _compile(files_dir / name, obj, flags, headers, result, runner, [files_dir]):
            return result
        result.student_objects.append(obj)
    return result


def student_flags(files_dir: Path, variant: str = "plain", ex: Exercise | None = None) -> list[str]:
    """Flags for the student's files: strict, and no Valgrind client requests unless the
    exercise lists some (the audit then checks each request against that list)."""
    # The sanitizer build never runs under Valgrind: its requests would be dead code,
    # and at -O1 their argument blocks are too scattered for the audit to read.
    quiet = [] if ex is not None and ex.client_requests and variant != "asan" \
        else ["-DNVALGRIND"]
    return [*STD, *STRICT, *VARIANTS[variant], *quiet, f"-I{files_dir}"]


def test_flags(ex: Exercise, variant: str = "plain") -> list[str]:
    return [*STD, *STRICT, *VARIANTS[variant], f"-I{ex.dir}", f"-I{TESTKIT}"]


def compile_commands(exercises: list[Exercise]) -> list[dict]:
    """compile_commands.json entries for the working tree, so clangd works in any editor."""
    entries = []
    for ex in exercises:
        sources = [(ex.dir / f, student_flags(ex.dir, "plain", ex)) for f in ex.student_files]
        sources += [(t, test_flags(ex)) for t in ex.public_tests()]
        for source, flags in sources:
            entries.append({"directory": str(source.parent), "file": str(source),
                            "arguments": ["gcc", *flags, "-c", str(source)]})
    return entries
