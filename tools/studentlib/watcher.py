"""Which student file was saved: inotifywait (Debian's inotify-tools) where it works,
polling the files' dates and sizes where it does not.

inotifywait watches the exercise folders, not the files: editors that save by
writing a new file and renaming it over the old one (Vim, VS Code) replace the
file a watch would have been attached to. Polling takes over when inotifywait is
not installed, cannot start (the kernel's limit on watches), or dies; `why`
says which, and the watch screen shows it.
"""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path

POLL_SECONDS = 0.5
SETTLE_SECONDS = 0.05     # an editor's save can take several events: wait for the last
EVENTS = ["close_write", "moved_to", "attrib"]


class Watcher:
    """Watches files (absolute paths); changed() returns the ones saved since last asked."""

    def __init__(self, files: list[Path], poll: bool = False) -> None:
        self.files = sorted(set(files))
        self.mode, self.why = "poll", "polling was asked for (--poll)" if poll else ""
        self._proc: subprocess.Popen | None = None
        self._buffer = b""
        self._seen = {f: _signature(f) for f in self.files}
        if not poll:
            self._start_inotify()

    # ---- inotify -------------------------------------------------------------------
    def _start_inotify(self) -> None:
        tool = shutil.which("inotifywait")
        if tool is None:
            self.why = "inotifywait is not installed (`make deps` installs inotify-tools)"
            return
        folders = sorted({str(f.parent) for f in self.files})
        cmd = [tool, "-m", "--format", "%w%f", *[a for e in EVENTS for a in ("-e", e)],
               "--", *folders]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL)
        except OSError as err:
            self.why = f"inotifywait cannot start: {err}"
            return
        said = b""
        deadline = time.monotonic() + 10
        while b"Watches established" not in said and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 0.5)
            chunk = os.read(proc.stderr.fileno(), 4096) if ready else b""
            if ready and not chunk:
                break   # it ended
            said += chunk
        if b"Watches established" not in said:
            _end(proc)
            reason = said.decode(errors="replace").strip().splitlines()
            self.why = "inotifywait failed" + (f": {reason[-1]}" if reason else "")
            return
        os.set_blocking(proc.stdout.fileno(), False)
        self._proc, self.mode, self.why = proc, "inotify", ""

    def fileno(self) -> int | None:
        """A descriptor to select() on, or None when polling."""
        return self._proc.stdout.fileno() if self._proc else None

    def timeout(self) -> float | None:
        return None if self._proc else POLL_SECONDS

    def _read_events(self) -> set[Path]:
        names: set[Path] = set()
        while True:
            try:
                chunk = os.read(self._proc.stdout.fileno(), 65536)
            except BlockingIOError:
                break
            if not chunk:   # inotifywait died: poll from now on
                self.close()
                self.mode, self.why = "poll", "inotifywait stopped"
                break
            self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            names.add(Path(line.decode(errors="replace")))
        return names

    # ---- both ----------------------------------------------------------------------
    def changed(self) -> list[Path]:
        """The watched files saved since the last call (empty when none)."""
        if self._proc:
            named = self._read_events()
            if not named & set(self.files):
                return []
            time.sleep(SETTLE_SECONDS)
            if self._proc:
                named |= self._read_events()
            hits = [f for f in self.files if f in named]
        else:
            hits = []
        for f in self.files:   # polling, and the dates of what inotify reported
            now = _signature(f)
            if now != self._seen[f]:
                self._seen[f] = now
                if f not in hits:
                    hits.append(f)
        return sorted(hits)

    def describe(self) -> str:
        if self.mode == "inotify":
            return "watching your files (inotify)"
        return f"checking your files every {POLL_SECONDS:g} s ({self.why})"

    def close(self) -> None:
        if self._proc:
            _end(self._proc)
            self._proc = None


def _end(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def _signature(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino
