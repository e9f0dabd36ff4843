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

Without bubblewrap (containers that forbid user namespaces, as Gradescope's often
do), layers 1 and 3 hold alone, helped by file modes the grader sets itself: at
start-up the hidden tests, solutions, mutants, alternatives and the calibration
cache become root's alone (0700); an exercise's scratch folder is readable by its
slot's group alone (root:slot 0750) while it grades; a folder a step writes belongs
to the slot's uid during that step only, and is root's again when the step ends
(so nothing written later, such as objects linked by a later stage, can be swapped);
scratch roots are 0711 (traversable, not listable); and what a slot's uid left in
/tmp or /dev/shm is removed when the slot is released. What this layer cannot do:
take the network away. The report says which layers were in force.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

from .proc import Limits, Result, run

# uids FIRST_UID .. FIRST_UID + SLOTS - 1 are the grader's; MEMCRAFT_FIRST_UID moves
# them (the grader image picks its own, so that graders in containers and on the host
# never share a uid: its processes, its process limit, its kill(-1)).
FIRST_UID = int(os.environ.get("MEMCRAFT_FIRST_UID", "60100"))
SLOTS = 64
SLOT_LOCKS = Path("/tmp/memcraft-slots")   # one lock file per uid, across all graders
NPROC = 256                # Criterion needs 16+; a fork bomb stops here
SYSTEM = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
          "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
          "--symlink", "usr/sbin", "/sbin", "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache",
          "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
# Run as a slot's uid: kill(-1, SIGKILL), with the shell's builtin kill (/bin/sh is in
# every image; procps' kill is not, and the grader's own python may be unreadable to
# the slot's uid).
KILL_ALL = ["/bin/sh", "-c", "kill -KILL -1"]
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

    def __init__(self, enabled: bool = True, bwrap: bool = True) -> None:
        self.enabled = enabled
        self.use_bwrap = enabled and bwrap and _bwrap_works()
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
        elif self.enabled and self.use_uid:
            out.append("bubblewrap NOT in use here: a separate user, file modes and limits "
                       "only; the code under test could reach the network")
        elif self.enabled:
            out.append("bubblewrap NOT in use here and the grader is not root: the code under "
                       "test runs as the grader's own user, with limits only; it could read "
                       "what the grader reads and reach the network")
        return out

    def protect(self, roots) -> None:
        """Start-up: what a slot's uid must never read becomes root's alone. roots are
        course repositories (the exercises' .root); needs root, like the slots."""
        if not self.use_uid:
            return
        from . import calibrate   # calibrate imports the pipeline, which imports us
        folders = [calibrate.CACHE]
        for root in set(roots):
            folders += [root / "solutions", root / "grader" / "hidden",
                        root / "grader" / "mutants", root / "grader" / "alternatives"]
        for folder in folders:
            if folder == calibrate.CACHE:
                folder.mkdir(parents=True, exist_ok=True)
            if folder.is_dir():
                os.chown(folder, 0, 0)
                folder.chmod(0o700)

    def claim(self, folder: Path) -> None:
        """Makes folder (an exercise's scratch folder) readable by the held slot alone:
        root keeps it (so the slot cannot rename what is inside), the slot's group may
        read it, no other slot's uid can look in."""
        uid = self.held_uid()
        if uid is not None:
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, 0, uid)
            folder.chmod(0o750)

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
            _remove_files_of(uid)
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
            for path in writable:
                _give(Path(path), 0)   # the step is over: its folders are root's again
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
    """Makes path (a folder the step may write) uid's, recursively (uid 0 takes it back)."""
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


SHARED_TMP = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))


def _remove_files_of(uid: int) -> None:
    """Removes what uid left in the shared temporary folders (without bubblewrap its
    code sees the real /tmp): the next submission in this slot must find nothing."""
    for folder in SHARED_TMP:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


def _kill_user(uid: int) -> None:
    """Kills every process left running as uid (a daemon that escaped its group, a
    fork bomb still forking) and waits until they are gone. Called only for a uid
    whose slot lock this process holds.

    kill(-1, SIGKILL) made as uid itself reaches all of that uid's processes in one
    call (and, on Linux, not the caller), so a fork bomb cannot outrun it as it
    outruns a walk of /proc."""
    for attempt in range(60):
        left = processes_of([uid])
        if not left:
            return
        if attempt % 5 == 0:
            try:
                subprocess.run(KILL_ALL, user=uid, group=uid, extra_groups=[],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
            except (OSError, subprocess.SubprocessError):
                pass
        # And from here: stop each one first, so that none can fork while its
        # siblings die, then kill, through a pidfd checked to be still uid's
        # (a pid may have been reused by another user's process meanwhile).
        pids = [int(line.split(":", 1)[0]) for line in left]
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for pid in pids:
                _signal_if_owned(pid, uid, sig)
        time.sleep(0.05)


def _signal_if_owned(pid: int, uid: int, sig: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        if os.stat(f"/proc/{pid}").st_uid == uid:
            signal.pidfd_send_signal(fd, sig)
    except OSError:
        pass
    finally:
        os.close(fd)
