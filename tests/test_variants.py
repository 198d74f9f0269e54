"""Variants are a pure function of (secret, bank, question, student), and differ between students.

Expected seeds are computed here with hmac/hashlib, expected constraints with
plain Python arithmetic, and the golden file pins whole variants so that a
change to drawing, solving or rendering cannot go unnoticed.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
import yaml

from grader.bank.model import load_bank
from grader.bank.variant import make_variant
from grader.core.variant_seed import variant_seed
from grader.core.yamlload import load_file, parse_text
from grader.course.config import DEMO_SECRET, load_config

ROOT = Path(__file__).resolve().parent.parent
CNN = ROOT / "questions" / "cnn.yaml"
GOLDEN = Path(__file__).parent / "golden" / "variants.json"
STUDENTS = [f"s{n:03d}" for n in range(1, 36)]  # 35 students


def _load_make_golden():
    spec = importlib.util.spec_from_file_location("make_golden", Path(__file__).parent / "make_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_golden = _load_make_golden()


@pytest.fixture(scope="module")
def bank():
    return load_bank(CNN)


@pytest.fixture(scope="module")
def secret():
    return load_config(CNN.parent / "course.yaml").secret


def summary(variant) -> dict:
    """What a student sees and is graded against."""
    return {
        "params": variant.params,
        "references": {part_id: variant.reference_text(part_id) for part_id in variant.parts},
        "options": {part_id: [o["text"] for o in spec["options"]] for part_id, spec in variant.parts.items()
                    if "options" in spec},
        "text": variant.render_text(),
    }


# --------------------------------------------------------------------------- (a) the seed is the documented HMAC


@pytest.mark.parametrize(("secret_text", "bank_id", "question", "student"), [
    ("grader-demo-secret-do-not-use-for-a-real-course", "cnn", "conv-as-matrix", "s001"),
    ("another secret", "cnn", "conv-output-size", "s002"),
    ("sécret ✓", "cnn", "stacked-3x3", "ada.lovelace@example.edu"),
    ("k", "bank-2", "q.1", "Ünïcode student"),
])
def test_variant_seed_is_hmac_sha256_of_bank_question_student(secret_text, bank_id, question, student):
    expected = hmac.new(secret_text.encode("utf-8"), f"{bank_id}|{question}|{student}".encode(),
                        hashlib.sha256).digest()
    assert variant_seed(secret_text, bank_id, question, student) == expected


@pytest.mark.parametrize("question_id", ["conv-as-matrix", "cnn-advantages", "output-vs-kernel"])
def test_make_variant_uses_that_seed(bank, question_id):
    variant = make_variant(bank, bank.by_id[question_id], "some secret", "s007")
    expected = hmac.new(b"some secret", f"cnn|{question_id}|s007".encode(), hashlib.sha256).hexdigest()
    assert variant.seed_hex == expected


# --------------------------------------------------------------------------- (b) determinism and order independence


def test_two_separately_loaded_banks_give_the_same_variants(bank, secret):
    other = load_bank(CNN)
    assert other is not bank
    for student in STUDENTS[:10]:
        for question in bank.questions:
            first = summary(make_variant(bank, question, secret, student))
            second = summary(make_variant(other, other.by_id[question.id], secret, student))
            assert first == second, f"{student} {question.id}"


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # our strict loader refuses aliases
        return True


def _reordered(data: dict) -> dict:
    data = dict(data)
    data["questions"] = [dict(q) for q in reversed(data["questions"])]
    for question in data["questions"]:
        if question.get("params"):
            question["params"] = dict(reversed(list(question["params"].items())))
    return data


@pytest.fixture(scope="module")
def reordered_bank(tmp_path_factory):
    """questions/cnn.yaml rewritten with questions reversed and every question's params reversed."""
    folder = tmp_path_factory.mktemp("reordered")
    shutil.copy(CNN.with_name("cnn_solvers.py"), folder / "cnn_solvers.py")
    text = yaml.dump(_reordered(yaml.safe_load(CNN.read_text(encoding="utf-8"))), Dumper=_NoAliasDumper,
                     sort_keys=False, allow_unicode=True, width=10**6)
    path = folder / "cnn.yaml"
    path.write_text(text, encoding="utf-8")
    # The rewrite must say the same thing to our strict loader, only in another order.
    assert parse_text(text, str(path)).data == _reordered(load_file(str(CNN)).data)
    return load_bank(path)


def test_reordered_bank_really_is_reordered(bank, reordered_bank):
    assert [q.id for q in reordered_bank.questions] == [q.id for q in reversed(bank.questions)]
    multi = [q for q in bank.questions if len(q.params) > 1]
    assert multi
    for question in multi:
        assert list(reordered_bank.by_id[question.id].params) == list(reversed(question.params))


def test_variants_do_not_depend_on_question_or_parameter_order(bank, reordered_bank, secret):
    for student in STUDENTS[:10]:
        for question in bank.questions:
            original = summary(make_variant(bank, question, secret, student))
            moved = summary(make_variant(reordered_bank, reordered_bank.by_id[question.id], secret, student))
            # Same values for the same names; the dict order may follow the declaration.
            assert original == moved, f"{student} {question.id}: {original['params']} != {moved['params']}"


# --------------------------------------------------------------------------- (c) students get different variants


