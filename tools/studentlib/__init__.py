"""studentlib: the pieces of tools/workbook.py, the student's commands.

    common     paths, colours, each exercise's scratch folder under build/
    quick      one exercise's public tests and sanitizer build, side by side, and
               the first thing to fix (what `make watch` shows)
    progress   build/progress.json: best result and last pass per exercise; the
               hidden-test counts; the `make check` table
    watcher    file watching: inotifywait, or polling where that fails
    screen     the terminal: raw keys and whole-screen frames (termios/tty/select)
    watch      `make watch`: the loop
    hints      the hints, one at a time
    memcheck   Valgrind for one exercise
    reset      `make reset`: the stub back, the student's file kept
    grade      `make grade`: the handout's grader on the working tree, student view

Python 3.11 standard library only.
"""
