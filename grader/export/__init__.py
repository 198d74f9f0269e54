"""LMS exports: Canvas Classic Quizzes (QTI 1.2) and Moodle XML, as views of pre-generated variants.

An LMS cannot run our solvers, so each question is exported as N variants drawn with the course secret,
and each part is mapped to the nearest native question type, with a report of what could not be kept.
Imports ``core``, ``check`` and ``bank``; see docs/exports.md.
"""
