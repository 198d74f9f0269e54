"""Answer checking: ``check_answer(part_spec, raw_text) -> CheckResult``.

One module per answer type in ``types/`` behind ``base.Checker``, listed in ``registry``; the safe
parser (with ``student_syntax``) and the killable worker; ``limits.check_part`` is ``check_answer`` under the
part's time and memory limit; the shared rules the types use: ``sigfigs`` (significant figures and decimal
places), ``forms`` (form tests on the typed structure), ``domains`` (test points), ``numbers``,
``matrix_precision`` and ``kinds_common``; ``misconceptions`` derives mistakes from the reference.
Imports only ``grader.core``.
"""

from grader.check.answer import check_answer
from grader.check.base import CheckResult

__all__ = ["CheckResult", "check_answer"]
