#!/usr/bin/env python3
"""Builds the grader image from the Containerfile without Docker Hub, and tries it.

    python3 tools/platforms/image.py build    # mmdebstrap root -> podman import -> podman build
    python3 tools/platforms/image.py smoke    # grade in it with podman run

`build` makes a Debian 12 root with mmdebstrap (minbase, without manuals, docs and
locales, as debian:bookworm-slim is made), imports it as localhost/memcraft-base,
and builds the Containerfile on it (BASE=localhost/memcraft-base:bookworm), so the
image is the one a registry build would give, but for its base layer. It takes
minutes and the network (Debian's mirror), so it is not part of `make test`.

`smoke` grades, with `podman run`: every reference solution (one archive), two
PrairieLearn jobs against a /grade mounted as PrairieLearn mounts it (a wrong
solution, and a hostile one that reads the hidden tests and forges results.json),
and the whole hostile corpus (tests/test_hostile.py) in the image's own sandbox; it
prints what it saw and exits 1 on a surprise.

Podman flags for hosts like the one this was built on (see README, "The grader
image"): runc, because crun refuses cgroups in hybrid mode; explicit --ulimit values,
because a root without CAP_SYS_RESOURCE cannot raise the defaults podman asks for;
a uid map at run time, so that the container's users are not the host's.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "build" / "image"
BASE = "localhost/memcraft-base:bookworm"
IMAGE = os.environ.get("MEMCRAFT_IMAGE", "localhost/memcraft-grader:latest")
MIRROR = os.environ.get("MEMCRAFT_MIRROR", "http://deb.debian.org/debian")
PACKAGES = ["gcc", "libc6-dev", "make", "python3", "libcriterion-dev", "valgrind",
            "clang-tidy", "libclang-rt-dev", "bubblewrap", "binutils", "patch", "ca-certificates"]
SLIM = ["--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/doc/*",
        "--dpkgopt=path-include=/usr/share/doc/*/copyright",
        "--dpkgopt=path-exclude=/usr/share/locale/*"]


def podman() -> list[str]:
    runtime = ["--runtime", "runc"] if shutil.which("runc") else []
    return ["podman", *runtime]


LIMITS = ["--ulimit", "nofile=4096:4096", "--ulimit", "nproc=32768:32768"]
# `run` puts the container's uids on a range of their own (container 0-65535 = host
# 200000-265535), on top of the random slot range each container picks (uids.py).
# The build runs without a map: an image's files belong to its own root.
SHIFT = "0:200000:65536"
RUN_MAP = ["--uidmap", SHIFT, "--gidmap", SHIFT]


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, **kw)


def base_root(tar: Path, packages: list[str] | None = None) -> Path:
    if not tar.exists():
        tar.parent.mkdir(parents=True, exist_ok=True)
        extra = [f"--include={','.join(packages)}"] if packages else []
        sh(["mmdebstrap", "--variant=minbase", *SLIM, *extra, "bookworm", str(tar), MIRROR],
           check=True)
    return tar


def build() -> int:
    start = time.monotonic()
    sh([sys.executable, "tools/dist.py", "container"], cwd=REPO, check=True)
    tar = base_root(WORK / "bookworm-minbase.tar")
    sh([*podman(), "import", str(tar), BASE], check=True)
    done = sh([*podman(), "build", "--network", "host", *LIMITS, "--build-arg", f"BASE={BASE}",
               "-t", IMAGE, str(REPO / "build" / "dist" / "container")])
    print(f"image build: exit {done.returncode} after {time.monotonic() - start:.0f}s")
    return done.returncode


def _run(args: list[str], mounts: list[str] = (), timeout: int = 1800):
    cmd = [*podman(), "run", "--rm", "--network", "none", *LIMITS, *RUN_MAP]
    for m in mounts:
        cmd += ["-v", m]
    return sh([*cmd, IMAGE, *args], capture_output=True, text=True, timeout=timeout)


HOSTILE = """
#include <stdio.h>
/* Hostile: reads the hidden tests and forges PrairieLearn's results when it can. */
static void attack(void)
{
    FILE *hidden = fopen("/opt/memcraft/grader/hidden/01-malloc-family/test_edges.c", "r");
    FILE *forged = fopen("/grade/results/results.json", "w");
    if (forged != NULL) {
        fputs("{\\"gradable\\": true, \\"score\\": 1}", forged);
        fclose(forged);
    }
    if (hidden != NULL)
        fclose(hidden);
}
"""


def _pl_job(tmp: Path, name: str, ex, source: str) -> tuple[dict, str]:
    """A PrairieLearn job in the image, with /grade mounted as PrairieLearn mounts it."""
    grade = tmp / name
    (grade / "student").mkdir(parents=True)
    (grade / "tests").mkdir()
    (grade / "tests" / "memcraft.json").write_text(json.dumps({"exercise": ex.folder}))
    (grade / "student" / ex.student_files[0]).write_text(source)
    done = _run(["prairielearn"], [f"{grade}:/grade:U"])   # :U: the container's root owns it
    print(done.stdout[-2500:], done.stderr[-1500:])
    return json.loads((grade / "results" / "results.json").read_text()), done.stdout


def smoke() -> int:
    sys.path.insert(0, str(REPO / "grader"))
    sys.path.insert(0, str(REPO / "tools" / "platforms"))
    import prairielearn
    from mcgrader import exercises, hidden
    surprises = []
    with tempfile.TemporaryDirectory(prefix="memcraft-image-") as tmp:
        tmp = Path(tmp)
        tmp.chmod(0o755)
        subs = tmp / "subs"
        for ex in exercises.load_all():
            (subs / "reference" / ex.folder).mkdir(parents=True)
            for f in ex.student_files:
                shutil.copy(ex.solution_dir / f, subs / "reference" / ex.folder / f)
        with tarfile.open(subs / "reference.tar.gz", "w:gz") as t:
            t.add(subs / "reference", arcname=".")
        print(_run(["protections"]).stderr)
        # 1. every reference solution, from an archive, as grader/grade grades one
        out = tmp / "out"
        out.mkdir()
        done = _run(["/subs/reference.tar.gz", "--json", "/out/report.json"],
                    [f"{subs}:/subs:ro", f"{out}:/out:U"])
        print(done.stdout[-4000:], done.stderr[-2000:])
        try:
            data = json.loads((out / "report.json").read_text())
            if data["score"] != data["max_score"]:
                surprises.append(f"the reference solutions scored {data['score']} of "
                                 f"{data['max_score']} in the image")
        except (OSError, ValueError, KeyError) as err:
            surprises.append(f"no report from the reference run: {err!r}")
        # 2. PrairieLearn jobs: a wrong solution (a mutant) and a hostile one
        ex = exercises.select(["01"])[0]
        solution = (ex.solution_dir / ex.student_files[0]).read_text()
        patch = sorted(ex.mutants())[0]
        mutant = tmp / "mutant"
        mutant.mkdir()
        (mutant / ex.student_files[0]).write_text(solution)
        subprocess.run(["patch", "-s", "-d", str(mutant), "-p1", "-i", str(patch)], check=False)
        hostile = solution.replace("char *mf_strdup(const char *s)\n{",
                                   "char *mf_strdup(const char *s)\n{\n    attack();", 1)
        for name, source in (("mutant", (mutant / ex.student_files[0]).read_text()),
                             ("hostile", HOSTILE + hostile)):
            try:
                res, out = _pl_job(tmp, f"grade-{name}", ex, source)
            except (OSError, ValueError) as err:
                surprises.append(f"{name}: no results.json from the PrairieLearn job: {err!r}")
                continue
            print(f"PrairieLearn {name}:", json.dumps(
                {k: res.get(k) for k in ("gradable", "score", "message")}))
            leaked = hidden.leaks(ex, prairielearn.strings(res) + [out])
            if leaked:
                surprises.append(f"{name}: the PrairieLearn job leaked hidden tests: {leaked[:5]}")
            if not 0 <= res.get("score", -1) < 1:
                surprises.append(f"{name}: scored {res.get('score')}, expected under 1")
        # 3. the whole hostile corpus, graded by the image's own sandbox
        done = sh([*podman(), "run", "--rm", "--network", "none", *LIMITS, *RUN_MAP, "--entrypoint",
                   "python3", IMAGE, "-m", "unittest", "discover", "-s", "tests", "-p",
                   "test_hostile.py", "-v"], capture_output=True, text=True, timeout=3600)
        print(done.stderr[-4000:])
        if done.returncode != 0:
            surprises.append("the hostile corpus failed in the image")
    for s in surprises:
        print("SURPRISE: " + s)
    print(f"smoke: {len(surprises)} surprise(s)")
    return 1 if surprises else 0


def main(argv: list[str]) -> int:
    os.umask(0o022)
    if argv[:1] == ["build"]:
        return build()
    if argv[:1] == ["smoke"]:
        return smoke()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
