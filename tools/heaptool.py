#!/usr/bin/env python3
"""heaptool.py: exercise 09's performance checks and heap visualizer.

    python3 tools/heaptool.py perf [--solution] [--check-every-call]
    python3 tools/heaptool.py viz TRACE STEP [--solution] [--svg FILE] [--all]

perf builds exercises/09-heap/heap.c and preload.c (your files; --solution
takes the reference where the course repository has it) at -O2, and runs what
the grader runs: the trace driver over every trace (checks, utilization,
speed against the C library's malloc in the same run), the probe of the
shared object, and real programs with LD_PRELOAD. It prints the figures; the
grade compares them with the reference's, measured on the grading machine.
--check-every-call runs only the driver's checks, with heap_check() after
every call of every trace: slow, but it stops at the first call that breaks
an invariant.

viz replays the first STEP calls of TRACE (a name such as binary, or a path)
with every check, walks the heap with heap_walk(), and prints a map (one
character per range: ':' bookkeeping, '#' allocated, '.' free; then the same
to scale) and the list of ranges; it writes an SVG picture of the heap to
build/heapviz/TRACE-STEP.svg (or --svg FILE).
"""
from __future__ import annotations

import argparse
import html
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "grader"))

from mcgrader import fetch, perf  # noqa: E402
from mcgrader.exercises import select  # noqa: E402
from mcgrader.proc import run  # noqa: E402

EX = select(["09"])[0]
OUT = ROOT / "build" / "heapviz"
KIND_CHAR = {"meta": ":", "allocated": "#", "free": "."}


def files_dir(solution: bool) -> Path:
    folder = EX.solution_dir if solution else EX.dir
    if not (folder / "heap.c").exists():
        raise SystemExit(f"heaptool: {folder / 'heap.c'} does not exist")
    return folder


# ---- perf ------------------------------------------------------------------------

def print_table(data: dict) -> None:
    print(f"{'trace':<16} {'ops':>7} {'util':>6} {'peak live':>10} {'heap':>10} "
          f"{'heap ms':>8} {'glibc ms':>8} {'speed':>6}")
    for t in data["traces"]:
        if not t["ok"]:
            print(f"{t['name']:<16} FAILED: {t['error']}")
            continue
        speed = t["glibc_seconds"] / t["ours_seconds"] if t["ours_seconds"] > 0 else 0
        print(f"{t['name']:<16} {t['ops']:>7} {t['util']:>6.1%} {t['peak']:>10} {t['heap']:>10} "
              f"{t['ours_seconds'] * 1e3:>8.2f} {t['glibc_seconds'] * 1e3:>8.2f} {speed:>5.2f}x")


def summary(figures: dict) -> list[str]:
    traces = [t for t in figures.get("traces", []) if t["ok"]]
    recorded = [t for t in traces if t["name"] in RECORDED]
    generated = [t for t in traces if t["name"] not in RECORDED]
    lines = []
    for label, group in (("generated", generated), ("recorded", recorded)):
        if group:
            lines.append(f"average utilization, {len(group)} {label} traces: "
                         f"{sum(t['util'] for t in group) / len(group):.1%}")
    if traces:
        lines.append(f"average utilization, all {len(traces)} traces: {figures['util']:.1%}")
        lines.append(f"speed on the traces: {figures['speed']:.2f}x the C library's malloc "
                     f"(geometric mean over the traces of glibc's time / the heap's, best of "
                     f"{perf.REPEATS} runs each)")
    return lines


RECORDED = {p.name[:-len(".trace.gz")] for p in (EX.dir / "traces").glob("*.trace.gz")}


