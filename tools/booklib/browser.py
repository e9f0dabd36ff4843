"""check-browser: load the index and a chapter in headless Chromium at laptop
and phone widths; stylesheet applied, images loaded, no sideways scrolling;
screenshots go to build/book/screenshot-*.png."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import tempfile

from .common import OUT, BookError, first_lines, rel

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
