"""Answer checking: ``check_answer(part_spec, raw_text) -> CheckResult``."""

from .base import CheckResult, check_answer

__all__ = ["CheckResult", "check_answer"]
