"""External programs some formats need (antiword, pdftoppm, tesseract), found on PATH at run time.

Kept in one place so a missing program turns into an ExtractError that names the Debian package to
install, and so tests can pretend a program is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from .base import ExtractError

# program -> Debian package that provides it
PACKAGES = {
    "antiword": "antiword",
    "catdoc": "catdoc",
    "pdftoppm": "poppler-utils",
    "tesseract": "tesseract-ocr",
}


def find_tool(name: str) -> str | None:
    """Absolute path of ``name`` on PATH, or None."""
    return shutil.which(name)


def require(name: str, purpose: str) -> str:
    path = find_tool(name)
    if path is None:
        raise ExtractError(f"{purpose} needs {name}: install the Debian package {PACKAGES.get(name, name)}")
    return path


def run(args: list[str], timeout: float, what: str, env: dict[str, str] | None = None) -> bytes:
    """Run a program and return its stdout; failures and time-outs become ExtractError."""
    full_env = {**os.environ, **env} if env else None
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, check=False, env=full_env)
    except subprocess.TimeoutExpired:
        raise ExtractError(f"{what} took longer than {timeout:.0f} s") from None
    except OSError as exc:
        raise ExtractError(f"{what} could not run: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
        detail = message[-1] if message else f"exit status {proc.returncode}"
        raise ExtractError(f"{what} failed: {detail}")
    return proc.stdout
