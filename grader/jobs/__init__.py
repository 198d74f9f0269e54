"""The instructor's batch jobs, each composing the stages below into one command's work: validating
banks and grading a class. Imports any stage below it; nothing below imports it.
"""
