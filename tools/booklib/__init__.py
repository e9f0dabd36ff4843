"""booklib: the pieces of tools/book.py, the memcraft book's builder and checker.

    common   paths, errors and the Markdown scanning every command shares
    build    pandoc: the HTML site and the EPUB
    code     check-code: every C block compiles with the reader's flags
    links    check-links: links, anchors, images and MC_READ section names
    browser  check-browser: headless Chromium at laptop and phone widths
    text     check-text: no internal context in student-facing text, and
             every chapter ends with its Sources

Python 3.11 standard library only.
"""
