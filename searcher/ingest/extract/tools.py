"""External programs some formats need (antiword, pdftoppm, tesseract), found on PATH at run time.

Kept in one place so tests can pretend a program is absent; a caller that cannot do without one
raises an ExtractError that names the Debian package to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from .base import ExtractError

# Told each program's time-out before it starts: an extraction worker (searcher.ingest.isolation) lets the
# indexer wait that much longer, a program's time being bounded by its own time-out, not the file's limit.
on_program: Callable[[float], None] | None = None


def find_tool(name: str) -> str | None:
    """Absolute path of ``name`` on PATH, or None."""
    return shutil.which(name)


def run(args: list[str], timeout: float, what: str, env: dict[str, str] | None = None) -> bytes:
    """Run a program and return its stdout; failures and time-outs become ExtractError."""
    full_env = {**os.environ, **env} if env else None
    if on_program is not None:
        on_program(timeout)
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
