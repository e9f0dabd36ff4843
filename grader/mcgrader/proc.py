"""Running a command under limits, and always cleaning up after it.

Every command the pipeline runs on behalf of a submission goes through run():
a wall-clock limit, CPU, file-size and process-count rlimits, output captured
to files and read back capped, and the whole process group killed at the end.
sandbox.py adds bubblewrap around the command where the kernel allows it.
"""
from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

OUTPUT_CAP = 64 * 1024

# Wall seconds spent waiting for commands, summed over every run() (any thread):
# tools/grader_speed.py compares it with the total to find the grader's own overhead.
COMMAND_SECONDS = [0.0]
_count_lock = threading.Lock()


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 60
    cpu_seconds: int = 120
    file_bytes: int = 64 * 1024 * 1024
    address_space: int | None = None   # never set for sanitizer builds (ASan needs ~20 TiB)
    processes: int | None = None       # RLIMIT_NPROC; ignored for root


@dataclass
class Result:
    returncode: int | None   # None when killed by the wall-clock limit
    signal: int | None       # the signal that ended it, if any
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def _set_limits(limits: Limits):
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if limits.address_space:
            resource.setrlimit(resource.RLIMIT_AS, (limits.address_space, limits.address_space))
        if limits.processes:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    return apply


def read_capped(path: Path, cap: int = OUTPUT_CAP) -> str:
    """Reads at most cap bytes of a regular file, never following a symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""   # a FIFO or device planted by the submission
        data = f.read(cap + 1)
    text = data[:cap].decode("utf-8", "replace")
    return text + "\n[... output cut ...]\n" if len(data) > cap else text


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run(cmd: list[str], cwd: Path, limits: Limits = Limits(), env: dict | None = None,
        readable=(), writable=(), uid: int | None = None) -> Result:
    """Runs cmd in its own session; returns when it ends or the wall limit passes.

    readable and writable name the paths the command needs; only the sandbox
    (sandbox.py) enforces them. uid, when given, is the user to run as.
    """
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err,
                                     stdin=subprocess.DEVNULL, preexec_fn=_set_limits(limits),
                                     user=uid, group=uid, extra_groups=[] if uid else None)
        except OSError as exc:
            return Result(127, None, "", f"cannot run {cmd[0]}: {exc}", False, 0.0)
        timed_out = False
        try:
            child.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            timed_out = True
        kill_group(child.pid)   # the group outlives its leader: kill stragglers too
        child.wait()
        outputs = []
        for f in (out, err):
            f.seek(0)
            data = f.read(OUTPUT_CAP + 1)
            text = data[:OUTPUT_CAP].decode("utf-8", "replace")
            outputs.append(text + "\n[... output cut ...]\n" if len(data) > OUTPUT_CAP else text)
    rc = child.returncode
    sig = -rc if rc is not None and rc < 0 else None
    seconds = time.monotonic() - start
    with _count_lock:
        COMMAND_SECONDS[0] += seconds
    return Result(None if timed_out else rc, sig, outputs[0], outputs[1], timed_out, seconds)