def program_lines(figures: dict) -> list[str]:
    lines = [f"{'real program under LD_PRELOAD':<36} {'output':<9} {'wall':>6} {'peak RSS':>9}"]
    for p in figures.get("programs", []):
        if "skipped" in p and "same" not in p:
            lines.append(f"{p['name']:<36} skipped: {p['skipped']}")
            continue
        g, h = p["glibc"], p["heap"]
        same = "identical" if p.get("same") else "DIFFERENT"
        wall = h["seconds"] / g["seconds"] if h.get("ok") and g.get("seconds") else 0
        rss = h["maxrss_kb"] / g["maxrss_kb"] if h.get("ok") and g.get("maxrss_kb") else 0
        lines.append(f"{p['name']:<36} {same:<9} {wall:>5.2f}x {rss:>8.2f}x")
    lines.append("(wall time and peak resident memory as multiples of the same program on the "
                 "C library's malloc)")
    return lines


def cmd_check_every_call(args) -> int:
    """The driver's debug mode: heap_check() after every call of every trace."""
    with tempfile.TemporaryDirectory(prefix="heaptool-") as tmp:
        work = Path(tmp)
        staged = fetch.stage(EX, files_dir(args.solution), work / "files")
        traces = perf.prepare_traces(EX, work / "traces")
        driver = work / "heapdrive"
        built = run(["gcc", "-std=c17", "-O1", "-g", "-D_POSIX_C_SOURCE=200809L",
                     f"-I{staged.folder}", str(EX.dir / "driver" / "driver.c"),
                     str(staged.folder / "heap.c"), "-o", str(driver)], cwd=work)
        if not built.ok:
            print(built.stderr)
            return 1
        print("heap_check() after every call of every trace (slow: minutes)...", flush=True)
        done = subprocess.run([str(driver), "-d", "-c", *map(str, traces)], cwd=work)
    return done.returncode


def cmd_perf(args) -> int:
    if args.check_every_call:
        return cmd_check_every_call(args)
    with tempfile.TemporaryDirectory(prefix="heaptool-") as tmp:
        staged = fetch.stage(EX, files_dir(args.solution), Path(tmp) / "files")
        got = perf.check(EX, staged.folder, Path(tmp), run, calibrating=True)
    figures = got.figures
    if figures.get("traces"):
        print_table({"traces": figures["traces"]})
        print()
        print("\n".join(summary(figures)))
    if figures.get("programs"):
        print()
        print("\n".join(program_lines(figures)))
    problems = [r for r in got.reasons if "zeroes" not in r]
    print()
    if problems or not got.ran:
        print("PROBLEMS (each one makes the performance points 0 when graded):")
        for r in got.reasons:
            print(f"  - {r}")
        return 1
    print("Every check passed. When graded, the points are 0.6 x the utilization band + 0.4 x "
          "the speed band, both measured against the reference solution on the grading machine "
          "(README.md, Performance).")
    return 0


# ---- viz ----------------------------------------------------------------------------

def trace_path(name: str, work: Path) -> Path:
    given = Path(name)
    if given.exists():
        return given
    packed = EX.dir / "traces" / f"{name}.trace.gz"
    if packed.exists():
        import gzip
        out = work / f"{name}.trace"
        out.write_bytes(gzip.decompress(packed.read_bytes()))
        return out
    made = run([sys.executable, str(ROOT / "tools" / "heaptrace.py"), "--out", str(work), name],
               cwd=work)
    if not made.ok:
        raise SystemExit(f"heaptool: no trace '{name}' (not a file, a recorded trace or a "
                         f"generated pattern)\n{made.stderr}")
    return work / f"{name}.trace"


