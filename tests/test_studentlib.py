"""The student loop's pieces (tools/studentlib): progress, the quick check and what it
shows, hints, reset, file watching. The watch loop as a whole is test_watch_tmux.py."""
import io
import os
import re
import shutil
import stat
import sys
import textwrap
import time
import unittest
from pathlib import Path
from unittest import mock

from helpers import ROOT, make_exercise, make_gradable_exercise, scratch

sys.path.insert(0, str(ROOT / "tools"))

from studentlib import common, frame, hints, progress, quick, reset, watcher  # noqa: E402
from mcgrader.run import TestResult, TestRun  # noqa: E402
from mcgrader.memory import Finding  # noqa: E402


class InScratch(unittest.TestCase):
    """Every test's build/ (progress, hint counters) is a scratch folder."""

    def setUp(self):
        self._tmp = scratch()
        self.tmp = Path(self._tmp.name)
        build = self.tmp / "build"
        for target, value in ((common, build), (progress, build)):
            patcher = mock.patch.object(target, "BUILD", value)
            patcher.start()
            self.addCleanup(patcher.stop)
        patcher = mock.patch.object(progress, "STATE", build / "progress.json")
        patcher.start()
        self.addCleanup(patcher.stop)
        self.addCleanup(self._tmp.cleanup)


class ProgressTest(InScratch):
    def test_the_best_result_and_the_last_pass_are_kept(self):
        ex = make_exercise(self.tmp)
        files = progress.digest(ex)
        progress.record([(ex, 1, 2, False, files)], now=100)
        progress.record([(ex, 2, 2, True, files)], now=200)
        progress.record([(ex, 0, 2, False, files)], now=300)
        entry = progress.load()["exercises"][ex.folder]
        self.assertEqual(entry["best"], {"passed": 2, "total": 2, "ok": True, "at": 200})
        self.assertEqual(entry["last_passed"], 200)
        self.assertEqual(entry["last"]["passed"], 0)

    def test_a_pass_is_known_only_while_the_files_are_unchanged(self):
        ex = make_exercise(self.tmp)
        progress.record([(ex, 2, 2, True, progress.digest(ex))])
        self.assertTrue(progress.known_passing(ex))
        (ex.dir / "tiny.c").write_text("int tiny_add(int a, int b) { return a - b; }\n")
        self.assertFalse(progress.known_passing(ex))

    def test_a_broken_state_file_starts_over(self):
        progress.STATE.parent.mkdir(parents=True)
        progress.STATE.write_text("{not json")
        self.assertEqual(progress.load(), {"exercises": {}})

    def test_times_read_as_how_long_ago(self):
        now = 1_000_000
        self.assertEqual(progress.ago(None, now), "never")
        self.assertEqual(progress.ago(now - 30, now), "just now")
        self.assertEqual(progress.ago(now - 150, now), "2 min ago")
        self.assertEqual(progress.ago(now - 7300, now), "2 h ago")
        self.assertEqual(progress.ago(now - 3 * 86400, now), "3 days ago")

    def test_hidden_tests_are_counted_where_they_are_and_shipped_where_not(self):
        ex = make_gradable_exercise(self.tmp)   # one hidden test, no count in its toml
        self.assertEqual(progress.hidden_count(ex), 1)
        shutil.rmtree(ex.hidden_dir)            # as in the student handout
        self.assertIsNone(progress.hidden_count(ex))
        meta = ex.dir / "exercise.toml"
        meta.write_text("hidden_tests = 7\n" + meta.read_text())
        from mcgrader import exercises
        self.assertEqual(progress.hidden_count(exercises.load(ex.dir)), 7)

    def test_a_row_shows_the_best_result_the_hidden_count_and_the_last_pass(self):
        ex = make_gradable_exercise(self.tmp)
        progress.record([(ex, 2, 2, True, progress.digest(ex))], now=time.time() - 200)
        row = progress.row(ex, "1/2", "clean", "not run", "in progress", progress.load())
        self.assertEqual(row, ("99 tiny", "1/2", "2/2", "clean", "not run", "+1",
                               "in progress", "3 min ago"))
        lines = progress.table([progress.HEADER, row])
        self.assertIn("hidden", lines[0])
        self.assertIn("+1", lines[1])


def failing(tid, message, status="FAILED"):
    return TestResult(tid, status, 1, [message] if message else [])


