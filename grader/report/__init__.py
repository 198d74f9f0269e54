"""Views of grading results: feedback, Gradescope results.json, gradebook and summary."""
