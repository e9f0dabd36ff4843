"""The terminal for `make watch`: single keys without Enter, whole-screen frames.

On a terminal, keys are read in cbreak mode (termios/tty: no echo, no line
buffering, Ctrl-C still works) and each frame replaces the screen; the terminal's
settings are restored however the program ends. Elsewhere (a pipe, a log file)
frames are printed one after another, each ending with a line of dashes, and keys,
if any, are read from whatever stdin is.
"""
from __future__ import annotations

import os
import shutil
import sys
import termios
import tty

CLEAR = "\033[H\033[2J"
END_OF_FRAME = "-" * 20


class Screen:
    def __init__(self, out=None, inp=None) -> None:
        self.out = out or sys.stdout
        self.inp = inp or sys.stdin
        self.fancy = self.out.isatty()
        self._saved = None
        self._keys_open = True

    def __enter__(self) -> "Screen":
        if self.inp.isatty():
            fd = self.inp.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        if self.fancy:
            self.out.write("\033[?25l")   # no cursor blinking over the text
        return self

    def __exit__(self, *exc) -> None:
        self.restore()

    def restore(self) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.inp.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None
        if self.fancy:
            self.out.write("\033[?25h\n")
            self.out.flush()

    def width(self) -> int:
        return shutil.get_terminal_size((100, 40)).columns

    def show(self, lines: list[str]) -> None:
        text = "\n".join(lines)
        if self.fancy:
            self.out.write(CLEAR + text + "\n")
        else:
            self.out.write(text + "\n" + END_OF_FRAME + "\n")
        self.out.flush()

    def key_fd(self) -> int | None:
        """The descriptor keys arrive on, or None once stdin has ended."""
        if not self._keys_open:
            return None
        try:
            return self.inp.fileno()
        except (ValueError, OSError):
            return None

    def read_keys(self) -> str:
        """The keys typed since the last call (call when key_fd() is readable)."""
        data = os.read(self.inp.fileno(), 64)
        if not data:
            self._keys_open = False   # stdin ended (a closed pipe): keys no longer come
        return data.decode(errors="replace")
