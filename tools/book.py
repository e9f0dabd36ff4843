#!/usr/bin/env python3
"""book.py: build and check the memcraft book.

Usage: python3 tools/book.py COMMAND

  build          render chapters/NN-*.md (and the exercise READMEs) with pandoc
                 into a multi-page site under build/book/, plus build/book/memcraft.epub
  check-code     compile every ```c block of chapters/*.md alone; link and run
                 the ```{.c .run} ones (exit status 0 required, 10 s limit)
  check-links    on the built site: every internal link, anchor and image
                 resolves; every MC_READ("N.M Title") in the tests names a real
                 "## N.M Title" heading of a chapter
  check-browser  load the index and a chapter in headless Chromium at laptop and
                 phone widths: stylesheet applied, images loaded, no sideways
                 scrolling; screenshots go to build/book/screenshot-*.png

Exit status: 0 when everything passed, 1 when something failed, 2 when the
command could not run (no pandoc, no chromium, no built site).
Python 3.11 standard library only.
"""

from __future__ import annotations

import concurrent.futures
import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
EXERCISES = ROOT / "exercises"
BOOK_SRC = ROOT / "book"
OUT = ROOT / "build" / "book"

TEMPLATE = BOOK_SRC / "template.html"
STYLE = BOOK_SRC / "style.css"
LINKS_FILTER = BOOK_SRC / "links.lua"
HIGHLIGHT_STYLE = "tango"

# Exactly what a reader types: a block that needs POSIX says so itself
# (#define _POSIX_C_SOURCE 200809L at its top). A block whose behaviour depends
# on other flags names them in its fence: ```{.c .run cflags="-O2" ldflags="-lm"}
# and the chapter text says which flags it was run with.
CFLAGS = [
    "-std=c17",
    "-Wall",
    "-Wextra",
    "-Wpedantic",
    "-Werror",
]
RUN_TIMEOUT = 10

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


