"""The issue-9 kinds and rules in a real bank file, through ``grader validate`` and make_variant."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from grader.bank.model import load_bank
from grader.bank.variant import fixed_variant
from grader.check.answer import check_answer
from grader.cli import main

KINDS = Path(__file__).parent / "fixtures" / "banks" / "kinds.yaml"


def validate(path: Path, seeds: int = 15) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(path), "--seeds", str(seeds)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + (result.stderr or "")


def test_every_new_kind_validates_in_a_bank() -> None:
    code, output = validate(KINDS)
    assert code == 0, output
    for question in ("precision", "line", "region", "point", "rotation", "falling", "integral"):
        assert question in output


def test_sigfigs_and_decimals_parts_pass_their_own_check() -> None:
    """grader validate used to fail on every sigfigs/decimals part (the key had 10 figures)."""
    bank = load_bank(KINDS)
    variant = fixed_variant(bank, bank.by_id["precision"], {"k": Decimal("0.025")})
    assert variant.reference_text("sigfigs") == "27.7"  # ln 2 / 0.025 = 27.7258...
    assert variant.reference_text("places") == "27.73"
    assert check_answer(variant.parts["sigfigs"], "27.8").verdict == "incorrect"
    assert check_answer(variant.parts["places"], "27.726").verdict == "incorrect"  # extra_figures: wrong
    assert check_answer(variant.parts["comma"], "0,025").verdict == "correct"


def test_new_kinds_grade_a_students_answers() -> None:
    bank = load_bank(KINDS)
    line = fixed_variant(bank, bank.by_id["line"], {"m": 3})
    assert check_answer(line.parts["a"], "y - 3x = 1").verdict == "correct"
    assert check_answer(line.parts["a"], "3x + 1").verdict == "invalid"
    region = fixed_variant(bank, bank.by_id["region"], {"r": 3})
    assert check_answer(region.parts["a"], "-3 < x < 3").verdict == "correct"
    assert check_answer(region.parts["a"], "[-3, 3]").note.startswith("interval-left-bracket")
    assert check_answer(region.parts["roots"], "{3}").note == "missing"
    falling = fixed_variant(bank, bank.by_id["falling"], {"g": Decimal("9.81")})
    assert check_answer(falling.parts["a"], "981 cm/s^2").verdict == "correct"
    assert "a speed; an acceleration was asked" in check_answer(falling.parts["a"], "9.81 m/s").feedback


BANK_WITH_ADVICE = """\
id: advice
title: Advice from validate
decimal_comma: true
questions:
  - id: q
    title: Zero and a large atol
    params:
      a: {range: [1, 3]}
    text: Compute {{ a }} - {{ a }} and {{ a }}/1000000.
    parts:
      - id: zero
        type: number
        answer: a - a
      - id: tiny
        type: number
        answer: a/1000000
        atol: 0.01
      - id: comma
        type: number
        answer: a/2
    tests:
      - params: {a: 1}
        answers: {comma: "0,5"}
"""


def test_validate_asks_for_an_atol_and_warns_about_a_large_one(tmp_path: Path) -> None:
    path = tmp_path / "advice.yaml"
    path.write_text(BANK_WITH_ADVICE, encoding="utf-8")
    code, output = validate(path, seeds=5)
    assert code == 0, output  # notes, not errors
    assert "set an atol" in output
    assert "larger than the reference" in output


def test_bank_level_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "advice.yaml"
    path.write_text(BANK_WITH_ADVICE, encoding="utf-8")
    bank = load_bank(path)
    assert bank.decimal_comma
    variant = fixed_variant(bank, bank.by_id["q"], {"a": 3})
    assert check_answer(variant.parts["comma"], "1,5").verdict == "correct"


def test_grade_an_answers_file_with_the_new_kinds(tmp_path: Path) -> None:
    """A student's answers file through ``grader grade``: feedback names each kind's mistake."""
    from grader.bank.variant import make_variant

    bank = load_bank(KINDS)
    secret = "kinds-secret"
    m = make_variant(bank, bank.by_id["line"], secret, "s1").params["m"]
    r = make_variant(bank, bank.by_id["region"], secret, "s1").params["r"]
    g = make_variant(bank, bank.by_id["falling"], secret, "s1").params["g"]
    (tmp_path / "roster.csv").write_text("sid,name,email\ns1,Ann,ann@example.org\n", encoding="utf-8")
    submissions = tmp_path / "subs"
    submissions.mkdir()
    (submissions / "s1.yaml").write_text(
        f"line:\n  a: {2 * m}x - 2y + 2 = 0\n"  # the same line, times 2
        f"region:\n  a: \"[-{r}, {r})\"\n  roots: \"{{{r}}}\"\n"  # a closed end; a root missing
        f"falling:\n  a: {g} m/s\n"  # a speed
        "integral:\n  a: x^5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["grade", str(KINDS), str(submissions / "s1.yaml"), "--roster",
                                       str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out"),
                                       "--secret", secret])
    assert result.exit_code == 0, result.output
    feedback = (tmp_path / "out" / "feedback" / "s1.md").read_text(encoding="utf-8")
    assert "The left end at -" in feedback and "should be open" in feedback
    assert "1 expected element(s) are missing" in feedback
    assert "Your answer is a speed; an acceleration was asked." in feedback
    assert "Differentiating your answer does not give the integrand" in feedback
    line_section = feedback.split("A line through two points")[1].split("##")[0]
    assert "1 / 1" in line_section
