"""The bot starts without the heavy libraries only some screens need (see bot RSS at rest)."""

from __future__ import annotations

import subprocess
import sys

LATER = ("matplotlib", "numpy", "openpyxl", "docx", "docxtpl", "jinja2")


def test_the_bot_starts_without_the_libraries_of_pictures_reports_and_templates() -> None:
    check = f"import sys, bot.app; print(','.join(m for m in {LATER!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
