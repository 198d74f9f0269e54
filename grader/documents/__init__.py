"""Everything rendered for people from variants: problem sets, answer keys and exams, Markdown and HTML
layouts, PDF printing through headless Chromium, and ``generate`` for a roster. Imports ``core``,
``course``, ``check`` and ``bank``.
"""
