#!/usr/bin/env python3
"""heaprec.py: turns the calls tools/heaprec.c recorded into a memcraft trace.

    python3 tools/heaprec.py DIR [--pid PID] [--name NAME] [--about TEXT] > out.trace
    python3 tools/heaprec.py --record NAME -- PROGRAM [ARG...]

The first form reads DIR/calls.PID (the process with the most calls, or
--pid) and prints a trace: addresses become block ids (the smallest id free at
the time), a free of an address the recorder never saw handed out (memory from
before it was loaded) is dropped, and so is a realloc that failed.

The second form does everything: builds the recorder, runs PROGRAM under it
in a scratch folder, converts the busiest process's calls and writes
exercises/09-heap/traces/NAME.trace.gz (gzip, reproducible bytes), then
rewrites traces/SHA256SUMS.
"""
from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRACES = ROOT / "exercises" / "09-heap" / "traces"


class Ids:
    """Addresses to ids, reusing the smallest free id (so ids stay few)."""

    def __init__(self) -> None:
        import heapq
        self.heapq = heapq
        self.live: dict[str, int] = {}
        self.free: list[int] = []
        self.next = 0

    def new(self, addr: str) -> int:
        if self.free:
            i = self.heapq.heappop(self.free)
        else:
            i, self.next = self.next, self.next + 1
        self.live[addr] = i
        return i

    def drop(self, addr: str) -> int | None:
        i = self.live.pop(addr, None)
        if i is not None:
            self.heapq.heappush(self.free, i)
        return i


def convert(lines, name: str, about: str) -> str:
    ids = Ids()
    out = ["memcraft-trace 1", f"# name: {name}", f"# pattern: {about}",
           "# source: recorded with tools/heaprec.c, converted by tools/heaprec.py"]

    def alloc(addr: str) -> int:
        if addr in ids.live:            # handed out again: we missed its free
            out.append(f"f {ids.drop(addr)}")
        return ids.new(addr)

    for line in lines:
        f = line.split()
        if not f:
            continue
        op = f[0]
        if op == "a" and len(f) == 3:
            out.append(f"a {alloc(f[1])} {f[2]}")
        elif op == "c" and len(f) == 4:
            out.append(f"c {alloc(f[1])} {f[2]} {f[3]}")
        elif op == "m" and len(f) == 4:
            out.append(f"m {alloc(f[1])} {f[2]} {f[3]}")
        elif op == "f" and len(f) == 2:
            i = ids.drop(f[1])
            if i is not None:
                out.append(f"f {i}")
        elif op == "r" and len(f) == 4:
            old, new, size = f[1:]
            if new in ("(nil)", "0"):
                if size == "0" and old in ids.live:     # glibc's realloc(p, 0) frees p
                    out.append(f"f {ids.drop(old)}")
                continue
            if old in ids.live:
                i = ids.live.pop(old)           # the block keeps its id wherever it moves
                if new in ids.live:
                    out.append(f"f {ids.drop(new)}")
                ids.live[new] = i
                out.append(f"r {i} {size}")
            else:
                out.append(f"a {alloc(new)} {size}")
    return "\n".join(out) + "\n"


def busiest(folder: Path) -> Path:
    files = sorted(folder.glob("calls.*"), key=lambda p: p.stat().st_size, reverse=True)
    if not files:
        raise SystemExit(f"heaprec.py: no calls.* files in {folder}")
    return files[0]


def record(name: str, about: str, program: list[str]) -> Path:
    with tempfile.TemporaryDirectory(prefix="heaprec-") as tmp:
        lib = Path(tmp) / "heaprec.so"
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", str(ROOT / "tools" / "heaprec.c"),
                        "-o", str(lib)], check=True)
        calls = Path(tmp) / "calls"
        calls.mkdir()
        env = {**os.environ, "HEAPREC_DIR": str(calls), "LD_PRELOAD": str(lib)}
        subprocess.run(program, env=env, check=True, stdout=subprocess.DEVNULL)
        text = convert(busiest(calls).read_text().splitlines(), name, about)
    out = TRACES / f"{name}.trace.gz"
    with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                               filename="") as gz:
        gz.write(text.encode())
    subprocess.run([sys.executable, str(ROOT / "tools" / "heaptrace.py"), "--sums"], check=True)
    return out


def main(argv: list[str]) -> int:
    if "--record" in argv:
        cut = argv.index("--")
        parser = argparse.ArgumentParser()
        parser.add_argument("--record", required=True)
        parser.add_argument("--about", default="")
        args = parser.parse_args(argv[:cut])
        out = record(args.record, args.about or " ".join(argv[cut + 1:]), argv[cut + 1:])
        print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")
        return 0
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pid")
    parser.add_argument("--name", default="recorded")
    parser.add_argument("--about", default="a recorded program")
    args = parser.parse_args(argv)
    path = args.folder / f"calls.{args.pid}" if args.pid else busiest(args.folder)
    sys.stdout.write(convert(path.read_text().splitlines(), args.name, args.about))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