class BookError(Exception):
    """A failure that ends the command with a message and a status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


def rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------
# Markdown scanning shared by the commands


@dataclass
class Fence:
    line: int  # 1-based line of the opening fence
    classes: list[str]
    code: str
    attrs: dict[str, str] = field(default_factory=dict)  # key="value" pairs of {...}


FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*(.*?)\s*$")


def fence_classes(info: str) -> list[str]:
    """Classes of a fence info string: "c", "{.c .run}", "c {.run}"."""
    classes: list[str] = []
    brace = re.search(r"\{([^}]*)\}", info)
    if brace:
        classes += [t[1:] for t in brace.group(1).split() if t.startswith(".")]
        info = info[: brace.start()] + info[brace.end() :]
    words = info.split()
    if words:
        classes.insert(0, words[0])
    return classes


def fence_attrs(info: str) -> dict[str, str]:
    """key="value" attributes of a fence info string: {.c .run cflags="-O2"}."""
    brace = re.search(r"\{([^}]*)\}", info)
    return dict(re.findall(r'(\w+)="([^"]*)"', brace.group(1))) if brace else {}


def scan_markdown(text: str) -> tuple[list[Fence], list[tuple[int, int, str]]]:
    """Returns the fenced blocks and the ATX headings (line, level, text) outside them."""
    fences: list[Fence] = []
    headings: list[tuple[int, int, str]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            indent, marker = len(m.group(1)), m.group(2)
            close = re.compile(r"^ {0,3}" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}\s*$")
            body: list[str] = []
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                line = lines[j]
                body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
                j += 1
            fences.append(Fence(i + 1, fence_classes(m.group(3)), "\n".join(body) + "\n",
                                fence_attrs(m.group(3))))
            i = j + 1
            continue
        h = re.match(r"^(#{1,6})\s+(.*?)\s*(?:\{[^}]*\})?\s*#*\s*$", lines[i])
        if h:
            headings.append((i + 1, len(h.group(1)), h.group(2)))
        i += 1
    return fences, headings


def chapter_files() -> list[Path]:
    return sorted(p for p in CHAPTERS.glob("[0-9][0-9]-*.md") if p.is_file())


# ---------------------------------------------------------------------------
# build


@dataclass
class Page:
    src: Path  # the Markdown source
    out: str  # path inside build/book/
    title: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)  # (id, text) of ## headings
    title_id: str = ""


def run_pandoc(args: list[str], what: str) -> str:
    try:
        proc = subprocess.run(["pandoc", *args], capture_output=True, text=True, cwd=ROOT)
    except FileNotFoundError:
        raise BookError("book.py: pandoc is not installed (Debian package 'pandoc')", 2)
    if proc.returncode != 0:
        raise BookError(f"book.py: pandoc failed on {what} (exit {proc.returncode}):\n{proc.stderr.strip()}")
    if proc.stderr.strip():
        sys.stderr.write(f"{what}: {proc.stderr.strip()}\n")
    return proc.stdout


def inline_text(node) -> str:
    """Plain text of a pandoc JSON inline list (or inline)."""
    if isinstance(node, list):
        return "".join(inline_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, c = node.get("t"), node.get("c")
    if kind == "Str":
        return c
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math", "RawInline"):
        return c[1]
    if kind in ("Link", "Image", "Span"):
        return inline_text(c[1] if kind == "Span" else c[1])
    if kind == "Quoted":
        return "\u201c" + inline_text(c[1]) + "\u201d"
    if kind == "Cite":
        return inline_text(c[1])
    if kind == "Note":
        return ""
    if isinstance(c, list):
        return inline_text(c)
    return ""


def headers_of(blocks) -> list[tuple[int, str, str]]:
    found = []
    for b in blocks:
        if b.get("t") == "Header":
            level, attr, inlines = b["c"]
            found.append((level, attr[0], inline_text(inlines)))
        elif b.get("t") == "Div":
            found += headers_of(b["c"][1])
    return found


def read_outline(page: Page) -> None:
    """Fills the page's title and sections from pandoc's own identifiers."""
    ast = json.loads(run_pandoc(["-f", "markdown", "-t", "json", rel(page.src)], rel(page.src)))
    for level, ident, text in headers_of(ast["blocks"]):
        if level == 1 and not page.title:
            page.title, page.title_id = text, ident
        elif level == 2:
            page.sections.append((ident, text))
    if not page.title:
        page.title = page.src.stem


def render_page(page: Page, prev: Page | None, nxt: Page | None, toc: bool) -> None:
    out = OUT / page.out
    out.parent.mkdir(parents=True, exist_ok=True)
    depth = page.out.count("/")
    root = "../" * depth
    args = [
        "-f",
        "markdown",
        "-t",
        "html5",
        "--standalone",
        "--template",
        rel(TEMPLATE),
        "--lua-filter",
        rel(LINKS_FILTER),
        "--highlight-style",
        HIGHLIGHT_STYLE,
        "-M",
        f"mc_src={rel(page.src)}",
        "-M",
        "mc_mode=html",
        "-M",
        f"pagetitle={page.title}",
        "-V",
        f"root={root}",
        "-o",
        str(out),
        rel(page.src),
    ]
    if toc:
        args[0:0] = ["--toc", "--toc-depth=2"]
    for name, other in (("prev", prev), ("next", nxt)):
        if other is not None:
            href = os.path.relpath(OUT / other.out, out.parent)
            args += ["-V", f"{name}-url={href}", "-V", f"{name}-title={other.title}"]
    run_pandoc(args, rel(page.src))


def exercise_pages() -> list[Page]:
    pages = []
    for readme in sorted(EXERCISES.glob("*/README.md")):
        name = readme.parent.name
        pages.append(Page(readme, f"exercises/{name}.html"))
        hints = readme.parent / "hints.md"
        if hints.is_file():
            pages.append(Page(hints, f"exercises/{name}-hints.html"))
    return pages


def index_markdown(chapters: list[Page], exercises: list[Page]) -> str:
    out = ["# memcraft", "", "A graded workbook on memory management in C.", ""]
    out.append('<nav class="book-toc" aria-label="Contents">')
    out.append("<h2>Chapters</h2>")
    if not chapters:
        out.append("<p>No chapters yet.</p>")
    out.append("<ol>")
    for ch in chapters:
        out.append(f'<li><a class="chapter" href="{html.escape(ch.out)}">{html.escape(ch.title)}</a>')
        if ch.sections:
            out.append("<ol>")
            for ident, text in ch.sections:
                out.append(f'<li><a href="{html.escape(ch.out)}#{html.escape(ident)}">{html.escape(text)}</a></li>')
            out.append("</ol>")
        out.append("</li>")
    out.append("</ol>")
    readmes = [p for p in exercises if p.src.name == "README.md"]
    if readmes:
        out.append("<h2>Exercises</h2>")
        out.append("<ol>")
        for ex in readmes:
            label = f"{ex.src.parent.name[:2]} {ex.title}"
            out.append(f'<li><a href="{html.escape(ex.out)}">{html.escape(label)}</a></li>')
        out.append("</ol>")
    out.append("</nav>")
    return "\n".join(out) + "\n"


def copy_assets() -> None:
    shutil.copy2(STYLE, OUT / "style.css")
    figures = CHAPTERS / "figures"
    if figures.is_dir():
        shutil.copytree(figures, OUT / "figures")
    # Files the exercise READMEs may link to (headers, tests, the test kit):
    # only what students see anyway, never solutions/ or grader/.
    for tree in (EXERCISES, ROOT / "testkit"):
        if tree.is_dir():
            shutil.copytree(tree, OUT / "src" / tree.name, ignore=shutil.ignore_patterns("*.o", "build"))


def build_epub(chapters: list[Page]) -> None:
    if not chapters:
        return
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "meta.yaml"
        ids = {ch.src.stem: ch.title_id for ch in chapters}
        meta.write_text(
            json.dumps(
                {
                    "title": "memcraft",
                    "subtitle": "A graded workbook on memory management in C",
                    "lang": "en",
                    "mc_mode": "epub",
                    "mc_chapter_ids": ids,
                }
            )
        )
        run_pandoc(
            [
                "-f",
                "markdown",
                "-t",
                "epub3",
                "--metadata-file",
                str(meta),
                "--lua-filter",
                rel(LINKS_FILTER),
                "--highlight-style",
                HIGHLIGHT_STYLE,
                "--resource-path",
                f"{rel(CHAPTERS)}:.",
                "--toc",
                "--toc-depth=2",
                "--epub-chapter-level=1",
                "-o",
                str(OUT / "memcraft.epub"),
                *[rel(ch.src) for ch in chapters],
            ],
            "the EPUB",
        )


def cmd_build() -> int:
    if shutil.which("pandoc") is None:
        raise BookError("book.py: pandoc is not installed (Debian package 'pandoc')", 2)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    chapters = [Page(p, p.stem + ".html") for p in chapter_files()]
    exercises = exercise_pages()
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(read_outline, chapters + exercises))
        jobs = []
        for i, ch in enumerate(chapters):
            prev = chapters[i - 1] if i > 0 else None
            nxt = chapters[i + 1] if i + 1 < len(chapters) else None
            jobs.append(pool.submit(render_page, ch, prev, nxt, True))
        for ex in exercises:
            jobs.append(pool.submit(render_page, ex, None, None, False))
        for job in jobs:
            job.result()
    index_src = OUT / "index.md"
    index_src.write_text(index_markdown(chapters, exercises))
    index = Page(index_src, "index.html", title="Contents")
    render_page(index, None, chapters[0] if chapters else None, False)
    index_src.unlink()
    copy_assets()
    build_epub(chapters)
    print(
        f"book: {len(chapters)} chapter(s), {sum(p.src.name == 'README.md' for p in exercises)} "
        f"exercise page(s) -> {rel(OUT)}/index.html, {rel(OUT)}/memcraft.epub"
    )
    return 0


# ---------------------------------------------------------------------------
# check-code


@dataclass
class Snippet:
    chapter: Path
    fence: Fence

    @property
    def where(self) -> str:
        return f"{rel(self.chapter)}:{self.fence.line}"

    @property
    def runs(self) -> bool:
        return "run" in self.fence.classes


def first_lines(text: str, n: int = 6) -> str:
    lines = [l for l in text.strip().splitlines() if l.strip()]
    more = f"\n    ... ({len(lines) - n} more lines)" if len(lines) > n else ""
    return "\n".join("    " + l for l in lines[:n]) + more


def check_snippet(snip: Snippet, workdir: Path, index: int) -> tuple[bool, str]:
    base = workdir / f"{snip.chapter.stem}_{snip.fence.line}_{index}"
    source = base.with_suffix(".c")
    source.write_text(snip.fence.code)
    flags = [*CFLAGS, *snip.fence.attrs.get("cflags", "").split()]
    if snip.runs:
        cmd = ["gcc", *flags, str(source), "-o", str(base), *snip.fence.attrs.get("ldflags", "").split()]
    else:
        cmd = ["gcc", *flags, "-c", str(source), "-o", str(base.with_suffix(".o"))]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if proc.returncode != 0:
        return False, "does not compile:\n" + first_lines(proc.stderr.replace(str(source), "block"))
    if not snip.runs:
        return True, "compiles"
    try:
        run = subprocess.run([str(base)], capture_output=True, text=True, cwd=workdir,
                             stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT, errors="replace")
    except subprocess.TimeoutExpired:
        return False, f"ran longer than {RUN_TIMEOUT} s"
    if run.returncode != 0:
        what = f"killed by signal {-run.returncode}" if run.returncode < 0 else f"exited with {run.returncode}"
        detail = first_lines(run.stderr or run.stdout)
        return False, what + (":\n" + detail if detail else "")
    return True, "compiles and runs"


def cmd_check_code() -> int:
    snippets = []
    for chapter in chapter_files():
        fences, _ = scan_markdown(chapter.read_text())
        snippets += [Snippet(chapter, f) for f in fences if f.classes and f.classes[0] == "c"]
    if shutil.which("gcc") is None:
        raise BookError("book.py: gcc is not installed", 2)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="book-check-code-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda a: check_snippet(a[1], Path(tmp), a[0]), enumerate(snippets)))
    for snip, (ok, message) in zip(snippets, results):
        print(f"{snip.where}: {'ok' if ok else 'FAIL'} ({'run' if snip.runs else 'compile'}){'' if ok else ' ' + message}")
        failed += not ok
    runs = sum(s.runs for s in snippets)
    print(f"check-code: {len(snippets)} C block(s) in {len(chapter_files())} chapter(s), "
          f"{runs} run, {failed} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# check-links


class LinkCollector(html.parser.HTMLParser):
    """Collects the ids and the outgoing references of one HTML page."""

    REFS = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
            "iframe": "src", "object": "data", "image": "href"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, int]] = []  # (tag, target, line)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        attr = self.REFS.get(tag)
        if attr and a.get(attr) is not None:
            self.refs.append((tag, a[attr], self.getpos()[0]))

    handle_startendtag = handle_starttag


def parse_html(path: Path) -> LinkCollector:
    c = LinkCollector()
    c.feed(path.read_text(errors="replace"))
    c.close()
    return c


def is_external(target: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target)) or target.startswith("//")


def check_site_links() -> list[str]:
    pages = sorted(p for p in OUT.rglob("*.html") if not p.relative_to(OUT).parts[0] == "src")
    parsed = {p.resolve(): parse_html(p) for p in pages}
    problems = []
    for page, info in parsed.items():
        for tag, target, line in info.refs:
            if is_external(target) or target == "":
                continue
            path_part, _, frag = target.partition("#")
            path_part = path_part.split("?")[0]
            dest = (page.parent / path_part).resolve() if path_part else page
            where = f"{rel(page)}:{line}"
            if not dest.exists():
                kind = "image" if tag == "img" else "link"
                problems.append(f"{where}: broken {kind} '{target}' ({rel(dest)} does not exist)")
                continue
            if frag and dest.suffix == ".html":
                ids = parsed[dest].ids if dest in parsed else parse_html(dest).ids
                if frag not in ids:
                    problems.append(f"{where}: broken anchor '{target}' (no id '{frag}' in {rel(dest)})")
    return problems


STRING_LIT = r'"(?:[^"\\\n]|\\.)*"'
MC_READ_CALL = re.compile(r"MC_READ\s*\(\s*((?:" + STRING_LIT + r"\s*)+)\)")
NO_LEAK_CALL = re.compile(r"mc_assert_no_leak_since\s*\(")


def literal_value(literals: str) -> str:
    return "".join(bytes(s[1:-1], "utf-8").decode("unicode_escape") for s in re.findall(STRING_LIT, literals))


def call_args(text: str, start: int) -> str:
    """The text between the parenthesis opened just before `start` and its match."""
    depth, i = 1, start
    while i < len(text) and depth:
        ch = text[i]
        if ch == '"':
            m = re.compile(STRING_LIT).match(text, i)
            i = m.end() if m else i + 1
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        i += 1
    return text[start : i - 1]


def section_references() -> list[tuple[str, str]]:
    """(where, "N.M Title") for every MC_READ and mc_assert_no_leak_since section."""
    files = sorted(EXERCISES.glob("*/tests/*.c")) + sorted((ROOT / "grader" / "hidden").glob("*/*.c"))
    refs = []
    for f in files:
        text = f.read_text(errors="replace")
        for m in MC_READ_CALL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            refs.append((f"{rel(f)}:{line}", literal_value(m.group(1))))
        for m in NO_LEAK_CALL.finditer(text):
            if text[: m.start()].rstrip().endswith("define"):
                continue
            args = call_args(text, m.end())
            last = args.rsplit(",", 1)[-1].strip()
            if re.fullmatch(r"(?:" + STRING_LIT + r"\s*)+", last):
                line = text.count("\n", 0, m.start()) + 1
                refs.append((f"{rel(f)}:{line}", literal_value(last)))
    return refs


def chapter_sections() -> dict[str, tuple[str, str]]:
    """Maps "N.M" to (title, chapter file) for every ## heading of the chapters."""
    sections = {}
    for chapter in chapter_files():
        _, headings = scan_markdown(chapter.read_text())
        for _, level, text in headings:
            m = re.match(r"^(\d+\.\S+)\s+(.*)$", text)
            if level == 2 and m:
                sections[m.group(1)] = (m.group(2).strip(), rel(chapter))
    return sections