@pytest.mark.parametrize(("question_id", "at_least"), [
    ("conv-as-matrix", 30),     # 5^16 * 10^9 possible (X, K): every student should differ
    ("output-vs-kernel", 10),   # 25 * 6 = 150 possible (Hn, Kn)
    ("conv-output-size", 10),
    ("cnn-notebook", 30),
])
def test_different_students_get_different_parameters(bank, secret, question_id, at_least):
    question = bank.by_id[question_id]
    distinct = {json.dumps(make_golden.jsonable(make_variant(bank, question, secret, s).params), sort_keys=True)
                for s in STUDENTS}
    assert len(distinct) >= at_least, f"{len(distinct)} distinct variants of {question_id} for {len(STUDENTS)} students"


def test_option_order_differs_between_students(bank, secret):
    question = bank.by_id["cnn-advantages"]  # 4 options: 24 orders
    orders = {tuple(o["text"] for o in make_variant(bank, question, secret, s).parts["a"]["options"])
              for s in STUDENTS}
    assert len(orders) >= 8
    # Every order is a permutation of the declared options, and the reference follows the options.
    declared = sorted(o["text"] for o in question.part("a").settings["options"])
    for student in STUDENTS[:10]:
        variant = make_variant(bank, question, secret, student)
        shown = variant.parts["a"]["options"]
        assert sorted(o["text"] for o in shown) == declared
        correct = [label for label, o in zip("ABCD", shown) if o.get("correct")]
        assert variant.reference_text("a") == ", ".join(correct)


def test_questions_sharing_parameter_names_are_drawn_independently(bank, secret):
    """conv-output-size and cnn-notebook both draw I, F, S, P: different seeds, mostly different values."""
    same = 0
    for student in STUDENTS:
        first = make_variant(bank, bank.by_id["conv-output-size"], secret, student).params
        second = make_variant(bank, bank.by_id["cnn-notebook"], secret, student).params
        same += all(first[name] == second[name] for name in "IFSP")
    assert same < len(STUDENTS) // 3


def test_the_secret_changes_the_variants(bank):
    question = bank.by_id["conv-as-matrix"]
    changed = sum(make_variant(bank, question, DEMO_SECRET, s).params != make_variant(bank, question, "x", s).params
                  for s in STUDENTS[:10])
    assert changed == 10


# --------------------------------------------------------------------------- (d) where: constraints hold


def test_conv_output_size_constraints_hold_on_300_seeds(bank):
    question = bank.by_id["conv-output-size"]
    strides = set()
    for index in range(300):
        variant = make_variant(bank, question, "constraint sweep", f"student-{index}")
        size, kernel, stride, pad = (variant.params[name] for name in "IFSP")
        assert size in (27, 28, 32, 33, 48, 63, 64) and kernel in (3, 5, 7), variant.params
        assert 1 <= stride <= 3 and 0 <= pad <= 3, variant.params
        assert (size - kernel + 2 * pad) % stride == 0, variant.params
        assert pad < kernel, variant.params
        assert variant.reference_text("a") == str((size - kernel + 2 * pad) // stride + 1)
        strides.add(stride)
    # Every stride some admissible (I, F, P) allows must actually be drawn (odd sizes make S = 2 possible).
    feasible = {stride for size in (27, 28, 32, 33, 48, 63, 64) for kernel in (3, 5, 7) for stride in (1, 2, 3)
                for pad in range(4) if (size - kernel + 2 * pad) % stride == 0 and pad < kernel}
    assert strides == feasible


def test_unshared_weights_constraint_holds(bank):
    question = bank.by_id["unshared-weights"]
    for index in range(300):
        params = make_variant(bank, question, "constraint sweep", f"student-{index}").params
        assert params["k"] < params["n"], params


# --------------------------------------------------------------------------- (e) golden variants

GOLDEN_DATA = json.loads(GOLDEN.read_text(encoding="utf-8"))
REQUIRED_QUESTIONS = {"conv-as-matrix", "conv1d-toeplitz", "stacked-3x3", "cnn-advantages"}


def test_golden_file_covers_enough():
    variants = GOLDEN_DATA["variants"]
    assert len(variants) >= 20
    assert REQUIRED_QUESTIONS <= {v["question"] for v in variants}
    assert len({v["student"] for v in variants}) >= 3
    assert any(v["options"] for v in variants if v["question"] == "cnn-advantages")


def _diff(field: str, expected, got) -> str:
    if isinstance(expected, str) and isinstance(got, str):
        lines = difflib.unified_diff(expected.splitlines(), got.splitlines(), "golden", "now", lineterm="")
        return f"{field}:\n" + "\n".join(lines)
    return f"{field}:\n  golden: {json.dumps(expected, ensure_ascii=False)}\n  now:    {json.dumps(got, ensure_ascii=False)}"


@pytest.mark.parametrize("pinned", GOLDEN_DATA["variants"], ids=lambda v: f"{v['student']}-{v['question']}")
def test_golden_variant(bank, secret, pinned):
    now = make_golden.entry(bank, secret, pinned["student"], pinned["question"])
    problems = []
    for field in ("seed", "params", "references", "options", "text"):
        if field in ("references", "options"):
            for part_id in sorted(set(pinned[field]) | set(now[field])):
                if pinned[field].get(part_id) != now[field].get(part_id):
                    problems.append(_diff(f"{field}[{part_id}]", pinned[field].get(part_id), now[field].get(part_id)))
        elif pinned[field] != now[field]:
            problems.append(_diff(field, pinned[field], now[field]))
    assert not problems, (f"{pinned['student']} / {pinned['question']} differs from tests/golden/variants.json "
                          "(regenerate with `python tests/make_golden.py` only if the change is intended):\n"
                          + "\n".join(problems))
