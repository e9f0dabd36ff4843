import unittest
from pathlib import Path

from helpers import ROOT, make_exercise, scratch
from mcgrader import exercises


class CatalogueTest(unittest.TestCase):
    def test_every_exercise_in_the_repo_loads(self):
        for ex in exercises.load_all(ROOT):
            self.assertTrue(ex.student_files, ex.folder)
            self.assertGreater(ex.max_score, 0, ex.folder)

    def test_an_exercise_is_found_by_number_name_or_folder(self):
        with scratch() as tmp:
            ex = make_exercise(Path(tmp))
            for key in ("99", "tiny", "99-tiny", "TINY"):
                self.assertTrue(ex.matches(key), key)
            self.assertFalse(ex.matches("9"))

    def test_a_broken_metadata_file_is_a_clear_error(self):
        with scratch() as tmp:
            bad = 'title = "x"\nchapter = "y"\nstudent_files = []\nheaders=["a.h"]\napi=["f"]\n'
            with self.assertRaisesRegex(exercises.ExerciseError, "student_files"):
                make_exercise(Path(tmp), toml=bad + "[rubric]\ntests = 1\n")

    def test_a_rubric_without_points_is_refused(self):
        with scratch() as tmp:
            toml = ('title = "x"\nchapter = "y"\nstudent_files = ["tiny.c"]\n'
                    'headers = ["tiny.h"]\napi = ["f"]\n[rubric]\ntests = -1\n')
            with self.assertRaisesRegex(exercises.ExerciseError, "rubric"):
                make_exercise(Path(tmp), toml=toml)

    def test_selecting_an_unknown_exercise_names_the_real_ones(self):
        with self.assertRaisesRegex(exercises.ExerciseError, "no exercise 'nope'"):
            exercises.select(["nope"], ROOT)


if __name__ == "__main__":
    unittest.main()
