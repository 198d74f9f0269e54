"""The package layout follows the data flow: lower stages never import higher ones."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "grader"
# bank to documents, and a submission to reports; jobs compose them; adapters and front ends at the edge
STAGES = ["core", "course", "check", "bank", "documents", "export", "grading", "report", "jobs", "integrations",
          "web", "cli"]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "grader" else None


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_stage(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0]
    assert own in STAGES, f"{own} is not a known stage; add it to STAGES in its place in the data flow"
    for module in _imports(path):
        target = _stage(module)
        if target in STAGES:
            assert STAGES.index(target) <= STAGES.index(own), f"{path.name} ({own}) imports {module} ({target})"


def test_no_relative_imports_cross_subpackages() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 1], path


@pytest.mark.parametrize("package", sorted(p.parent for p in PACKAGE.rglob("__init__.py")),
                         ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_every_subpackage_says_what_it_holds(package: Path) -> None:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 8, f"{package} needs a docstring: what it holds and what it may import"


def test_modules_stay_small() -> None:
    large = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
             if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert not large, f"split these modules (about 400 lines at most): {large}"


def test_checkers_are_registered_in_one_place_without_a_cycle() -> None:
    for path in (PACKAGE / "check" / "types").glob("*.py"):
        for module in _imports(path):
            assert module not in ("grader.check.registry", "grader.check.answer"), f"{path.name} imports {module}"


def test_the_cli_loads_neither_sympy_nor_numpy() -> None:
    probe = "import sys, grader.cli; print(sorted(m for m in ('sympy', 'numpy') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_the_public_api_is_importable_from_the_top() -> None:
    import grader

    assert {"load_bank", "make_variant", "check_answer", "grade_submission"} <= set(grader.__all__)
    assert grader.load_bank.__module__ == "grader.bank.model"
    assert callable(grader.check_answer) and callable(grader.grade_submission)
    with pytest.raises(AttributeError):
        grader.no_such_name  # noqa: B018


def test_the_version_is_written_once_and_the_installed_metadata_agrees() -> None:
    import tomllib
    from importlib import metadata

    import grader
    from grader.bank.fingerprint import grader_version

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]  # pyproject reads grader.__version__
    assert grader_version() == grader.__version__ == metadata.version("grader")
