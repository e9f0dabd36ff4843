#!/usr/bin/env python3
"""The grader image's entry point: says what protection it has, then grades.

    podman run --rm -v ./subs:/subs:ro memcraft-grader alice.tar.gz ...   (grader/grade's arguments)
    podman run --rm memcraft-grader protections       only the protection report
    podman run --rm memcraft-grader warm               grade each reference solution once
                                                       (the Containerfile does it at build time)

The grader runs as the container's root for one reason: to hand out unprivileged
users. The compiler on student files, the tests, Valgrind and clang-tidy run as one
of 64 uids, never as root (a range each container picks for itself: uids.py); run the container rootless (podman) or with
user-namespace remapping, and the container's root is an unprivileged user of the host
as well. Where the container forbids user namespaces (Docker's default seccomp
profile does) or masks parts of /proc (so that no fresh /proc can be mounted: podman's
and Docker's defaults), bubblewrap cannot start: the grader says so, with bubblewrap's own
words, and works on with the separate users, file modes and limits. Started with
--user (not root), it has no users to hand out either, and says that too.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "grader"))
sys.path.insert(0, str(REPO / "tools" / "platforms"))

import uids  # noqa: E402

uids.choose()   # before the sandbox reads MEMCRAFT_FIRST_UID

from mcgrader import sandbox  # noqa: E402


def protection_report(box: sandbox.Sandbox) -> list[str]:
    """Lines saying who the grader runs as and what guards the code under test."""
    who = "root in the container" if os.geteuid() == 0 else f"uid {os.geteuid()} (not root)"
    lines = [f"memcraft grader image: the grader runs as {who}"]
    if box.use_uid:
        lines.append(f"untrusted code runs as the unprivileged uids {sandbox.FIRST_UID}-"
                     f"{sandbox.FIRST_UID + sandbox.SLOTS - 1}, one per grading slot")
    why = None if box.use_bwrap else _why_no_bwrap()
    if box.use_bwrap:
        lines.append("user namespaces: allowed; bubblewrap isolates every step")
    elif why is None:
        lines.append("user namespaces: allowed, but bubblewrap is switched off (--no-bwrap)")
    else:
        lines.append(f"user namespaces: bubblewrap cannot start here ({why}: the container "
                     f"forbids new namespaces or a fresh /proc); the grader works on without "
                     f"bubblewrap")
    lines.append("protections: " + ", ".join(box.protections()))
    return lines


def _why_no_bwrap() -> str | None:
    """Why bubblewrap cannot start here, in its own words; None when it can."""
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed"
    done = subprocess.run(["bwrap", "--unshare-all", *sandbox.SYSTEM, "true"],
                          capture_output=True, text=True, timeout=20)
    if done.returncode == 0:
        return None
    said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return f"bubblewrap says: {said}"


def warm() -> int:
    """Grades every reference solution once, so that the image's calibration cache
    (build/grader-cache) is filled and no grading job pays for it."""
    from mcgrader import calibrate
    from mcgrader.exercises import select
    box = sandbox.Sandbox()
    chosen = select([])
    box.protect({ex.root for ex in chosen})
    bad = []
    for ex in chosen:
        ref = calibrate.reference(ex, box, public_only=False)
        print(f"  {ex.folder}: {'ok ' + ref.summary if ref.ok else 'FAILED: ' + ref.problem}",
              flush=True)
        bad += [] if ref.ok else [ex.folder]
    print(f"calibrated {len(chosen) - len(bad)} of {len(chosen)} exercise(s)")
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    box = sandbox.Sandbox(enabled="--no-sandbox" not in argv, bwrap="--no-bwrap" not in argv)
    for line in protection_report(box):
        print(line, file=sys.stderr, flush=True)
    if "protections" in argv[:2]:
        return 0
    if argv[:1] == ["warm"]:
        return warm()
    if argv[:1] == ["prairielearn"]:
        os.execv(sys.executable, [sys.executable, str(REPO / "tools" / "platforms" /
                                                      "prairielearn.py"), "grade"])
    os.execv(sys.executable, [sys.executable, str(REPO / "grader" / "grade"), *argv])
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
