"""Where untrusted code runs: bubblewrap, a user of its own, limits.

Layers, strongest available first (each report names the ones in force):
  1. A distinct unprivileged uid per grading slot (setpriv-style, through
     Popen's user=): the code cannot write the grader's files, and
     RLIMIT_NPROC, which the kernel ignores for root, stops fork bombs.
  2. bubblewrap, when the kernel allows it: new network, PID, IPC and UTS
     namespaces (no network; every process dies with the namespace, daemons
     that called setsid included), a read-only /usr, a private /tmp, and only
     the folders a step needs: never the hidden tests or the grader.
  3. Always: CPU, wall-clock, file-size and (outside the sanitizers and
     Valgrind) address-space limits, output captured and capped, and the
     process group killed when the step ends.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from .proc import Limits, Result, run

FIRST_UID = 60100          # uids FIRST_UID .. FIRST_UID + SLOTS - 1 are the grader's
SLOTS = 64
SLOT_LOCKS = Path("/tmp/memcraft-slots")   # one lock file per uid, across all graders
NPROC = 256                # Criterion needs 16+; a fork bomb stops here
SYSTEM = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
          "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
          "--symlink", "usr/sbin", "/sbin", "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
          "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
# Run as a slot's uid: kill(-1, SIGKILL) (python, not procps' kill: slim images lack it).
KILL_ALL = [sys.executable, "-S", "-c", "import os; os.kill(-1, 9)"]
_probe_lock = threading.Lock()
_probed: dict[str, bool] = {}


def _can_switch_user() -> bool:
    return os.geteuid() == 0


def _bwrap_works() -> bool:
    with _probe_lock:
        if "bwrap" not in _probed:
            ok = False
            if shutil.which("bwrap"):
                cmd = ["bwrap", "--unshare-all", "--die-with-parent", *SYSTEM, "true"]
                try:
                    kwargs = {"user": FIRST_UID, "group": FIRST_UID, "extra_groups": []} \
                        if _can_switch_user() else {}
                    ok = subprocess.run(cmd, capture_output=True, timeout=20,
                                        **kwargs).returncode == 0
                except (OSError, subprocess.SubprocessError):
                    ok = False
            _probed["bwrap"] = ok
        return _probed["bwrap"]


class Sandbox:
    """Hands out slots (one uid each) and runs commands in them."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.use_bwrap = enabled and _bwrap_works()
        self.use_uid = enabled and _can_switch_user()
        self._lock = threading.Lock()
        self._local = threading.local()

    def protections(self) -> list[str]:
        out = ["time, CPU, file-size and output limits", "process group killed after each step"]
        if self.use_uid:
            out.insert(0, "a separate unprivileged user per submission (process limit)")
        if self.use_bwrap:
            out.insert(0, "bubblewrap (no network, private /tmp, read-only system, only the "
                          "step's own folders visible, PID namespace)")
        elif self.enabled:
            out.append("bubblewrap NOT available here: rlimits and a separate user only")
        return out

    # A slot is held by one thread for one exercise at a time. The lock file makes it
    # exclusive across processes too: two graders on one machine (a batch and a
    # self-test) must never share a uid, or one's clean-up kills the other's work.
    def acquire(self) -> None:
        if not self.use_uid:
            return
        while True:
            with self._lock:
                for uid in range(FIRST_UID, FIRST_UID + SLOTS):
                    fd = _try_lock(uid)
                    if fd is not None:
                        _kill_user(uid)   # whatever an earlier, killed grader left
                        self._local.uid, self._local.fd = uid, fd
                        return
            time.sleep(0.5)

    def held_uid(self) -> int | None:
        """The uid of the slot this thread holds now, if any."""
        return getattr(self._local, "uid", None)

    def release(self) -> None:
        uid = getattr(self._local, "uid", None)
        if uid is not None:
            _kill_user(uid)
            os.close(self._local.fd)
            self._local.uid = None

    def run(self, cmd: list[str], cwd: Path, limits: Limits = Limits(), env: dict | None = None,
            readable=(), writable=()) -> Result:
        if self.use_uid and getattr(self._local, "uid", None) is None:
            self.acquire()   # never run untrusted code as root: take a slot for this step
            try:
                return self.run(cmd, cwd, limits, env, readable, writable)
            finally:
                self.release()
        uid = getattr(self._local, "uid", None) if self.use_uid else None
        if uid is not None:
            for path in writable:
                _give(Path(path), uid)
            limits = replace(limits, processes=NPROC)
        if not self.use_bwrap:
            result = run(cmd, cwd, limits, env=env, uid=uid)
        else:
            box = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", *SYSTEM]
            for path in readable:
                if Path(path).exists():
                    box += ["--ro-bind", str(path), str(path)]
            for path in writable:
                box += ["--bind", str(path), str(path)]
            box += ["--chdir", str(cwd), "--"]
            env = env or {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
            result = run([*box, *cmd], cwd, limits, env=env, uid=uid)
        if uid is not None:
            _kill_user(uid)
        return result


def _try_lock(uid: int) -> int | None:
    SLOT_LOCKS.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(SLOT_LOCKS / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def _give(path: Path, uid: int) -> None:
    """Makes path (a folder the step may write) the slot user's, recursively."""
    path.mkdir(parents=True, exist_ok=True)
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            try:
                os.lchown(os.path.join(root, name), uid, uid)
            except OSError:
                pass
    os.chown(path, uid, uid)


def processes_of(uids) -> list[str]:
    """Live (non-zombie) processes owned by any of uids, as "pid: stat" lines.

    Only ever asked about uids the caller holds: another grader on the same
    host owns the other slots, and its work is none of our business."""
    wanted = set(uids)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid in wanted:
                stat = Path(f"/proc/{entry}/stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":   # a zombie runs nothing
                    found.append(f"{entry}: {stat[:200]}")
        except (OSError, IndexError):
            continue
    return found


def _kill_user(uid: int) -> None:
    """Kills every process left running as uid (a daemon that escaped its group, a
    fork bomb still forking) and waits until they are gone. Called only for a uid
    whose slot lock this process holds.

    kill(-1, SIGKILL) made as uid itself reaches all of that uid's processes in one
    call (and, on Linux, not the caller), so a fork bomb cannot outrun it as it
    outruns a walk of /proc."""
    for attempt in range(60):
        if not processes_of([uid]):
            return
        if attempt % 5 == 0:
            try:
                subprocess.run(KILL_ALL, user=uid, group=uid, extra_groups=[],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
            except (OSError, subprocess.SubprocessError):
                pass
        time.sleep(0.05)