class ProblemTest(unittest.TestCase):
    def test_a_failing_test_gives_its_message_its_place_and_its_section(self):
        with scratch() as tmp:
            ex = make_exercise(Path(tmp))
            message = (f"{ex.dir}/tests/test_tiny.c:12: tiny_add(2, 2) returned 5, "
                       f"expected 4\n      read: section 2.1 The heap")
            p = quick.test_problem(ex, failing("tiny::adds", message), [])
        self.assertEqual(p.title, "test tiny::adds fails")
        self.assertEqual(p.where, "tests/test_tiny.c:12")
        self.assertEqual(p.lines, ["tiny_add(2, 2) returned 5, expected 4"])
        self.assertEqual(p.section, "2.1 The heap")

    def test_a_crash_borrows_the_sanitizer_finding_of_the_same_test(self):
        with scratch() as tmp:
            ex = make_exercise(Path(tmp))
            found = Finding("sanitizers", "tiny::adds", "heap-use-after-free",
                            "uses a block after it was freed", "tiny.c:3 (tiny_add)")
            p = quick.test_problem(ex, failing("tiny::adds", "The test crashed.", "CRASHED"),
                                   [found])
        self.assertEqual(p.title, "test tiny::adds crashes")
        self.assertIn("tiny.c:3 (tiny_add): uses a block after it was freed", p.lines[-1])
        self.assertEqual(p.section, "10.4 Use after free and dangling pointers")

    def test_the_first_problem_is_the_first_failing_test_in_the_files(self):
        with scratch() as tmp:
            ex = make_exercise(Path(tmp))
            run = TestRun({"tiny::zz": failing("tiny::zz", "later"),
                           "tiny::aa": failing("tiny::aa", "first in the file")})
            q = quick.Quick(ex, tests=run, order={"tiny::aa": 0, "tiny::zz": 1})
            self.assertEqual(q.first_problem().lines, ["first in the file"])
            q.order = {"tiny::aa": 1, "tiny::zz": 0}
            self.assertEqual(q.first_problem().lines, ["later"])

    def test_when_every_test_passes_the_first_sanitizer_finding_is_shown(self):
        with scratch() as tmp:
            ex = make_exercise(Path(tmp))
            found = Finding("sanitizers", "tiny::adds", "detected memory leaks",
                            "leaks memory: a block is never freed", "tiny.c:2 (tiny_add)")
            q = quick.Quick(ex, tests=TestRun({"tiny::adds": TestResult("tiny::adds", "PASSED",
                                                                        1)}),
                            findings=[found])
            self.assertFalse(q.ok)
            p = q.first_problem()
        self.assertEqual(p.title, "AddressSanitizer + UBSan finds a problem")
        self.assertEqual(p.section, "10.2 Leaks")

    def test_every_section_named_for_a_finding_is_a_heading_of_the_book(self):
        headings = set()
        for chapter in (ROOT / "chapters").glob("*.md"):
            headings |= set(re.findall(r"^## (\d+\.\d+ .+?)\s*$", chapter.read_text(), re.M))
        for section in [*quick.FINDING_SECTIONS.values(), *quick.DEFAULT_SECTION.values()]:
            self.assertIn(section, headings)
            self.assertTrue(frame.chapter_of(section).startswith("chapters/"), section)


class QuickCheckTest(InScratch):
    """The quick check builds and runs for real (gcc, Criterion, ASan)."""

    def test_it_gives_the_grader_s_verdicts_and_the_first_failure(self):
        ex = make_exercise(self.tmp, test=textwrap.dedent("""\
            #include "mc_test.h"
            #include "tiny.h"
            MC_SUITE(tiny);
            Test(tiny, adds) {
                MC_CLAUSE("1.1");
                cr_assert_eq(tiny_add(2, 3), 5, "tiny_add(2, 3) gave %d" MC_READ("2.1 x"),
                             tiny_add(2, 3));
            }
            Test(tiny, adds_zero) { MC_CLAUSE("1.1"); cr_assert_eq(tiny_add(0, 0), 0, "0+0"); }
            """))
        work = self.tmp / "work"
        good = quick.check(ex, work)
        self.assertTrue(good.ok, good.first_problem())
        self.assertEqual((good.passed, good.total), (2, 2))
        (ex.dir / "tiny.c").write_text('#include "tiny.h"\nint tiny_add(int a, int b) '
                                       '{ return a * b; }\n')
        bad = quick.check(ex, work)
        self.assertEqual((bad.passed, bad.total), (1, 2))
        p = bad.first_problem()
        self.assertEqual((p.title, p.lines, p.section),
                         ("test tiny::adds fails", ["tiny_add(2, 3) gave 6"], "2.1 x"))
        (ex.dir / "tiny.c").write_text("int tiny_add(int a, int b) { return a +; }\n")
        broken = quick.check(ex, work)
        self.assertFalse(broken.built)
        self.assertIn("does not compile", broken.first_problem().title)


