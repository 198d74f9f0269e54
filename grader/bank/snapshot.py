"""A loaded bank kept on disk for one environment, so a cold process need not read and check it again.

Reading and checking the CNN bank costs a cold Gradescope submission about 40 ms of its 0.4 s; the
loaded ``Bank`` unpickles in under 2 ms. The Gradescope image makes the snapshot once (``setup.sh``
runs ``python -m grader.integrations.autograder --prepare``), with the very interpreter and libraries
that every submission then runs with. A snapshot is used only if all of these are what it was made
from:

- the bytes of the bank file and of its solver module (their fingerprint), so an edited bank or
  solver, or a solver module that appeared since, is never served from it;
- grader's version, Python's version and implementation, sympy's and numpy's versions;
- the snapshot format.

Anything else, or any error reading it, and the caller loads the bank from its file as usual, so a
snapshot can make a submission faster, never different. The solver module is not pickled: it is
imported again from beside the bank, under the same time limit as ``load_bank``.

A snapshot is a pickle: trusted like the solver module, because it is made and read inside the
instructor's image, never from a student's upload.
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
from pathlib import Path
from typing import Any

from grader.bank.fingerprint import fingerprint_files, grader_version
from grader.bank.model import Bank
from grader.bank.solve import load_solver_module
from grader.core.deadline import SOLVER_TIME_LIMIT, CallTimeout, time_limit
from grader.core.files import write_atomic

FORMAT = 1


def _environment() -> dict[str, Any]:
    import numpy
    import sympy

    return {"format": FORMAT, "grader": grader_version(), "python": sys.version,
            "implementation": sys.implementation.cache_tag, "sympy": sympy.__version__, "numpy": numpy.__version__}


def _solver_name(bank: Bank) -> str:
    """The solver file ``load_bank`` looked for (it exists exactly when the bank has solvers)."""
    return bank.solver_path.name if bank.solver_path else f"{Path(bank.path).stem}_solvers.py"


def save_snapshot(bank: Bank, path: str | Path) -> Path:
    """Write ``bank`` (as ``load_bank`` just returned it) to ``path``, with what it depends on."""
    bank_path = Path(bank.path)
    header = {**_environment(), "solver_name": _solver_name(bank),
              "fingerprint": fingerprint_files(bank_path, bank_path.with_name(_solver_name(bank)))}
    return write_atomic(path, pickle.dumps((header, dataclasses.replace(bank, solvers=None)),
                                           protocol=pickle.HIGHEST_PROTOCOL))


def load_snapshot(path: str | Path, bank_path: str | Path) -> Bank | None:
    """The bank at ``bank_path`` from its snapshot, or None when the snapshot does not fit (see above)."""
    bank_path = Path(bank_path)
    try:
        header, bank = pickle.loads(Path(path).read_bytes())  # noqa: S301 - made in this image, see above
        if not isinstance(header, dict) or not isinstance(bank, Bank):
            return None
        if {key: header.get(key) for key in _environment()} != _environment():
            return None
        solver_path = bank_path.with_name(str(header["solver_name"]))
        if header["fingerprint"] != fingerprint_files(bank_path, solver_path):
            return None
        solvers = None
        if bank.solver_path is not None:
            with time_limit(SOLVER_TIME_LIMIT):
                solvers = load_solver_module(solver_path)
        return dataclasses.replace(bank, path=bank_path, solvers=solvers,
                                   solver_path=solver_path if solvers else None)
    except (Exception, CallTimeout):  # noqa: BLE001 - unreadable, foreign or failing: the bank is read from its file
        return None
