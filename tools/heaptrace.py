#!/usr/bin/env python3
"""heaptrace.py: the seeded generator of exercise 09's allocation traces.

    python3 tools/heaptrace.py [--out DIR] [NAME ...]

    python3 tools/heaptrace.py --sums

Writes DIR/NAME.trace for every pattern below (all of them when no NAME is
given; DIR defaults to build/heap-traces). The same command writes the same
bytes on every machine: the random numbers come from splitmix64 with a fixed
seed per pattern, not from Python's random module, and the digest of every
trace is checked in, in exercises/09-heap/traces/SHA256SUMS (--sums rewrites
it). The format is described in exercises/09-heap/traces/README.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "exercises" / "09-heap" / "traces"
MASK = (1 << 64) - 1


class Rng:
    """splitmix64: small, fast and the same everywhere."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n

    def between(self, lo: int, hi: int) -> int:
        """Uniform in [lo, hi]."""
        return lo + self.below(hi - lo + 1)

    def chance(self, p: float) -> bool:
        return self.next() < p * (1 << 64)

    def log_uniform(self, lo: int, hi: int) -> int:
        """Sizes spread evenly over powers of two between lo and hi."""
        bits_lo, bits_hi = lo.bit_length() - 1, hi.bit_length() - 1
        top = 1 << self.between(bits_lo, bits_hi)
        return max(lo, min(hi, self.between(top // 2 + 1, top) if top > 1 else 1))


class Trace:
    """Collects operations; hands out ids, reusing freed ones (last freed first)."""

    def __init__(self, name: str, about: str, seed: int) -> None:
        self.name, self.about, self.seed = name, about, seed
        self.lines: list[str] = []
        self.free_ids: list[int] = []
        self.next_id = 0
        self.live: dict[int, int] = {}   # id -> size

    def _id(self) -> int:
        if self.free_ids:
            return self.free_ids.pop()
        self.next_id += 1
        return self.next_id - 1

    def alloc(self, size: int) -> int:
        i = self._id()
        self.lines.append(f"a {i} {size}")
        self.live[i] = size
        return i

    def calloc(self, count: int, size: int) -> int:
        i = self._id()
        self.lines.append(f"c {i} {count} {size}")
        self.live[i] = count * size
        return i

    def realloc(self, i: int, size: int) -> None:
        self.lines.append(f"r {i} {size}")
        self.live[i] = size

    def free(self, i: int) -> None:
        self.lines.append(f"f {i}")
        del self.live[i]
        self.free_ids.append(i)

    def free_all(self, rng: Rng | None = None) -> None:
        ids = list(self.live)
        if rng:
            shuffle(ids, rng)
        for i in ids:
            self.free(i)

    def text(self) -> str:
        head = ["memcraft-trace 1", f"# name: {self.name}", f"# pattern: {self.about}",
                f"# source: tools/heaptrace.py {self.name} (seed {self.seed})"]
        return "\n".join(head + self.lines) + "\n"


def shuffle(items: list, rng: Rng) -> None:
    for i in range(len(items) - 1, 0, -1):
        j = rng.below(i + 1)
        items[i], items[j] = items[j], items[i]


def pick(live: dict, rng: Rng) -> int:
    """A random live id (live is small enough to list)."""
    keys = list(live)
    return keys[rng.below(len(keys))]


class LiveSet:
    """Live ids with O(1) random choice and removal, for the churn patterns."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.where: dict[int, int] = {}

    def add(self, i: int) -> None:
        self.where[i] = len(self.items)
        self.items.append(i)

    def take(self, rng: Rng) -> int:
        k = rng.below(len(self.items))
        i = self.items[k]
        last = self.items.pop()
        if last != i:
            self.items[k] = last
            self.where[last] = k
        del self.where[i]
        return i

    def __len__(self) -> int:
        return len(self.items)


# ---- the patterns -----------------------------------------------------------

def binary(t: Trace, rng: Rng) -> None:
    pairs = []
    for _ in range(4000):
        pairs.append((t.alloc(64), t.alloc(448)))
    for _, big in pairs:
        t.free(big)
    bigger = [t.alloc(512) for _ in range(4000)]
    for small, _ in pairs:
        t.free(small)
    for b in bigger:
        t.free(b)


def binary_small(t: Trace, rng: Rng) -> None:
    pairs = [(t.alloc(16), t.alloc(112)) for _ in range(8000)]
    for _, big in pairs:
        t.free(big)
    bigger = [t.alloc(128) for _ in range(8000)]
    for small, _ in pairs:
        t.free(small)
    for b in bigger:
        t.free(b)


def realloc_grow(t: Trace, rng: Rng) -> None:
    buf = t.alloc(512)
    small = None
    for step in range(2, 1200):
        t.realloc(buf, 512 * step)
        if small is not None:
            t.free(small)
        small = t.alloc(128)
    t.free(small)
    t.free(buf)


def realloc_many(t: Trace, rng: Rng) -> None:
    vectors: dict[int, int] = {}   # id -> target size
    for _ in range(40000):
        if len(vectors) < 300 and (not vectors or rng.chance(0.1)):
            vectors[t.alloc(16)] = rng.log_uniform(64, 65536)
            continue
        i = pick(vectors, rng)
        size = t.live[i]
        if size >= vectors[i]:
            t.free(i)
            del vectors[i]
        else:
            t.realloc(i, min(vectors[i], size + size // 2 + 16))
    t.free_all()


def churn(t: Trace, rng: Rng, target: int, steps: int, size) -> None:
    live = LiveSet()
    for _ in range(steps):
        grow = len(live) < target * rng.between(50, 150) // 100
        if not live or grow and rng.chance(0.6):
            live.add(t.alloc(size()))
        else:
            t.free(live.take(rng))
    t.free_all(rng)


def random_sizes(t: Trace, rng: Rng) -> None:
    churn(t, rng, 2000, 40000, lambda: rng.between(1, 8192))


def random_small(t: Trace, rng: Rng) -> None:
    churn(t, rng, 8000, 60000, lambda: rng.between(1, 512))


def merge_stress(t: Trace, rng: Rng) -> None:
    for _ in range(12):
        small = rng.between(2, 16) * 16
        ids = [t.alloc(small) for _ in range(2000)]
        shuffle(ids, rng)
        for i in ids:
            t.free(i)
        big = [t.alloc(small * rng.between(3, 8)) for _ in range(400)]
        shuffle(big, rng)
        for i in big:
            t.free(i)


def tiny(t: Trace, rng: Rng) -> None:
    live = LiveSet()
    for _ in range(30000):
        live.add(t.alloc(rng.between(1, 32)))
    for _ in range(15000):
        t.free(live.take(rng))
    for _ in range(15000):
        live.add(t.alloc(rng.between(1, 32)))
    t.free_all(rng)


def large(t: Trace, rng: Rng) -> None:
    churn(t, rng, 8, 600, lambda: rng.between(64 << 10, 1 << 20))


def phases(t: Trace, rng: Rng) -> None:
    for lo, hi, count in ((16, 64, 20000), (1024, 4096, 1500), (64 << 10, 256 << 10, 40),
                          (16, 128, 15000), (200, 600, 5000)):
        live = LiveSet()
        for _ in range(count):
            live.add(t.alloc(rng.between(lo, hi)))
            if len(live) > count // 4 and rng.chance(0.3):
                t.free(live.take(rng))
        t.free_all(rng)


def stack(t: Trace, rng: Rng) -> None:
    frames: list[int] = []
    for _ in range(40000):
        if frames and (len(frames) > 3000 or rng.chance(0.48)):
            t.free(frames.pop())
        else:
            frames.append(t.alloc(rng.log_uniform(16, 2048)))
    while frames:
        t.free(frames.pop())


def fifo(t: Trace, rng: Rng) -> None:
    queue: list[int] = []
    head = 0
    for _ in range(30000):
        queue.append(t.alloc(rng.log_uniform(16, 1024)))
        if len(queue) - head > 2000:
            t.free(queue[head])
            head += 1
    for i in queue[head:]:
        t.free(i)


def power_law(t: Trace, rng: Rng) -> None:
    """Mostly small blocks, a few large ones, and lifetimes of every length."""
    def size() -> int:
        u = (rng.next() >> 11) / float(1 << 53)
        return min(1 << 20, int(16 / max(1e-6, (1 - u)) ** 0.9))
    deaths: dict[int, list[int]] = {}
    for step in range(40000):
        i = t.alloc(size())
        life = int(4 / max(1e-6, 1 - (rng.next() >> 11) / float(1 << 53)) ** 1.2)
        deaths.setdefault(step + life, []).append(i)
        for j in deaths.pop(step, []):
            t.free(j)
    t.free_all(rng)


def strings(t: Trace, rng: Rng) -> None:
    """Strings built by appending, with small tokens among them; some strings die."""
    live = LiveSet()
    for _ in range(3000):
        s = t.alloc(16)
        length = 16
        goal = rng.log_uniform(32, 4096)
        tokens = []
        while length < goal:
            tokens.append(t.alloc(rng.between(8, 40)))
            length = min(goal, length * 2)
            t.realloc(s, length)
        for tok in tokens:
            t.free(tok)
        live.add(s)
        if len(live) > 600:
            t.free(live.take(rng))
    t.free_all(rng)


def calloc_mix(t: Trace, rng: Rng) -> None:
    """Zeroed arrays of every shape beside plain blocks (calloc's count and size)."""
    live = LiveSet()
    for _ in range(20000):
        if len(live) < 1500 or rng.chance(0.45):
            if rng.chance(0.5):
                live.add(t.calloc(rng.between(1, 64), (1, 2, 4, 8, 16, 24, 40)[rng.below(7)]))
            else:
                live.add(t.alloc(rng.between(1, 1024)))
        else:
            t.free(live.take(rng))
    t.free_all(rng)

PATTERNS = {
    "binary": (binary, "binary sizes that defeat naive merging: 4000 pairs of 64 and 448 "
                       "bytes, the 448s freed, then 4000 blocks of 512"),
    "binary-small": (binary_small, "8000 pairs of 16 and 112 bytes, the 112s freed, then "
                                   "8000 blocks of 128"),
    "realloc-grow": (realloc_grow, "one block grown by realloc 512 bytes at a time to 600 KB, "
                                   "a 128-byte block allocated after each step"),
    "realloc-many": (realloc_many, "300 growing arrays at a time, each grown by realloc by half "
                                   "to a size between 64 B and 64 KiB, then freed"),
    "random": (random_sizes, "random sizes 1 to 8192 B, about 2000 live, random frees"),
    "random-small": (random_small, "random sizes 1 to 512 B, about 8000 live, random frees"),
    "merge-stress": (merge_stress, "12 rounds: 2000 equal small blocks freed in random order, "
                                   "then 400 blocks 3 to 8 times as large that need the merged "
                                   "space"),
    "tiny": (tiny, "many tiny blocks: 30000 of 1 to 32 B, half freed, 15000 more"),
    "large": (large, "large blocks of 64 KiB to 1 MiB, about 8 live"),
    "phases": (phases, "phase changes: small, then 1 to 4 KiB, then 64 to 256 KiB, then small "
                       "again, each phase freed before the next"),
    "stack": (stack, "last in, first out: sizes 16 B to 2 KiB, up to 3000 deep"),
    "fifo": (fifo, "first in, first out: a window of 2000 blocks of 16 B to 1 KiB"),
    "power-law": (power_law, "heavy-tailed sizes (mostly small, up to 1 MiB) and lifetimes"),
    "strings": (strings, "strings grown by doubling realloc to 32 B to 4 KiB, with small "
                         "tokens allocated among them; 600 strings stay live"),
    "calloc-mix": (calloc_mix, "calloc arrays of 1 to 64 elements of 1 to 40 bytes beside "
                               "plain blocks, about 1500 live"),
}


def generate(name: str) -> str:
    fn, about = PATTERNS[name]
    seed = 1 + list(PATTERNS).index(name)
    t = Trace(name, about, seed)
    fn(t, Rng(seed))
    if t.live:
        raise AssertionError(f"{name} leaves blocks live")
    return t.text()


def write_sums(out: Path) -> None:
    """traces/SHA256SUMS: the digest of every trace the grader replays (generated here, and
    the recorded ones in *.trace.gz, decompressed), so that a change to either is noticed."""
    import gzip
    import hashlib
    lines = []
    for name in PATTERNS:
        lines.append((name + ".trace", hashlib.sha256(generate(name).encode()).hexdigest()))
    for packed in sorted(OUT.glob("*.trace.gz")):
        data = gzip.decompress(packed.read_bytes())
        lines.append((packed.name[:-3], hashlib.sha256(data).hexdigest()))
    (out / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in sorted(lines)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"patterns ({', '.join(PATTERNS)})")
    parser.add_argument("--out", type=Path, default=None,
                        help="where the traces go (default: build/heap-traces)")
    parser.add_argument("--sums", action="store_true",
                        help="write exercises/09-heap/traces/SHA256SUMS instead")
    args = parser.parse_args(argv)
    if args.sums:
        write_sums(OUT)
        print(f"wrote {(OUT / 'SHA256SUMS').relative_to(ROOT)}")
        return 0
    args.out = args.out or ROOT / "build" / "heap-traces"
    unknown = [n for n in args.names if n not in PATTERNS]
    if unknown:
        parser.error(f"unknown pattern(s): {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or PATTERNS:
        text = generate(name)
        (args.out / f"{name}.trace").write_text(text)
        print(f"{name}: {text.count(chr(10)) - 4} operations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
