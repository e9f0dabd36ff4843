"""The exercise catalogue: every tool learns what an exercise is from here.

An exercise is the folder exercises/NN-name/ holding exercise.toml, plus its
twins solutions/NN-name/, grader/hidden/NN-name/ and grader/mutants/NN-name/.
Nothing else lists exercises.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ("tests", "valgrind", "sanitizers", "lint", "performance")
OPTIONAL = ("performance",)  # in an exercise's rubric only when its exercise.toml gives it
KINDS = ("exercise", "bug-hunt")
FOLDER_RE = re.compile(r"^(\d\d)-([a-z0-9][a-z0-9-]*)$")


class ExerciseError(Exception):
    """A metadata file or an exercise folder is wrong; the message says how."""


@dataclass(frozen=True)
class Exercise:
    folder: str                  # "03-vector"
    number: str                  # "03"
    name: str                    # "vector"
    title: str
    chapter: str                 # "05-dynamic-arrays"
    student_files: tuple[str, ...]
    headers: tuple[str, ...]
    api: tuple[str, ...]
    libc: tuple[str, ...]
    rubric: dict[str, int]
    suite_weights: dict[str, float] = field(default_factory=dict)
    run_seconds: int = 60
    kind: str = "exercise"       # or "bug-hunt": the stub is a buggy program to fix
    mutants_min: int = 6
    short: str = ""              # a unique handle where the number is shared (bug hunts)
    client_requests: tuple[str, ...] = ()   # Valgrind client requests the student may make
    preload_files: tuple[str, ...] = ()  # student files built into a shared object for
    preload_api: tuple[str, ...] = ()    #   LD_PRELOAD, never linked into the tests; only
    #                                       they may define preload_api (malloc, free, ...)
    hidden_count: int | None = None   # hidden_tests: how many the grader adds (the handout's
    root: Path = ROOT                 #   only way to know; the self-test checks it)

    @property
    def dir(self) -> Path:
        return self.root / "exercises" / self.folder

    @property
    def solution_dir(self) -> Path:
        return self.root / "solutions" / self.folder

    @property
    def hidden_dir(self) -> Path:
        return self.root / "grader" / "hidden" / self.folder

    @property
    def mutants_dir(self) -> Path:
        return self.root / "grader" / "mutants" / self.folder

    @property
    def alternatives_dir(self) -> Path:
        return self.root / "grader" / "alternatives" / self.folder

    @property
    def readme(self) -> Path:
        return self.dir / "README.md"

    @property
    def handle(self) -> str:
        """What a student types after EX= to mean this exercise and no other."""
        return self.short or self.number

    def alternatives(self) -> list[Path]:
        return sorted(p for p in self.alternatives_dir.glob("*") if p.is_dir())

    def bugs(self) -> list[dict]:
        """A bug hunt's planted bugs ([[bug]] in grader/hidden/NN-x/bugs.toml): id, clause,
        what. Empty where there is no such file (other exercises; the student handout)."""
        path = self.hidden_dir / "bugs.toml"
        if not path.exists():
            return []
        try:
            bugs = tomllib.loads(path.read_text()).get("bug", [])
        except tomllib.TOMLDecodeError as err:
            raise ExerciseError(f"{path}: {err}") from None
        for bug in bugs:
            if not all(isinstance(bug.get(k), str) for k in ("id", "clause", "what")):
                raise ExerciseError(f"{path}: every [[bug]] needs id, clause and what")
        return bugs

    @property
    def max_score(self) -> int:
        return sum(self.rubric.values())

    def public_tests(self) -> list[Path]:
        return sorted((self.dir / "tests").glob("*.c"))

    def test_helpers(self) -> list[Path]:
        """tests/*.h: helpers the public and hidden tests share (public, shipped)."""
        return sorted((self.dir / "tests").glob("*.h"))

    def hidden_tests(self) -> list[Path]:
        return sorted(self.hidden_dir.glob("*.c"))

    def mutants(self) -> list[Path]:
        return sorted(self.mutants_dir.glob("*.patch"))

    def matches(self, key: str) -> bool:
        key = key.strip().lower()
        return key in (self.folder, self.number, self.name, self.number.lstrip("0"),
                       self.short or self.folder)


def _strings(data: dict, key: str, where: Path, required: bool = True) -> tuple[str, ...]:
    value = data.get(key, [] if not required else None)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ExerciseError(f"{where}: '{key}' must be a list of strings")
    if required and not value:
        raise ExerciseError(f"{where}: '{key}' must not be empty")
    return tuple(value)


TOP_KEYS = {"title", "chapter", "student_files", "headers", "api", "libc", "rubric", "limits",
            "kind", "mutants_min", "short", "client_requests", "preload_files", "preload_api",
            "hidden_tests"}
TABLE_KEYS = {"rubric": set(CATEGORIES) | {"suites"}, "limits": {"run_seconds"}}


def _refuse_unknown_keys(data: dict, meta: Path) -> None:
    for key in set(data) - TOP_KEYS:
        raise ExerciseError(f"{meta}: unknown key '{key}'")
    for table, allowed in TABLE_KEYS.items():
        for key in set(data.get(table, {})) - allowed:
            raise ExerciseError(f"{meta}: unknown key '{key}' in [{table}] (top-level keys go "
                                f"before the first [table])")


def load(folder: Path) -> Exercise:
    """Reads exercises/NN-name/exercise.toml; raises ExerciseError when it is wrong."""
    match = FOLDER_RE.match(folder.name)
    meta = folder / "exercise.toml"
    if not match:
        raise ExerciseError(f"{folder}: exercise folders are named NN-name")
    try:
        data = tomllib.loads(meta.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ExerciseError(f"{meta}: {err}") from None
    _refuse_unknown_keys(data, meta)
    rubric = data.get("rubric", {})
    points = {c: rubric.get(c, 0) for c in CATEGORIES if c not in OPTIONAL or c in rubric}
    if not all(isinstance(v, int) and v >= 0 for v in points.values()) or not any(points.values()):
        raise ExerciseError(f"{meta}: [rubric] needs whole, non-negative points for {CATEGORIES}")
    weights = rubric.get("suites", {})
    for name in ("title", "chapter"):
        if not isinstance(data.get(name), str):
            raise ExerciseError(f"{meta}: '{name}' must be a string")
    student_files = _strings(data, "student_files", meta)
    preload_files = _strings(data, "preload_files", meta, required=False)
    if not set(preload_files) <= set(student_files):
        raise ExerciseError(f"{meta}: 'preload_files' must be among 'student_files'")
    kind = data.get("kind", "exercise")
    hidden_count = data.get("hidden_tests")
    if hidden_count is not None and (type(hidden_count) is not int or hidden_count < 0):
        raise ExerciseError(f"{meta}: 'hidden_tests' must be a whole number")
    if kind not in KINDS:
        raise ExerciseError(f"{meta}: 'kind' must be one of {KINDS}")
    return Exercise(
        folder=folder.name,
        number=match.group(1),
        name=match.group(2),
        title=data["title"],
        chapter=data["chapter"],
        student_files=student_files,
        headers=_strings(data, "headers", meta),
        api=_strings(data, "api", meta),
        libc=_strings(data, "libc", meta, required=False),
        rubric=points,
        suite_weights={str(k): float(v) for k, v in weights.items()},
        run_seconds=int(data.get("limits", {}).get("run_seconds", 60)),
        kind=kind,
        mutants_min=int(data.get("mutants_min", 6)),
        short=str(data.get("short", "")),
        client_requests=_strings(data, "client_requests", meta, required=False),
        preload_files=preload_files,
        preload_api=_strings(data, "preload_api", meta, required=False),
        hidden_count=hidden_count,
        root=folder.parent.parent,
    )


def load_all(root: Path = ROOT) -> list[Exercise]:
    folders = sorted(p.parent for p in (root / "exercises").glob("*/exercise.toml"))
    return [load(f) for f in folders]


def select(keys: list[str] | None, root: Path = ROOT) -> list[Exercise]:
    """The exercises named by keys (number, name or folder), all when keys is empty."""
    every = load_all(root)
    if not keys:
        return every
    chosen = []
    for key in keys:
        hits = [e for e in every if e.matches(key)]
        if not hits:
            names = ", ".join(e.folder for e in every) or "none"
            raise ExerciseError(f"no exercise '{key}' (there are: {names})")
        chosen += [h for h in hits if h not in chosen]
    return chosen
