"""Writing output files atomically: a temporary file in the same folder, then rename."""

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


def safe_name(student_id: str) -> str:
    """A student id as a file name that cannot escape the output folder."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_.@" else "_" for ch in student_id).strip(".")
    return cleaned or "student"