class RebuildTest(InScratch):
    """Only what changed is rebuilt, judged by content (build.py's stamps), not by dates."""

    def test_an_unchanged_save_rebuilds_nothing_and_an_older_file_still_counts(self):
        from mcgrader import build
        ex = make_exercise(self.tmp)
        work = self.tmp / "work"
        first = build.build(ex, ex.dir, work, "plain", ex.public_tests())
        obj, binary = first.student_objects[0], first.binary
        built = obj.stat().st_mtime_ns, binary.stat().st_mtime_ns
        source = ex.dir / "tiny.c"
        source.write_text(source.read_text())            # saved, not changed
        build.build(ex, ex.dir, work, "plain", ex.public_tests())
        self.assertEqual((obj.stat().st_mtime_ns, binary.stat().st_mtime_ns), built)
        old = source.stat().st_mtime_ns - 10**10           # a copy restored with its old date
        source.write_text('#include "tiny.h"\nint tiny_add(int a, int b) { return b + a; }\n')
        os.utime(source, ns=(old, old))
        again = build.build(ex, ex.dir, work, "plain", ex.public_tests())
        self.assertNotEqual(obj.stat().st_mtime_ns, built[0])
        self.assertNotEqual(again.binary.stat().st_mtime_ns, built[1])


class FrameTest(InScratch):
    def test_the_screen_names_the_exercise_to_type_and_the_keys(self):
        ex = make_exercise(self.tmp)
        q = quick.Quick(ex, tests=TestRun({"tiny::adds": failing("tiny::adds", "wrong"),
                                           "tiny::more": failing("tiny::more", "also")}),
                        seconds=1.25)
        view = frame.View(ex, 1, 1, "watching your files (inotify)", result=q, hidden=4)
        text = "\n".join(frame.frame(view, 100))
        for words in ("EX=99", "0/2 public tests pass", "test tiny::adds fails",
                      "`make check EX=99`", "adds 4 hidden tests", "h next hint", "q quit",
                      "checked in 1.25 s", "(inotify)"):
            self.assertIn(words, text)

    def test_a_hint_keeps_its_code_and_wraps_its_text(self):
        text = "A long sentence " * 10 + "\n\n```c\nint  x = 1;\n```\n- an item\n"
        lines = frame.markdown_lines(text, 60)
        self.assertIn("      int  x = 1;", lines)
        self.assertTrue(all(len(ln) <= 60 for ln in lines))
        self.assertIn("  - an item", lines)


class HintsTest(InScratch):
    def test_hints_come_one_at_a_time_and_stop_at_the_last(self):
        ex = make_exercise(self.tmp)
        (ex.dir / "hints.md").write_text("# Hints\n\n## Hint 1\nfirst\n\n## Hint 2\nsecond\n")
        shown = [hints.next_hint(ex) for _ in range(3)]
        self.assertEqual([(h.number, h.text) for h in shown],
                         [(1, "first"), (2, "second"), (2, "second")])
        self.assertTrue(shown[2].last)
        hints.forget(ex)
        self.assertEqual(hints.next_hint(ex).number, 1)

    def test_an_exercise_without_hints_has_none(self):
        self.assertIsNone(hints.next_hint(make_exercise(self.tmp)))


