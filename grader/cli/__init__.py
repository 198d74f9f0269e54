"""The ``grader`` command: a thin layer over the library API.

Each command parses options, calls one library function and prints the result. User errors become one
line from ``grader.core.messages`` and exit code 2, never a traceback. ``app`` holds the group and the
shared helpers; each ``*_commands`` module adds one family of commands. Imports any stage of grader.
"""

from grader.cli import bank_commands, grade_commands, integration_commands, term_commands, web_commands  # noqa: F401
from grader.cli.app import main

term_commands.register(main)

__all__ = ["main"]
