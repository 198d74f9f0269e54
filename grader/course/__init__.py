"""The course around the banks: its configuration and secret (course.yaml) and its roster.
Imports only ``grader.core``.
"""
