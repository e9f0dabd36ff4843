"""GitHub Classroom: the template repository for students (make classroom).

    python3 tools/dist.py classroom [--exercise ID ...]    build/dist/classroom/

The template is the student handout (the same allow-list as `make handout`: no
solutions, hidden tests or mutants) plus .github/workflows/classroom.yml, which on
every push runs one script, .github/classroom/autograde.py (tools/platforms/
autograde.py here), then GitHub Classroom's reporter action, which turns the
script's per-exercise results into the points GitHub Classroom records. With
--exercise, the workflow grades only those exercises (an assignment per chapter).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SCRIPT = ".github/classroom/autograde.py"
WORKFLOW = ".github/workflows/classroom.yml"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def workflow(folders: list[str], keys: list[str]) -> str:
    """The workflow: checkout, the one script, the reporter. folders are the graded
    exercises' folders (one runner each), keys the --exercise arguments."""
    sys.path.insert(0, str(HERE))
    from autograde import runner_id   # noqa: E402 - tools/platforms is not a package

    ids = [runner_id(f) for f in folders]
    args = "".join(f" --exercise {k}" for k in keys)
    env = "\n".join(f'          {i.upper()}_RESULTS: "${{{{ steps.memcraft.outputs.{i} }}}}"'
                    for i in ids)
    return f"""# GitHub Classroom autograding for memcraft (written by `make classroom`).
# One script grades every exercise (public tests, Valgrind, AddressSanitizer + UBSan,
# clang-tidy) and writes one result per exercise; the reporter adds them up into the
# points GitHub Classroom records. The hidden tests are not here: they count when
# your instructor grades your work.
name: Autograding Tests
'on':
  - push
  - repository_dispatch
  - workflow_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-24.04
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 40
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Grade (public tests, Valgrind, sanitizers, lint)
        id: memcraft
        run: python3 {SCRIPT}{args}
      - name: Autograding Reporter
        uses: {REPORTER}
        env:
{env}
        with:
          runners: {",".join(ids)}
"""


def template(out: Path, keys: list[str]) -> Path:
    sys.path.insert(0, str(REPO / "tools"))
    sys.path.insert(0, str(REPO / "grader"))
    import dist   # noqa: E402
    from mcgrader.exercises import select   # noqa: E402

    folders = [ex.folder for ex in select(keys)]
    if out.exists():
        shutil.rmtree(out)
    for path in dist.tracked_files():
        rel = path.relative_to(REPO).as_posix()
        if dist.is_shipped(rel):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out / rel)
    for path, rel in dist.pristine_stubs():   # what `make reset` puts back
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, out / rel)
    shutil.copy(dist.DIST_FILES / "HANDOUT-README.md", out / "README.md")
    (out / SCRIPT).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(HERE / "autograde.py", out / SCRIPT)
    (out / WORKFLOW).parent.mkdir(parents=True, exist_ok=True)
    (out / WORKFLOW).write_text(workflow(folders, keys))
    print(f"wrote {out.relative_to(REPO) if out.is_relative_to(REPO) else out}: the "
          f"handout plus {WORKFLOW}, grading {len(folders)} exercise(s); push it to GitHub, "
          f"mark it a template repository, and use it as a GitHub Classroom assignment's "
          f"starter code")
    return out
