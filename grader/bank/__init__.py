"""A question bank and its variants: reading and checking the YAML, parameters, solvers, templated
text, one student's variant, and the student copy of the bank. Imports ``grader.core`` and ``grader.check``.
"""
