"""Submissions that are not what they claim: each ends in a clear refusal, never a traceback."""
import io
import subprocess
import sys
import tarfile
import unittest
import zipfile
from pathlib import Path

from helpers import ROOT, scratch
from mcgrader.unpack import MAX_MEMBERS, SubmissionError, unpack


def tar_with(path: Path, members: list[tarfile.TarInfo], data: bytes = b"") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info in members:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return path


def member(name: str, kind=tarfile.REGTYPE, size: int = 0, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.linkname = kind, size, target
    return info


class UnpackTest(unittest.TestCase):
    def refused(self, archive: Path, words: str) -> None:
        with scratch() as tmp:
            with self.assertRaisesRegex(SubmissionError, words):
                unpack(archive, Path(tmp) / "out")

    def test_a_good_archive_unpacks(self):
        with scratch() as tmp:
            archive = tar_with(Path(tmp) / "ok.tar.gz", [member("01-x/a.c", size=3)], b"abc")
            out = unpack(archive, Path(tmp) / "out")
            self.assertEqual((out / "01-x" / "a.c").read_text(), "abc")

    def test_dot_dot_and_absolute_paths_are_refused(self):
        with scratch() as tmp:
            for name in ("../evil.c", "/etc/evil.c", "a/../../evil.c"):
                archive = tar_with(Path(tmp) / "bad.tar.gz", [member(name, size=1)], b"x")
                self.refused(archive, "outside the archive")

    def test_links_and_special_files_are_refused(self):
        with scratch() as tmp:
            for kind in (tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE, tarfile.CHRTYPE):
                archive = tar_with(Path(tmp) / "link.tar.gz",
                                   [member("a.c", kind, target="/etc/passwd")])
                self.refused(archive, "link or a special file")

    def test_an_enormous_member_is_refused_before_it_is_written(self):
        with scratch() as tmp:
            size = 60 << 20
            archive = tar_with(Path(tmp) / "big.tar.gz", [member("a.c", size=size)],
                               bytes(size))
            self.refused(archive, "MiB")
            self.assertFalse((Path(tmp) / "out" / "a.c").exists())

    def test_too_many_members_are_refused(self):
        with scratch() as tmp:
            path = Path(tmp) / "many.zip"
            with zipfile.ZipFile(path, "w") as zf:
                for i in range(MAX_MEMBERS + 1):
                    zf.writestr(f"f{i}.c", "")
            self.refused(path, "more than")

    def test_a_zip_bomb_is_refused(self):
        with scratch() as tmp:
            path = Path(tmp) / "bomb.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("a.c", bytes(80 << 20))
            self.assertLess(path.stat().st_size, 1 << 20)
            self.refused(path, "MiB")

    def test_broken_and_missing_submissions_are_clear_errors(self):
        with scratch() as tmp:
            broken = Path(tmp) / "broken.tar.gz"
            broken.write_bytes(b"\x1f\x8b not really gzip")
            self.refused(broken, "broken")
            self.refused(Path(tmp) / "nothing.tar.gz", "no such file")
            odd = Path(tmp) / "notes.txt"
            odd.write_text("hello")
            self.refused(odd, "not a folder")

    def test_the_grader_reports_a_broken_archive_and_exits_zero(self):
        with scratch() as tmp:
            broken = Path(tmp) / "broken.tar.gz"
            broken.write_bytes(b"garbage")
            done = subprocess.run([sys.executable, str(ROOT / "grader" / "grade"), str(broken),
                                   "--exercise", "01", "--no-sandbox"],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("the archive is broken", done.stdout)
            self.assertNotIn("Traceback", done.stdout + done.stderr)


if __name__ == "__main__":
    unittest.main()