def check_section_refs() -> tuple[int, list[str]]:
    """Checks every section reference; one message per broken reference text,
    listing where it occurs."""
    sections = chapter_sections()
    refs = section_references()
    broken: dict[str, tuple[str, list[str]]] = {}
    for where, ref in refs:
        m = re.match(r"^\s*(\d+\.\S+)\s+(.*?)\s*$", ref)
        if not m:
            reason = 'does not start with a section number ("N.M Title")'
        else:
            number, title = m.groups()
            if number not in sections:
                reason = f'no chapter has a heading "## {number} ..."'
            elif " ".join(title.split()).casefold() != " ".join(sections[number][0].split()).casefold():
                real, chapter = sections[number]
                reason = f'{chapter} calls section {number} "{real}"'
            else:
                continue
        broken.setdefault(ref, (reason, []))[1].append(where)
    problems = []
    for ref, (reason, places) in sorted(broken.items()):
        first = places[0]
        more = f" (and {len(places) - 1} more place(s))" if len(places) > 1 else ""
        problems.append(f'{first}: MC_READ("{ref}"): {reason}{more}')
    return len(refs), problems


def cmd_check_links() -> int:
    if not (OUT / "index.html").is_file():
        raise BookError(f"book.py: no built site in {rel(OUT)}; run 'python3 tools/book.py build' first", 2)
    problems = check_site_links()
    for p in problems:
        print(p)
    nrefs, ref_problems = check_section_refs()
    for p in ref_problems:
        print(p)
    pages = sum(1 for p in OUT.rglob("*.html") if p.relative_to(OUT).parts[0] != "src")
    print(f"check-links: {pages} page(s), {len(problems)} broken link(s); "
          f"{nrefs} section reference(s) in tests, {len(ref_problems)} broken reference text(s)")
    return 1 if problems or ref_problems else 0


