"""Homework in the browser: ``grader serve``, an ASGI app over the same library as ``grader grade``.

Students sign in with a personal link, answer their own variant on a page,
check the format of an answer before it costs an attempt and get their
feedback at once; every answer is stored in an append-only table and every
score is derived from those rows. Instructors see the live gradebook and
statistics. This stage may import every stage below it (core up to
integrations), never ``grader.cli``.
"""
