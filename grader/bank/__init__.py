"""A question bank and its variants: reading and checking the YAML, parameters, solvers, templated
text, one student's variant, pools (who is given which questions), and the student copy of the bank.
Imports ``grader.core`` and ``grader.check``.
"""
