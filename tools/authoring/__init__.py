"""authoring: the instructor's tools for adding and checking exercises.

    generated  the files derived from others that the handout needs: each
               exercise's hidden-test count (hidden_tests in exercise.toml) and
               its pristine stub (exercises/NN-name/.stub/, for `make reset`)
    scaffold   `make new-exercise NAME=.. CHAPTER=..`: every folder and file of a
               new exercise, passing the layout check and failing as a stub
    verify     `make verify EX=..`: the self-test for one exercise, summarized

None of it is in the student handout. Python 3.11 standard library only.
"""
