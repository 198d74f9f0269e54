"""Writing into a staging folder (grader.core.files.write_staged): the previous output is never touched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.core.files import write_staged


def test_a_hard_linked_file_of_the_previous_output_keeps_its_bytes(tmp_path: Path) -> None:
    old = tmp_path / "graded" / "feedback" / "s1.md"
    old.parent.mkdir(parents=True)
    old.write_text("old feedback\n", encoding="utf-8")
    staged = tmp_path / ".graded.staging-1" / "feedback" / "s1.md"
    staged.parent.mkdir(parents=True)
    os.link(old, staged)  # as staging.begin seeds the folder

    write_staged(staged, "new feedback ✔\n")

    assert old.read_text(encoding="utf-8") == "old feedback\n"
    assert staged.read_bytes() == "new feedback ✔\n".encode()
    assert os.stat(old).st_ino != os.stat(staged).st_ino


def test_missing_folders_are_made_and_files_are_readable_by_all_whatever_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o077)
    try:
        path = write_staged(tmp_path / "results" / "s1.json", b"{}\n")
    finally:
        os.umask(before)
    assert path.read_bytes() == b"{}\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_text_is_written_as_utf8_without_newline_translation(tmp_path: Path) -> None:
    path = write_staged(tmp_path / "a.md", "line\r\nnext\n")
    assert path.read_bytes() == b"line\r\nnext\n"
