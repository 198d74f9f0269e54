"""PDF benchmark: printing a class's problem sets, keys and exams with headless Chromium.

    python benchmarks/bench_pdf.py                  # a class of 100 (the target size)
    python benchmarks/bench_pdf.py --students 20    # quicker

Each row runs the real `grader generate` command on questions/cnn.yaml in a fresh folder and reports the
wall time. The baseline, measured in the same run, is the same command without --pdf (Markdown and HTML
only), so the table shows what printing adds. Also reported: pages printed and the class PDF's size.
Target: a class of 100, problem sets and keys, in under 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "questions" / "cnn.yaml"
SECRET = "bench-secret-not-for-a-real-course"
TARGET_SECONDS_100 = 180.0


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def run(roster: Path, out: Path, *flags: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.cli", "generate", str(BANK), "--roster", str(roster), "--out",
                    str(out), "--secret", SECRET, *flags], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        roster = folder / "roster.csv"
        roster.write_text("Name,SID\n" + "".join(f"Student {n},b{n:04d}\n" for n in range(args.students)))
        rows = []
        for label, flags in (("baseline: Markdown + HTML, with keys", ("--key",)),
                             ("--pdf, problem sets + keys", ("--key", "--pdf")),
                             ("--exam --pdf", ("--exam", "--pdf"))):
            out = folder / label.split()[0].strip(":-")
            seconds = run(roster, out, *flags)
            printed = sorted(p for p in out.rglob("*.pdf") if not p.name.startswith("class-"))
            combined = sorted(out.glob("class-*.pdf"))
            rows.append((label, seconds, sum(pages(p) for p in printed), len(printed),
                         sum(p.stat().st_size for p in combined)))
    width = max(len(r[0]) for r in rows)
    print(f"\nclass of {args.students} students, bank {BANK.name}, one Chromium session per run\n")
    print(f"{'run':<{width}}  {'seconds':>8}  {'PDFs':>5}  {'pages':>6}  {'s/PDF':>6}  {'class PDFs':>10}")
    for label, seconds, page_count, count, size in rows:
        per = f"{(seconds - rows[0][1]) / count:.2f}" if count else "-"
        print(f"{label:<{width}}  {seconds:8.1f}  {count:5d}  {page_count:6d}  {per:>6}  {size / 1e6:8.1f} MB")
    pdf_seconds = rows[1][1]
    scaled = pdf_seconds * 100 / args.students
    verdict = "met" if scaled < TARGET_SECONDS_100 else "NOT met"
    print(f"\ntarget: 100 students with keys under {TARGET_SECONDS_100:.0f} s: {scaled:.0f} s scaled to 100 ({verdict})")


if __name__ == "__main__":
    main()
