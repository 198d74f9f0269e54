"""Everything rendered for people from variants: problem sets, answer keys, Markdown and HTML layouts,
and ``generate`` for a roster. Imports ``core``, ``course``, ``check`` and ``bank``.
"""
