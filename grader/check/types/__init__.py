"""One module per answer type; ``grader.check.registry`` lists them."""
