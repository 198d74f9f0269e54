"""Printing our HTML pages to PDF with headless Chromium, and one class PDF for the printer.

The pages already hold their math as MathML, which Chromium typesets
natively (fractions, matrices, sub- and superscripts), so printing the same
HTML a student opens gives a PDF that matches it, with nothing else to install
and no network. One browser session (selenium driving Debian's chromedriver)
prints a whole class; Chrome's DevTools ``Page.printToPDF`` adds a footer on
every page (the exam's short code, so a scanned page finds its student).
"""

from __future__ import annotations

import base64
import html
import io
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from grader.core.errors import GraderError
from grader.core.files import write_atomic

A4_INCHES = (8.27, 11.69)
MARGIN_INCHES = {"marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6}
CHROMEDRIVER = "/usr/bin/chromedriver"
PAGE_LOAD_TIMEOUT = 60
NO_BROWSER = ("--pdf needs Chromium and its driver: on Debian or Ubuntu, apt-get install chromium "
              "chromium-driver (the project's .ci/run installs them)")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _footer(text: str) -> str:
    return ('<div style="font-size:8pt;width:100%;padding:0 0.6in;font-family:sans-serif;display:flex;'
            f'justify-content:space-between"><span>{html.escape(text)}</span><span>page '
            '<span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')


class PdfPrinter:
    """One headless Chromium for many pages: ``with PdfPrinter() as printer: printer.print(page, pdf, footer)``."""

    def __init__(self) -> None:
        self._driver = None
        self._profile: tempfile.TemporaryDirectory | None = None

    def __enter__(self) -> PdfPrinter:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service

        browser = _chromium()
        driver_path = shutil.which("chromedriver") or (CHROMEDRIVER if Path(CHROMEDRIVER).exists() else None)
        if browser is None or driver_path is None:
            raise GraderError(NO_BROWSER)
        self._profile = tempfile.TemporaryDirectory(prefix="grader-pdf-")
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", f"--user-data-dir={self._profile.name}"):
            options.add_argument(argument)
        try:
            self._driver = webdriver.Chrome(service=Service(driver_path), options=options)
        except WebDriverException as error:
            self._profile.cleanup()
            raise GraderError(f"{NO_BROWSER}; starting it failed: {error.msg}") from error
        self._driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._driver is not None:
            self._driver.quit()
        if self._profile is not None:
            self._profile.cleanup()

    def pdf_bytes(self, page: Path, footer: str = "") -> bytes:
        assert self._driver is not None, "use PdfPrinter as a context manager"
        self._driver.get(page.resolve().as_uri())
        result = self._driver.execute_cdp_cmd("Page.printToPDF", {
            "paperWidth": A4_INCHES[0], "paperHeight": A4_INCHES[1], **MARGIN_INCHES,
            "printBackground": True, "displayHeaderFooter": True,
            "headerTemplate": "<div></div>", "footerTemplate": _footer(footer),
        })
        return base64.b64decode(result["data"])

    def print(self, page: Path, out: Path | None = None, footer: str = "") -> Path:
        """Print an HTML file to a PDF beside it (same name, .pdf) or to ``out``."""
        return write_atomic(out or page.with_suffix(".pdf"), self.pdf_bytes(page, footer))


def combine(pdfs: Iterable[Path], out: Path, *, new_sheet: bool = True) -> Path:
    """One PDF of many, in the given order. With ``new_sheet`` each document is padded to an even number of
    pages, so on a duplex printer every student's pages start on a fresh sheet."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for path in pdfs:
        reader = PdfReader(str(path))
        for page in reader.pages:
            writer.add_page(page)
        if new_sheet and len(reader.pages) % 2:
            last = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(last.width), height=float(last.height))
    buffer = io.BytesIO()
    writer.write(buffer)
    return write_atomic(out, buffer.getvalue())
