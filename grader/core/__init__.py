"""The foundation every stage uses: errors and the one place user messages are written, atomic
file writes, the strict YAML reader and the keyed random streams. Imports nothing else from grader.
"""
