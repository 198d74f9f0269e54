"""One module per answer type; importing this package registers them all."""

from . import choice, code, expression, free, integer, matrix, number, text  # noqa: F401
