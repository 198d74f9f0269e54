"""The impact of a bank edit: per student and question, did the parameters, the text or the references change?

Both banks are drawn for every roster student with the same secret. A bank
is a file, or ``git:REV:path`` (the bank and its solver module as they were
at that revision, read with ``git show``), so "what did my last commit
change?" is one command. Stability rules this relies on (docs/term.md):
a question's parameters depend only on the secret, the bank id, the question
id, the student and that question's own parameter specs and constraints.
"""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.bank.model import Bank, load_bank
from grader.bank.variant import Variant, make_variant
from grader.core.errors import BankError, Location
from grader.course.roster import Student

GIT_PREFIX = "git:"


@dataclass(frozen=True)
class ImpactRow:
    student_id: str
    question: str
    status: str  # unchanged | changed | added | removed
    params: bool
    text: bool
    references: bool
    detail: str


def _git_show(revision: str, path: str, cwd: Path) -> bytes | None:
    run = subprocess.run(["git", "show", f"{revision}:./{path}"], cwd=cwd, capture_output=True)
    return run.stdout if run.returncode == 0 else None


def load_bank_spec(spec: str, workdir: Path) -> Bank:
    """A bank from a path, or from ``git:REV:path`` (relative to the current folder) written into ``workdir``."""
    if not spec.startswith(GIT_PREFIX):
        return load_bank(spec)
    revision, _, path = spec[len(GIT_PREFIX):].partition(":")
    if not revision or not path:
        raise BankError("write a bank at a git revision as git:REV:path, e.g. git:HEAD~1:questions/cnn.yaml",
                        Location(spec))
    text = _git_show(revision, path, Path.cwd())
    if text is None:
        raise BankError(f"git has no file '{path}' at revision '{revision}' (run it inside the repository)",
                        Location(spec))
    folder = Path(workdir) / revision.replace("/", "_").replace("~", "_")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(path).name
    target.write_bytes(text)
    # The solver module beside it, as at that revision: the default name, or the one the bank names.
    import yaml

    try:
        named = (yaml.safe_load(text) or {}).get("solvers")
    except yaml.YAMLError:
        named = None
    solver_name = str(named or f"{Path(path).stem}_solvers.py")
    solvers = _git_show(revision, str(Path(path).with_name(solver_name)), Path.cwd())
    if solvers is not None:
        (folder / solver_name).write_bytes(solvers)
    return load_bank(target)


def _text(variant: Variant) -> str:
    pieces = [variant.render_text()]
    for part in variant.question.parts:
        pieces.append(variant.render_prompt(part))
        pieces += [str(option.get("text")) for option in variant.parts[part.id].get("options") or []]
    return "\n".join(pieces)


def _references(variant: Variant) -> dict[str, str]:
    return {part_id: variant.reference_text(part_id) for part_id in variant.parts}


def compare_variants(old: Variant, new: Variant) -> ImpactRow:
    params = {k: str(v) for k, v in old.params.items()} != {k: str(v) for k, v in new.params.items()}
    text = _text(old) != _text(new)
    old_refs, new_refs = _references(old), _references(new)
    changed_parts = sorted(p for p in set(old_refs) | set(new_refs) if old_refs.get(p) != new_refs.get(p))
    details = []
    if params:
        details.append("params " + ", ".join(f"{k}: {old.params.get(k, '-')} → {new.params.get(k, '-')}"
                                              for k in sorted(set(old.params) | set(new.params))
                                              if str(old.params.get(k)) != str(new.params.get(k))))
    for part in changed_parts:
        details.append(f"part {part}: {old_refs.get(part, '(none)') or '(none)'} → "
                       f"{new_refs.get(part, '(none)') or '(none)'}")
    status = "changed" if params or text or changed_parts else "unchanged"
    return ImpactRow(new.student, new.question.id, status, params, text, bool(changed_parts), "; ".join(details))


def impact(old_bank: Bank, new_bank: Bank, students: list[Student], secret: str) -> list[ImpactRow]:
    rows = []
    old_ids = [q.id for q in old_bank.questions]
    new_ids = [q.id for q in new_bank.questions]
    order = new_ids + [qid for qid in old_ids if qid not in new_ids]
    for student in students:
        for qid in order:
            if qid not in old_bank.by_id:
                rows.append(ImpactRow(student.id, qid, "added", True, True, True, "a new question"))
            elif qid not in new_bank.by_id:
                rows.append(ImpactRow(student.id, qid, "removed", True, True, True, "the question was removed"))
            else:
                rows.append(compare_variants(make_variant(old_bank, old_bank.by_id[qid], secret, student.id),
                                             make_variant(new_bank, new_bank.by_id[qid], secret, student.id)))
    return rows


def impact_csv(rows: list[ImpactRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student_id", "question", "status", "params_changed", "text_changed", "references_changed",
                     "detail"])
    for row in rows:
        writer.writerow([row.student_id, row.question, row.status, *("yes" if flag else "no"
                         for flag in (row.params, row.text, row.references)), row.detail])
    return buffer.getvalue()


def per_question(rows: list[ImpactRow]) -> list[tuple[str, int, int, int, int, str]]:
    """(question, students, params changed, text changed, references changed, status) per question."""
    table: dict[str, list] = {}
    for row in rows:
        entry = table.setdefault(row.question, [0, 0, 0, 0, set()])
        entry[0] += 1
        entry[1] += row.params
        entry[2] += row.text
        entry[3] += row.references
        entry[4].add(row.status)
    return [(qid, n, p, t, r, "/".join(sorted(statuses))) for qid, (n, p, t, r, statuses) in table.items()]


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="grader-impact-")
