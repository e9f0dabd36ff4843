"""check-links: on the built site, every internal link, anchor and image
resolves; every MC_READ("N.M Title") in the tests names a real "## N.M Title"
heading of a chapter."""

from __future__ import annotations

import html.parser
import re
from pathlib import Path

from .common import EXERCISES, OUT, ROOT, BookError, chapter_files, rel, scan_markdown


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
    files = sorted(EXERCISES.glob("*/tests/*.[ch]")) + sorted((ROOT / "grader" / "hidden").glob("*/*.c"))
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
