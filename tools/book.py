#!/usr/bin/env python3
"""book.py: build and check the memcraft book.

Usage: python3 tools/book.py COMMAND

  build          render chapters/NN-*.md (and the exercise READMEs) with pandoc
                 into a multi-page site under build/book/, plus build/book/memcraft.epub
  check-code     compile every ```c block of chapters/*.md alone with the reader's
                 flags (-std=c17 -Wall -Wextra -Wpedantic -Werror, plus the fence's
                 own cflags="..." and ldflags="..."); link and run the ```{.c .run}
                 ones (exit status 0 required, 10 s limit)
  check-links    on the built site: every internal link, anchor and image
                 resolves; every MC_READ("N.M Title") in the tests names a real
                 "## N.M Title" heading of a chapter
  check-browser  load the index and a chapter in headless Chromium at laptop and
                 phone widths: stylesheet applied, images loaded, no sideways
                 scrolling; screenshots go to build/book/screenshot-*.png
  check-text     student-facing text (chapters, exercise READMEs and hints) holds
                 no internal context: no developer phrases, no file the handout
                 lacks, no chapter or section that does not exist; and every
                 chapter ends with a "## Sources" section that lists something

Exit status: 0 when everything passed, 1 when something failed, 2 when the
command could not run (no pandoc, no chromium, no built site).
Python 3.11 standard library only; the work is done in tools/booklib/.
"""

from __future__ import annotations

import sys

from booklib.browser import cmd_check_browser
from booklib.build import cmd_build
from booklib.code import cmd_check_code
from booklib.common import BookError
from booklib.links import cmd_check_links
from booklib.text import cmd_check_text

COMMANDS = {
    "build": cmd_build,
    "check-code": cmd_check_code,
    "check-links": cmd_check_links,
    "check-browser": cmd_check_browser,
    "check-text": cmd_check_text,
}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    try:
        return COMMANDS[argv[1]]()
    except BookError as e:
        print(str(e), file=sys.stderr)
        return e.status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
