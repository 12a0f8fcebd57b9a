"""What the self-tests (test_truth.py, test_corpus.py) share: COBOL lines in fixed
format, and a tiny invented corpus written to a temporary folder and read by truth.py
once per test class.
"""

import os
import shutil
import tempfile

import truth


def A(text):
    """Area A line (column 8)."""
    return "       " + text


def B(text):
    """Area B line (column 12)."""
    return "           " + text


def C(text=""):
    """Comment line (indicator in column 7)."""
    return "      *" + text


def write(root, rel, lines):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


class FixtureCorpus:
    """Mixed into a test class before unittest.TestCase: writes FILES (relative path:
    lines, in order) to a temporary folder named with PREFIX, reads it as `corpus` and
    `facts`, and removes it after the class's tests."""

    PREFIX = "fixture-"
    FILES = {}

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix=cls.PREFIX)
        for rel, lines in cls.FILES.items():
            write(cls.root, rel, lines)
        cls.corpus = truth.Corpus(cls.root)
        cls.facts = truth.Facts(cls.corpus)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root)
