"""A submission's way in: reading an answers file, grading it against the student's variant, and the
student's self-check. Imports ``core``, ``course``, ``check`` and ``bank``.
"""
