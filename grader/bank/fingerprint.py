"""Which bank a document or a grade came from: a hash of the bank file and its solvers, and grader's version.

Every output records both, so a problem set, a key, a results.json or a
gradebook row can always be traced to the exact bank (and solver code) that
made it, and an edited bank is never mistaken for the one a class was graded with.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

FINGERPRINT_LENGTH = 16


def grader_version() -> str:
    """This grader's version (``grader.__version__``, which the package metadata is built from).

    Not read back from the installed metadata: that costs a cold Gradescope submission about 20 ms.
    """
    from grader import __version__

    return __version__


@lru_cache(maxsize=32)
def _hash_files(paths: tuple[str, ...], stamps: tuple[tuple[int, int], ...]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).name.encode() + b"\x00")
        digest.update(Path(path).read_bytes())
        digest.update(b"\x00")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def fingerprint_files(bank_path: str | Path, solver_path: str | Path | None) -> str:
    """sha256 over the bank's bytes and its solver module's bytes (cached while the files are unchanged)."""
    paths = tuple(str(p) for p in (bank_path, solver_path) if p is not None and Path(p).exists())
    stamps = tuple((Path(p).stat().st_mtime_ns, Path(p).stat().st_size) for p in paths)
    return _hash_files(paths, stamps)


def bank_fingerprint(bank) -> str:
    """The fingerprint of a loaded ``Bank``: of its YAML file and its solvers as ``load_bank`` read them
    (a bank built in code is hashed from its files now)."""
    return getattr(bank, "fingerprint", "") or fingerprint_files(bank.path, bank.solver_path)


def provenance_line(bank) -> str:
    return f"bank {bank.id} fingerprint {bank_fingerprint(bank)}, grader {grader_version()}"
