"""Adapters to the systems a course already uses: the Gradescope autograder container and
otter-grader notebooks. They hold no grading rules of their own.
"""
