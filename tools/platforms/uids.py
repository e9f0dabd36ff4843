"""The grader image's slot uids: a range of its own for each container.

The grader runs untrusted code as uids FIRST_UID .. FIRST_UID + 63 (grader/mcgrader/
sandbox.py). Those uids are the host's unless the container has a user namespace,
and a uid's process limit and kill(-1) reach every process of that uid, in every
container and on the host. So in the image (MEMCRAFT_IMAGE_UIDS=auto, set by the
Containerfile) each container picks a random range inside the uids it may use
(its /proc/self/uid_map), away from the system's; MEMCRAFT_FIRST_UID, when set, wins.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

SLOTS = 64
LOWEST = 10000


def usable(uid_map: str) -> tuple[int, int]:
    """The widest range of uids (first, end) this process can switch to."""
    best = (0, 0)
    for line in uid_map.splitlines():
        inside, _outside, count = (int(x) for x in line.split())
        if count > best[1] - best[0]:
            best = (inside, inside + count)
    return best


def choose(environ=os.environ) -> int | None:
    if environ.get("MEMCRAFT_FIRST_UID") or environ.get("MEMCRAFT_IMAGE_UIDS") != "auto":
        return None
    try:
        first, end = usable(Path("/proc/self/uid_map").read_text())
    except (OSError, ValueError):
        return None
    first, end = max(first, LOWEST), min(end, 1 << 31) - 2   # below nobody (65534, 2^32-2)
    if end - first < SLOTS * 4:
        return None
    base = random.SystemRandom().randrange(first // SLOTS + 1, (end - SLOTS) // SLOTS) * SLOTS
    if base <= 65534 < base + SLOTS:
        base -= SLOTS
    environ["MEMCRAFT_FIRST_UID"] = str(base)
    return base