def walk(trace: Path, step: int, folder: Path, work: Path) -> dict:
    driver = work / "heapdrive"
    built = run(["gcc", "-std=c17", "-O1", "-g", "-D_POSIX_C_SOURCE=200809L", f"-I{EX.dir}",
                 f"-I{folder}", str(EX.dir / "driver" / "driver.c"), str(folder / "heap.c"), "-o",
                 str(driver)], cwd=work)
    if not built.ok:
        raise SystemExit(f"heaptool: heap.c does not build:\n{built.stderr}")
    done = run([str(driver), "-w", str(step), str(trace)], cwd=work)
    info = {"ranges": [], "check": "", "error": ""}
    for line in done.stdout.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "range" and len(f) == 8:
            info["ranges"].append({"offset": int(f[1]), "size": int(f[2]), "kind": f[3],
                                   "header": int(f[4]), "usable": int(f[5]), "id": int(f[6]),
                                   "requested": int(f[7])})
        elif f[0] == "trace":
            info["trace"] = f[1]
        elif f[0] == "step":
            info["step"], info["ops"] = int(f[1]), int(f[2])
        elif f[0] == "op":
            info["op"] = " ".join(f[1:4]) if f[1] != "f" else " ".join(f[1:3])
        elif f[0] == "heap":
            info["heap"], info["live"], info["peak"] = int(f[1]), int(f[3]), int(f[5])
        elif f[0] == "check":
            info["check"] = line[6:]
        elif f[0] == "error":
            info["error"] = line[6:]
    if not done.ok and not info["error"]:
        info["error"] = f"the driver stopped (status {done.returncode}): {done.stderr.strip()}"
    return info


def terminal(info: dict, show_all: bool) -> str:
    ranges = info["ranges"]
    lines = [f"heap after {info['step']} of {info['ops']} calls of {info['trace']}"
             + (f" (the last: {info['op']})" if "op" in info else "")
             + f": {len(ranges)} ranges, {info['heap']} bytes from the source, "
               f"{info['live']} bytes live"]
    chars = "".join(KIND_CHAR.get(r["kind"], "?") for r in ranges)
    lines.append("ranges:   " + "\n          ".join(chars[i:i + 64] for i in range(0, len(chars), 64)))
    total = max(1, info["heap"])
    scale = []
    for col in range(64):
        lo, hi = total * col // 64, total * (col + 1) // 64
        weight = {"meta": 0, "allocated": 0, "free": 0}
        for r in ranges:
            overlap = min(hi, r["offset"] + r["size"]) - max(lo, r["offset"])
            if overlap > 0:
                weight[r["kind"]] = weight.get(r["kind"], 0) + overlap
        scale.append(KIND_CHAR[max(weight, key=weight.get)])
    lines.append(f"to scale: {''.join(scale)}  (1 character = {total / 64:.0f} bytes)")
    lines.append("")
    lines.append(f"{'offset':>9} {'size':>8}  {'kind':<9} {'header':>6} {'usable':>8}  block")
    shown = ranges if show_all or len(ranges) <= 40 else ranges[:20] + [None] + ranges[-12:]
    for r in shown:
        if r is None:
            lines.append(f"{'...':>9}   ({len(ranges) - 32} more ranges; --all shows them)")
            continue
        block = f"#{r['id']}, {r['requested']} bytes asked" if r["id"] >= 0 else ""
        usable = str(r["usable"]) if r["kind"] != "meta" else "-"
        header = str(r["header"]) if r["kind"] != "meta" else "-"
        lines.append(f"{r['offset']:>9} {r['size']:>8}  {r['kind']:<9} {header:>6} {usable:>8}  "
                     f"{block}")
    if info["check"]:
        lines.append(f"heap_check() fails: {info['check']}")
    return "\n".join(lines)


COLORS = {"meta": "#d9d9d9", "allocated": "#9ecae1", "free": "#ffffff"}
HEADER_COLORS = {"meta": "#d9d9d9", "allocated": "#3182bd", "free": "#bdbdbd"}