class ResetTest(InScratch):
    def setUp(self):
        super().setUp()
        self.ex = make_exercise(self.tmp)
        self.stub = (self.ex.dir / "tiny.c").read_text()
        (self.ex.dir / ".stub").mkdir()
        (self.ex.dir / ".stub" / "tiny.c").write_text(self.stub)
        self.mine = "/* my work */\n" + self.stub
        (self.ex.dir / "tiny.c").write_text(self.mine)

    def reset(self, answer):
        out = io.StringIO()
        with mock.patch("sys.stdin", io.StringIO(answer)), mock.patch("sys.stdout", out):
            code = reset.main(self.ex)
        return code, out.getvalue()

    def test_nothing_changes_unless_the_answer_is_yes(self):
        for answer in ("\n", "n\n", ""):
            code, said = self.reset(answer)
            self.assertEqual(code, 0)
            self.assertIn("Nothing changed.", said)
            self.assertEqual((self.ex.dir / "tiny.c").read_text(), self.mine)
            self.assertFalse((self.ex.dir / "backups").exists())

    def test_yes_keeps_the_student_s_file_and_puts_the_stub_back(self):
        code, said = self.reset("y\n")
        self.assertEqual(code, 0)
        self.assertEqual((self.ex.dir / "tiny.c").read_text(), self.stub)
        backups = list((self.ex.dir / "backups").glob("tiny-*.c"))
        self.assertEqual(len(backups), 1)
        self.assertEqual(backups[0].read_text(), self.mine)
        self.assertIn("Reset EX=99? [y/N]", said)
        self.assertIn(f"cp {backups[0]}", said)
        code, said = self.reset("y\n")
        self.assertIn("already the stub", said)

    def test_in_a_git_checkout_the_stub_comes_from_the_last_commit(self):
        import subprocess
        shutil.rmtree(self.ex.dir / ".stub")
        (self.ex.dir / "tiny.c").write_text(self.stub)
        git = ["git", "-C", str(self.ex.root), "-c", "user.name=t", "-c", "user.email=t@t"]
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "course"], check=True)
        (self.ex.dir / "tiny.c").write_text(self.mine)
        code, said = self.reset("y\n")
        self.assertEqual(code, 0, said)
        self.assertEqual((self.ex.dir / "tiny.c").read_text(), self.stub)

    def test_without_the_pristine_copy_it_says_so_and_changes_nothing(self):
        shutil.rmtree(self.ex.dir / ".stub")
        code, said = self.reset("y\n")
        self.assertEqual(code, 1)
        self.assertIn("No pristine copy", said)
        self.assertEqual((self.ex.dir / "tiny.c").read_text(), self.mine)


def wait_changed(w: watcher.Watcher, seconds: float = 5) -> list[Path]:
    import select
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fd = w.fileno()
        if fd is not None:
            select.select([fd], [], [], 0.2)
        else:
            time.sleep(w.timeout())
        found = w.changed()
        if found:
            return found
    return []


class WatcherTest(unittest.TestCase):
    def setUp(self):
        self._tmp = scratch()
        self.addCleanup(self._tmp.cleanup)
        self.dir = Path(self._tmp.name)
        self.file = self.dir / "mine.c"
        self.file.write_text("one\n")

    def watch(self, **kw) -> watcher.Watcher:
        w = watcher.Watcher([self.file], **kw)
        self.addCleanup(w.close)
        return w

    @unittest.skipUnless(shutil.which("inotifywait"), "inotify-tools is not installed")
    def test_inotify_sees_a_save_in_place_and_a_save_by_rename(self):
        w = self.watch()
        self.assertEqual(w.mode, "inotify")
        self.file.write_text("two\n")                  # nano, or a plain write
        self.assertEqual(wait_changed(w), [self.file])
        tmp = self.dir / ".mine.c.swp"
        tmp.write_text("three\n")
        os.replace(tmp, self.file)                     # Vim, VS Code: write, then rename
        self.assertEqual(wait_changed(w), [self.file])
        (self.dir / "other.c").write_text("x\n")       # not a watched file
        self.assertEqual(wait_changed(w, 1), [])

    def test_without_inotifywait_it_polls_and_says_why(self):
        with mock.patch.dict(os.environ, {"PATH": str(self.dir / "nothing-here")}):
            w = self.watch()
        self.assertEqual(w.mode, "poll")
        self.assertIn("inotifywait is not installed", w.describe())
        self.assertIn("every 0.5 s", w.describe())
        self.file.write_text("two, longer\n")
        self.assertEqual(wait_changed(w), [self.file])

    def test_when_inotifywait_fails_it_polls_and_says_why(self):
        fake = self.dir / "bin" / "inotifywait"
        fake.parent.mkdir()
        fake.write_text("#!/bin/sh\necho 'Failed to watch x; upper limit on inotify watches "
                        "reached!' >&2\nexit 1\n")
        fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
        with mock.patch.dict(os.environ, {"PATH": f"{fake.parent}:{os.environ['PATH']}"}):
            w = self.watch()
        self.assertEqual(w.mode, "poll")
        self.assertIn("upper limit on inotify watches", w.describe())
        self.file.write_text("two, longer\n")
        self.assertEqual(wait_changed(w), [self.file])

    def test_polling_can_be_asked_for(self):
        w = self.watch(poll=True)
        self.assertEqual(w.mode, "poll")
        self.assertIn("--poll", w.describe())


if __name__ == "__main__":
    unittest.main()
