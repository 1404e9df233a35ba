"""The documentation stays in step with the code: the README's command table lists exactly the CLI's
commands, the README stays a user's guide (short, linking to docs/), and the architecture map names
every module, so a new module cannot go unmentioned."""

from __future__ import annotations

import re
from pathlib import Path

from searcher.cli import cli

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
ARCHITECTURE = REPO / "docs" / "architecture.md"
PACKAGE = REPO / "searcher"

README_MAX_BYTES = 16_000  # the benchmark logs and design notes live in docs/


def _command_table_rows() -> list[str]:
    """The rows of the table in the README's "Command line" section."""
    text = README.read_text(encoding="utf-8")
    section = re.split(r"\n#{1,6} ", text.split("\n## Command line", 1)[1], maxsplit=1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


def _listed_commands() -> list[str]:
    """The command each row is about: `search NAME` in its first cell."""
    names = []
    for row in _command_table_rows():
        first_cell = row.strip("|").split("|", 1)[0]
        names += re.findall(r"`search ([\w-]+)", first_cell)
    return names


def test_command_table_lists_every_cli_command_once():
    listed = _listed_commands()
    assert listed, "no `search NAME` rows found in the README's command table"
    missing = set(cli.commands) - set(listed)
    assert not missing, f"commands missing from the README's command table: {sorted(missing)}"
    repeated = sorted({name for name in listed if listed.count(name) > 1})
    assert not repeated, f"commands with more than one row in the README's command table: {repeated}"


def test_command_table_names_only_real_commands():
    named = {name for row in _command_table_rows() for name in re.findall(r"`search ([\w-]+)", row)}
    unknown = named - set(cli.commands)
    assert not unknown, f"the README's command table names commands the CLI lacks: {sorted(unknown)}"


def test_readme_is_short():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move details to docs/"


def test_docs_linked_from_readme_exist():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?:\./)?docs/[^)#\s]+)(?:#[^)]*)?\)", text)
    assert links, "README.md links to no file under docs/"
    missing = [link for link in links if not (REPO / link).is_file()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_architecture_mentions_every_module():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    modules = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name not in ("__init__.py", "__main__.py")
    ]
    assert modules
    missing = [module for module in modules if module not in text]
    assert not missing, f"docs/architecture.md does not mention: {missing}"
