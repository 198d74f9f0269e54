"""Writing output files: atomically (a temporary file in the same folder, then rename), or into a staging folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""})) as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_staged(path: str | Path, data: str | bytes) -> Path:
    """Write a file of a staging folder (grader.jobs.staging), which nobody reads before it is swapped in
    whole: a run killed mid-write leaves a folder that is thrown away, so the file needs no temporary name
    and rename. The folder starts as hard links to the previous output, so a name that is there already is
    unlinked first: the previous output's file is never written through its link."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        handle = os.open(path, flags, 0o644)
    except FileExistsError:
        os.unlink(path)
        handle = os.open(path, flags, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, flags, 0o644)
    with open(handle, "wb") as stream:
        os.fchmod(handle, 0o644)  # as write_atomic: outputs are meant to be shared, whatever the umask
        stream.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def safe_name(student_id: str) -> str:
    """A student id as a file name that cannot escape the output folder."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in student_id).strip(".")
    return cleaned or "student"
