"""make watch in a real terminal: tmux runs it in a copy of the repository, the test
types keys (tmux send-keys), saves the student's file as editors do, and reads the
screen (tmux capture-pane). Nothing of the real working tree changes."""
import os
import re
import shutil
import subprocess
import sys
import time
import unittest
from pathlib import Path

from course_copy import copy_course
from helpers import ROOT

sys.path.insert(0, str(ROOT / "grader"))

from mcgrader import clauses, exercises  # noqa: E402


@unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
class WatchInTmux(unittest.TestCase):
    def setUp(self):
        self._tmp, self.repo = copy_course()
        self.addCleanup(self._tmp.cleanup)
        self.socket = f"memcraft-watch-test-{os.getpid()}-{id(self)}"
        self.addCleanup(self.tmux, "kill-server")
        self.ex = exercises.select(["03"], self.repo)[0]
        self.file = self.ex.dir / self.ex.student_files[0]

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=30)
        return done.stdout

    def start(self, command: str, env: str = "") -> None:
        """A shell in a 120x50 terminal, in the copy, that then runs command."""
        self.tmux("new-session", "-d", "-x", "120", "-y", "50", "-c", str(self.repo),
                  "bash --norc --noprofile")
        self.tmux("send-keys", "-t", "0", f"{env}{command}", "Enter")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-t", "0")

    def wait_for(self, pattern: str, seconds: float = 120, absent: str = "") -> str:
        deadline = time.monotonic() + seconds
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if re.search(pattern, text) and not (absent and re.search(absent, text)):
                return text
            time.sleep(0.2)
        self.fail(f"the screen never showed /{pattern}/; it shows:\n{text}")

    def save_in_place(self, text: str) -> None:
        self.file.write_text(text)

    def save_by_rename(self, text: str) -> None:
        tmp = self.file.with_name(f".{self.file.name}.swp")
        tmp.write_text(text)
        os.replace(tmp, self.file)

    def mutant_version(self) -> str:
        """The solution with one mistake that a public test catches."""
        for patch in self.ex.mutants():
            if "Category: tests" not in patch.read_text():
                continue
            work = Path(self._tmp.name) / f"mutant-{patch.stem}"
            shutil.copytree(self.ex.solution_dir, work)
            subprocess.run(["patch", "-p1", "-s", "-d", str(work), "-i", str(patch)],
                           check=True)
            return (work / self.file.name).read_text()
        self.skipTest("no tests mutant to save")

    def test_type_save_and_read_the_screen(self):
        total = len(clauses.test_sources(self.ex, hidden=False))
        self.start("make watch EX=03")
        screen = self.wait_for(r"0/\d+ public tests pass")
        self.assertIn("memcraft watch: 03 vector (EX=03", screen)
        self.assertRegex(screen, r"test \S+::\S+ fails")
        self.assertRegex(screen, r"read: section \d+\.\d+ .+ \(chapters/\d\d-[a-z-]+\.md\)")
        if shutil.which("inotifywait"):
            self.assertIn("watching your files (inotify)", screen)
        else:
            self.assertIn("checking your files every 0.5 s (inotifywait is not installed", screen)

        self.tmux("send-keys", "-t", "0", "h")                     # the next hint
        self.wait_for(r"Hint 1 of \d+:")

        self.save_in_place(self.mutant_version())                  # nearly there
        screen = self.wait_for(r"(?m)^[1-9]\d*/\d+ public tests pass", absent="checking again")
        passed = int(re.search(r"(\d+)/\d+ public tests pass", screen).group(1))
        self.assertTrue(0 < passed < total, screen)
        self.assertRegex(screen, r"test \S+::\S+ (fails|crashes)")

        self.tmux("send-keys", "-t", "0", "v")                     # Valgrind
        self.wait_for(r"Valgrind: running")
        self.wait_for(r"Valgrind: (no leaks|\d+ problem)", seconds=240)

        self.save_by_rename(self.ex.solution_dir.joinpath(self.file.name).read_text())
        screen = self.wait_for(r"memcraft watch: 04 ")           # done, and on to the next
        self.assertRegex(screen, rf"done: 03 vector: {total}/{total} public tests, "
                                 rf"sanitizers clean")

        self.save_in_place("int broken(\n")                        # back to 03: it follows
        screen = self.wait_for(r"vector\.c does not compile")
        self.assertIn("memcraft watch: 03 vector", screen)

        self.tmux("send-keys", "-t", "0", "q")
        self.wait_for(r"Stopped watching\. `make watch EX=03`")
        self.tmux("send-keys", "-t", "0", "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo",
                  "Enter")                                         # the terminal is back
        screen = self.wait_for(r"\nicanon\s*\n(.*\n)*echo\b", seconds=10)
        self.assertNotIn("-icanon", screen.split("Stopped watching")[1])

    def test_where_inotify_fails_it_polls_and_says_so(self):
        fake = Path(self._tmp.name) / "bin" / "inotifywait"
        fake.parent.mkdir()
        fake.write_text("#!/bin/sh\necho 'Failed to watch; upper limit on inotify watches "
                        "reached!' >&2\nexit 1\n")
        fake.chmod(0o755)
        self.start("python3 tools/workbook.py watch 03", env=f"PATH={fake.parent}:$PATH ")
        screen = self.wait_for(r"0/\d+ public tests pass")
        self.assertIn("checking your files every 0.5 s (inotifywait failed: Failed to watch; "
                      "upper limit on inotify watches reached!)", screen)
        self.save_in_place(self.file.read_text() + "int broken(\n")
        self.wait_for(r"vector\.c does not compile")
        self.tmux("send-keys", "-t", "0", "q")
        self.wait_for(r"Stopped watching")


if __name__ == "__main__":
    unittest.main()
