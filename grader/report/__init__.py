"""Views of grading results: feedback, Gradescope results.json, gradebook and summary.

Imports ``core``, ``course``, ``check``, ``bank``, ``documents`` (the layouts) and ``grading`` (the results).
"""