def svg(info: dict, width: int = 680) -> str:
    """Ranges left to right, wrapped into rows; widths grow with the logarithm of
    the size, so that a 32-byte block next to a 1 MiB one stays visible; the
    header of each block is the darker strip at its left."""
    ranges = info["ranges"]
    margin, row_h, gap = 10, 46, 26
    widths = [12.0 + 22.0 * math.log2(max(1.0, r["size"] / 8)) for r in ranges]
    usable_w = width - 2 * margin
    rows, row, row_w = [], [], 0.0
    for r, w in zip(ranges, widths):
        w = min(w, usable_w)
        if row and row_w + w > usable_w:
            rows.append(row)
            row, row_w = [], 0.0
        row.append((r, w))
        row_w += w
    if row:
        rows.append(row)
    height = 52 + len(rows) * (row_h + gap) + 30
    title = (f"{info['trace']}, after {info['step']} of {info['ops']} calls: {len(ranges)} "
             f"ranges, {info['heap']} bytes, {info['live']} live")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f"  <title>{html.escape(title)}</title>",
           f'  <text x="{margin}" y="20" font-size="13">{html.escape(title)}</text>']
    y = 40
    for row in rows:
        x = float(margin)
        for r, w in row:
            kind = r["kind"]
            out.append(f'  <rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" '
                       f'fill="{COLORS.get(kind, "#fff")}" stroke="#333" stroke-width="0.8"/>')
            if kind != "meta" and r["header"] > 0:
                hw = max(3.0, min(w / 3, w * r["header"] / max(1, r["size"])))
                out.append(f'  <rect x="{x:.1f}" y="{y}" width="{hw:.1f}" height="{row_h}" '
                           f'fill="{HEADER_COLORS[kind]}" stroke="#333" stroke-width="0.8"/>')
            label = f"{r['size']}" if w >= 34 else ""
            if label:
                out.append(f'  <text x="{x + w / 2:.1f}" y="{y + row_h / 2 + 4}" '
                           f'text-anchor="middle">{label}</text>')
            if w >= 44:
                out.append(f'  <text x="{x + 2:.1f}" y="{y + row_h + 12}" fill="#555" '
                           f'font-size="9">{r["offset"]}</text>')
            x += w
        y += row_h + gap
    legend = [("allocated", "allocated block (darker: its header)"),
              ("free", "free block (grey: its header)"), ("meta", "the heap's bookkeeping")]
    x = float(margin)
    for kind, text in legend:
        out.append(f'  <rect x="{x:.0f}" y="{y}" width="14" height="12" '
                   f'fill="{COLORS[kind]}" stroke="#333"/>')
        out.append(f'  <text x="{x + 18:.0f}" y="{y + 10}">{html.escape(text)}</text>')
        x += 18 + 6.2 * len(text) + 14
    out.append(f'  <text x="{margin}" y="{y + 26}" fill="#555" font-size="9">block sizes in '
               f'bytes inside, offsets from the heap\'s first byte below; widths grow with the '
               f'logarithm of the size</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def cmd_viz(args) -> int:
    with tempfile.TemporaryDirectory(prefix="heapviz-") as tmp:
        work = Path(tmp)
        trace = trace_path(args.trace, work)
        info = walk(trace, args.step, files_dir(args.solution), work)
    if info["error"]:
        print(f"the replay stopped: {info['error']}")
        return 1
    target = Path(args.svg) if args.svg else OUT / f"{info['trace']}-{info['step']}.svg"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(svg(info))
    print(terminal(info, args.all))
    print(f"\npicture: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("perf", help="the performance checks on your heap")
    p.add_argument("--solution", action="store_true", help="the reference solution instead")
    p.add_argument("--check-every-call", action="store_true",
                   help="only the driver's checks, with heap_check() after every call")
    v = sub.add_parser("viz", help="your heap after STEP calls of TRACE")
    v.add_argument("trace")
    v.add_argument("step", type=int)
    v.add_argument("--solution", action="store_true", help="the reference solution instead")
    v.add_argument("--svg", help="where the picture goes")
    v.add_argument("--all", action="store_true", help="list every range")
    args = parser.parse_args(argv)
    return cmd_perf(args) if args.command == "perf" else cmd_viz(args)


if __name__ == "__main__":
    import signal
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # `| head` ends quietly
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as err:
        sys.exit(f"heaptool: {err}")
