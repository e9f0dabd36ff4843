"""Part of stage fetch: opens a submission archive safely.

Accepts a folder, a .tar.gz/.tgz/.tar or a .zip. Refuses, with a clear
message, members that are links, devices or FIFOs, absolute paths or paths
with '..', and archives over the size or count limits (a zip bomb).
"""
from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

MAX_TOTAL_BYTES = 50 << 20
MAX_MEMBERS = 2000


class SubmissionError(Exception):
    """The submission cannot be graded; the message says why, for the report."""


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or name.startswith("\\") or ".." in path.parts:
        raise SubmissionError(f"refused: archive member '{name}' points outside the archive")
    return path


def _check_totals(count: int, total: int) -> None:
    if count > MAX_MEMBERS:
        raise SubmissionError(f"refused: the archive holds more than {MAX_MEMBERS} files")
    if total > MAX_TOTAL_BYTES:
        raise SubmissionError(f"refused: the archive unpacks to more than "
                              f"{MAX_TOTAL_BYTES >> 20} MiB")


def _from_tar(archive: Path, dest: Path) -> None:
    try:
        with tarfile.open(archive) as tar:
            members, total = [], 0
            for m in tar:
                path = _safe_name(m.name)
                if m.isdir():
                    continue
                if not m.isfile():
                    raise SubmissionError(f"refused: archive member '{m.name}' is a link or a "
                                          f"special file; only regular files are accepted")
                total += m.size
                members.append((m, path))
                _check_totals(len(members), total)
            for m, path in members:
                target = dest / path
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(m)
                with open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
    except (tarfile.TarError, EOFError, OSError) as err:
        raise SubmissionError(f"the archive is broken: {err}") from None


def _from_zip(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            _check_totals(len(infos), sum(i.file_size for i in infos))
            for info in infos:
                path = _safe_name(info.filename)
                mode = info.external_attr >> 16
                if mode and not stat.S_ISREG(mode):
                    raise SubmissionError(f"refused: archive member '{info.filename}' is a "
                                          f"link or a special file")
                target = dest / path
                target.parent.mkdir(parents=True, exist_ok=True)
                # zipfile reads no more than the declared size, which was checked above
                with zf.open(info) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as err:
        raise SubmissionError(f"the archive is broken: {err}") from None


def unpack(submission: Path, dest: Path) -> Path:
    """The folder to grade: submission itself, or dest with the archive unpacked."""
    if not submission.exists():
        raise SubmissionError(f"no such file or folder: {submission}")
    if submission.is_dir():
        return submission
    dest.mkdir(parents=True, exist_ok=True)
    name = submission.name.lower()
    if name.endswith((".tar.gz", ".tgz", ".tar", ".tar.xz", ".tar.bz2")):
        _from_tar(submission, dest)
    elif name.endswith(".zip"):
        _from_zip(submission, dest)
    else:
        raise SubmissionError(f"{submission.name}: not a folder, .tar.gz or .zip")
    return dest
