"""make watch: the current exercise, checked again on every save.

    make watch            follows the first exercise not yet passing
    make watch EX=03      starts at exercise 03

On every save of a student file it rebuilds what changed and runs the public tests
and the sanitizer build side by side (quick.py), and shows the first thing to fix:
the first failing test with its message and the section to read, or the first
sanitizer finding. Saving another exercise's file follows that exercise. When the
current exercise passes it says so in one line and moves on to the next one not
yet passing. Keys: h the next hint, v Valgrind, r check again, q quit.

The checks run in a worker thread, so keys answer while one runs; a save during a
check queues one more check. On the way out (q, Ctrl-C, a closed terminal) the
terminal is restored and the processes this command started are stopped.
"""
from __future__ import annotations

import os
import queue
import select
import signal
import sys
import threading
from pathlib import Path

from . import hints, memcheck, progress, quick
from .frame import View, frame
from .screen import Screen
from .watcher import Watcher
from mcgrader import exercises
from mcgrader.exercises import Exercise


class Loop:
    def __init__(self, order: list[Exercise], start: int, watcher: Watcher,
                 screen: Screen) -> None:
        self.order, self.watcher, self.screen = order, watcher, screen
        self.owner = {ex.dir / f: ex for ex in order for f in ex.student_files}
        self.jobs: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.wake_r, self.wake_w = os.pipe()
        self.pending = False        # a save arrived during a check: check again after it
        self.inflight = 0           # jobs given to the worker and not yet answered
        self.done: list[str] = []   # the "done" lines so far
        self.view = self._view(start)
        threading.Thread(target=self._work, daemon=True).start()

    # ---- the worker thread ----------------------------------------------------------
    def _work(self) -> None:
        while True:
            kind, ex = self.jobs.get()
            try:
                if kind == "check":
                    files = progress.digest(ex)
                    out = quick.check(ex)
                    progress.record([(ex, out.passed, out.total, out.ok, files)])
                else:
                    out = memcheck.memcheck(ex)
            except Exception as err:  # noqa: BLE001 - shown on screen, never a dead loop
                kind, out = "error", f"{type(err).__name__}: {err}"
            self.results.put((kind, ex, out))
            os.write(self.wake_w, b"!")

    def _submit(self, kind: str) -> None:
        self.inflight += 1
        self.view.busy = "checking" if kind == "check" else "running Valgrind"
        self.jobs.put((kind, self.view.ex))

    # ---- state ----------------------------------------------------------------------
    def _view(self, index: int) -> View:
        ex = self.order[index]
        return View(ex, index + 1, len(self.order), self.watcher.describe(),
                    hidden=progress.hidden_count(ex), done=self.done)

    def _next_index(self) -> int | None:
        """The next exercise not known to pass, after the current one, then from the top."""
        here = self.view.place - 1
        data = progress.load()
        for i in [*range(here + 1, len(self.order)), *range(0, here)]:
            if not progress.known_passing(self.order[i], data):
                return i
        return None

    def _on_result(self, kind: str, ex: Exercise, out) -> None:
        self.inflight -= 1
        v = self.view
        if ex == v.ex:                 # else a result for an exercise left behind
            if kind == "error":
                v.note = f"the check itself failed: {out}"
            elif kind == "valgrind":
                v.valgrind = out
            else:
                v.result, v.note = out, ""
                if out.ok and not self.pending:
                    self._advance(out)
        if self.inflight == 0:
            if self.pending:           # saved while it ran: check what is there now
                self.pending = False
                self._submit("check")
            else:
                self.view.busy = ""

    def _advance(self, q: quick.Quick) -> None:
        ex = self.view.ex
        self.done.append(f"done: {ex.number} {ex.name}: {q.passed}/{q.total} public tests, "
                         f"sanitizers clean (later: `make memcheck EX={ex.handle}`, "
                         f"`make lint EX={ex.handle}`)")
        following = self._next_index()
        if following is None:
            self.view.finished = True
            return
        self.view = self._view(following)
        self._submit("check")

    def _on_saved(self, paths: list[Path]) -> None:
        owners = [self.owner[p] for p in paths if p in self.owner]
        if not owners:
            return
        if self.view.ex not in owners:   # another exercise's file: follow it
            self.view = self._view(self.order.index(owners[0]))
        if self.inflight:
            self.pending = True
            self.view.busy = "checking"
        else:
            self._submit("check")

    def _on_key(self, key: str) -> bool:
        """Handles one key; False to quit."""
        v = self.view
        if key in "qQ":
            return False
        if key in "hH":
            v.hint = hints.next_hint(v.ex)
            v.no_hints = v.hint is None
        elif key in "vV" and v.busy != "running Valgrind":
            v.valgrind = None
            self._submit("valgrind")
        elif key in "rR":
            self._on_saved([v.ex.dir / v.ex.student_files[0]])
        return True

    # ---- the loop ---------------------------------------------------------------------
    def run(self) -> int:
        self._submit("check")
        shown: list[str] = []
        while True:
            self.view.watching = self.watcher.describe()
            lines = frame(self.view, self.screen.width())
            if lines != shown:
                self.screen.show(lines)
                shown = lines
            fds = [fd for fd in (self.wake_r, self.watcher.fileno(), self.screen.key_fd())
                   if fd is not None]
            ready, _, _ = select.select(fds, [], [], self.watcher.timeout())
            if self.wake_r in ready:
                os.read(self.wake_r, 64)
                while not self.results.empty():
                    self._on_result(*self.results.get())
            if self.screen.key_fd() in ready:
                if not all(self._on_key(k) for k in self.screen.read_keys()):
                    return 0
            if self.watcher.fileno() in ready or self.watcher.fileno() is None:
                saved = self.watcher.changed()
                if saved:
                    self._on_saved(saved)


def plan(key: str) -> tuple[list[Exercise], int]:
    """The exercises to follow and where to start."""
    every = exercises.load_all()
    chosen = exercises.select([key]) if key else every
    if len(chosen) == 1:
        return every, every.index(chosen[0])
    data = progress.load()
    start = next((i for i, ex in enumerate(chosen) if not progress.known_passing(ex, data)), 0)
    return chosen, start


def stop_children() -> None:
    """Stops the commands this process started and left running (each leads its own
    process group: proc.run starts them with setsid)."""
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[2] == entry.name:   # ppid is us, leads its group
            try:
                os.killpg(int(entry.name), signal.SIGKILL)
            except OSError:
                pass


def main(key: str = "", poll: bool = False) -> int:
    order, start = plan(key)
    watcher = Watcher([ex.dir / f for ex in order for f in ex.student_files],
                      poll=poll or os.environ.get("MEMCRAFT_WATCH") == "poll")
    screen = Screen()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    loop = None
    try:
        with screen:
            loop = Loop(order, start, watcher, screen)
            code = loop.run()
    except KeyboardInterrupt:
        code = 0
    finally:
        watcher.close()
        stop_children()
    ex = loop.view.ex if loop else order[start]
    print(f"Stopped watching. `make watch EX={ex.handle}` goes on with {ex.number} {ex.name}; "
          f"`make check` shows your progress.")
    return code
