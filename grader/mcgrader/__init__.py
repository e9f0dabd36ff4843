"""memcraft's grading pipeline.

Each stage is a module with one job: fetch (submission to files), build,
audit, run (tests), memory (Valgrind and sanitizers), lint, score, report.
pipeline.py strings them together; the student tools and the self-test use
the same stages, so there is one checking mechanism.
"""
