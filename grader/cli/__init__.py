"""The ``grader`` command: a thin layer over the library API.

Each command parses options, calls one library function and prints the result. User errors become one
line from ``grader.core.messages`` and exit code 2, never a traceback. ``app`` holds the group and the
shared helpers; each ``*_commands`` module adds one family of commands. Imports any stage of grader.
"""

from grader.cli import bank_commands, grade_commands, integration_commands, term_commands, web_commands  # noqa: F401
from grader.cli.app import main

term_commands.register(main)



def run() -> None:
    """The ``grader`` console script: ``main``, then an exit that skips tearing the interpreter down.

    Freeing every object of a large run one by one (a class's results, sympy's caches) took a third of a
    second after the last output was written. The exit handlers still run (temporary folders are removed,
    child processes reaped) and the output streams are flushed; only when a thread other than the main one
    is still running is the exit the normal, slower one, so that thread is waited for.
    """
    import atexit
    import os
    import sys
    import threading

    try:
        main()
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    if any(t is not threading.main_thread() and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    if code is not None and not isinstance(code, int):  # as sys.exit prints a message and exits with 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code or 0)


__all__ = ["main", "run"]
