"""The foundation every stage uses: errors and the one place user messages are written, atomic
file writes, the strict YAML reader, the keyed random streams, safe output text (``safe_text``) and
the time limit on instructor code (``deadline``). Imports nothing else from grader.
"""
