"""build: render the chapters and exercise pages with pandoc into build/book/,
plus build/book/memcraft.epub."""

from __future__ import annotations

import concurrent.futures
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .common import BOOK_SRC, CHAPTERS, EXERCISES, OUT, ROOT, BookError, chapter_files, rel

TEMPLATE = BOOK_SRC / "template.html"
STYLE = BOOK_SRC / "style.css"
LINKS_FILTER = BOOK_SRC / "links.lua"
HIGHLIGHT_STYLE = "tango"


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
