"""Paths in messages: no report shows a path of the grading host.

A path inside the course repository is shown relative to it
(exercises/03-vector/tests/test_vector.c:318); a path inside one of the
grader's scratch folders is shown by its file name alone (vector.c:12), since
the student knows their own files by name.
"""
from __future__ import annotations

import re
import tempfile

from .exercises import ROOT

SCRATCH = re.compile(re.escape(tempfile.gettempdir().rstrip("/")) +
                     r"/memcraft-[^/\s'\"]+/(?:[^/\s'\"]+/)*")


def tidy(text: str) -> str:
    """text with the repository's paths made relative and scratch folders removed."""
    return SCRATCH.sub("", text.replace(f"{ROOT}/", ""))
