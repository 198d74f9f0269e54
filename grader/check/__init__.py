"""Answer checking: ``check_answer(part_spec, raw_text) -> CheckResult``.

One module per answer type in ``types/`` behind ``base.Checker``, listed in ``registry``; the safe
parser and the killable worker; ``limits.check_part`` is ``check_answer`` under the part's time and
memory limit. Imports only ``grader.core``.
"""

from grader.check.answer import check_answer
from grader.check.base import CheckResult

__all__ = ["CheckResult", "check_answer"]