# ---------------------------------------------------------------------------
# check-browser

# Loads each page in an iframe of a given width and reports, into the DOM,
# what a reader would notice: missing stylesheet, broken images, a page wider
# than the screen, code without highlighting.
PROBE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>browser check</title></head>
<body><pre id="mc-result">pending</pre>
<script>
const cases = %CASES%;
function probe(c) {
  return new Promise(resolve => {
    const f = document.createElement('iframe');
    f.style.width = c.width + 'px';
    f.style.height = '800px';
    f.style.border = '0';
    const timer = setTimeout(() => resolve({...c, error: 'page did not load'}), 8000);
    f.onload = () => {
      clearTimeout(timer);
      const r = {...c};
      try {
        const d = f.contentDocument, w = f.contentWindow;
        const cs = w.getComputedStyle(d.documentElement);
        r.stylesheet = cs.getPropertyValue('--mc-style').trim() === 'loaded';
        r.fontFamily = w.getComputedStyle(d.body).fontFamily;
        const imgs = Array.from(d.images);
        r.images = imgs.length;
        r.brokenImages = imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));
        r.codeBlocks = d.querySelectorAll('pre').length;
        r.highlighted = d.querySelectorAll('code.sourceCode span').length;
        r.viewport = d.documentElement.clientWidth;
        r.scrollWidth = d.documentElement.scrollWidth;
        r.wide = Array.from(d.querySelectorAll('body *'))
          .filter(e => e.getBoundingClientRect().right > r.viewport + 1)
          .filter(e => !e.closest('pre, table, div.sourceCode'))
          .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
        r.title = d.title;
      } catch (e) {
        r.error = String(e);
      }
      resolve(r);
    };
    f.src = c.page;
    document.body.appendChild(f);
  });
}
Promise.all(cases.map(probe)).then(rs => {
  document.getElementById('mc-result').textContent = JSON.stringify(rs);
});
</script></body></html>
"""


def chromium_cmd(profile: str, *extra: str) -> list[str]:
    return [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra]


def run_chromium(cmd: list[str], timeout: int = 90) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        raise BookError(f"book.py: chromium did not finish within {timeout} s: {' '.join(cmd)}")


def judge(result: dict) -> list[str]:
    name = f"{result['page']} at {result['width']} px"
    if result.get("error"):
        return [f"{name}: {result['error']}"]
    problems = []
    if not result.get("stylesheet"):
        problems.append(f"{name}: stylesheet not applied (style.css did not load)")
    if result.get("brokenImages"):
        problems.append(f"{name}: broken image(s): {', '.join(result['brokenImages'])}")
    if result.get("scrollWidth", 0) > result.get("viewport", 0) + 1:
        problems.append(f"{name}: page is {result['scrollWidth']} px wide in a {result['viewport']} px "
                        f"viewport (scrolls sideways; too wide: {', '.join(result.get('wide', [])) or '?'})")
    if result.get("codeBlocks") and result["page"] != "index.html" and not result.get("highlighted"):
        problems.append(f"{name}: code blocks are not syntax-highlighted")
    return problems


def cmd_check_browser() -> int:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        print(f"check-browser: chromium is not installed ({CHROMIUM}; Debian package 'chromium'); skipped")
        return 2
    if not (OUT / "index.html").is_file():
        raise BookError(f"book.py: no built site in {rel(OUT)}; run 'python3 tools/book.py build' first", 2)
    chapters = sorted(p.name for p in OUT.glob("[0-9][0-9]-*.html"))
    pages = ["index.html"] + chapters[:1]
    if len(pages) < 2:
        print("check-browser: no chapter page in the site; checking the index only")
    cases = [{"page": p, "width": w} for p in pages for w in (1280, 390)]
    probe = OUT / ".browser-check.html"
    probe.write_text(PROBE.replace("%CASES%", json.dumps(cases)))
    problems: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="book-chromium-") as profile:
            proc = run_chromium(chromium_cmd(profile, "--allow-file-access-from-files", "--window-size=1400,1000",
                                             "--virtual-time-budget=15000", "--dump-dom", probe.as_uri()))
        m = re.search(r'<pre id="mc-result">(.*?)</pre>', proc.stdout, re.S)
        if not m or m.group(1) == "pending":
            raise BookError("book.py: chromium did not report on the pages:\n" + first_lines(proc.stderr, 10))
        results = json.loads(html.unescape(m.group(1)))
    finally:
        probe.unlink(missing_ok=True)
    for r in results:
        found = judge(r)
        problems += found
        status = "ok" if not found else "FAIL"
        print(f"{r['page']} at {r['width']} px: {status} (stylesheet {'applied' if r.get('stylesheet') else 'missing'}, "
              f"{r.get('images', 0)} image(s), {len(r.get('brokenImages', []))} broken, "
              f"{r.get('highlighted', 0)} highlighted tokens, width {r.get('scrollWidth')}/{r.get('viewport')})")
    for page in pages:
        stem = "index" if page == "index.html" else "chapter"
        for label, size in (("desktop", "1280,900"), ("phone", "390,844")):
            shot = OUT / f"screenshot-{stem}-{label}.png"
            with tempfile.TemporaryDirectory(prefix="book-chromium-") as profile:
                run_chromium(chromium_cmd(profile, f"--window-size={size}", f"--screenshot={shot}",
                                          "--virtual-time-budget=5000", (OUT / page).as_uri()))
            if not shot.is_file() or shot.stat().st_size == 0:
                problems.append(f"{page}: chromium wrote no screenshot {rel(shot)}")
            else:
                print(f"screenshot: {rel(shot)}")
    for p in problems:
        print(p)
    print(f"check-browser: {len(results)} page load(s), {len(problems)} problem(s)")
    return 1 if problems else 0


# ---------------------------------------------------------------------------

COMMANDS = {
    "build": cmd_build,
    "check-code": cmd_check_code,
    "check-links": cmd_check_links,
    "check-browser": cmd_check_browser,
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
