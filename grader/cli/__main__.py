"""``python -m grader.cli``."""

from grader.cli import run

run()
