"""Every library the main job loads is one the project declares, directly or through what it declares.

The test environment holds more than a user's: pip's own libraries, the test extras. A module that a
dependency imports without declaring it (gunicorn 27's gevent worker imports ``packaging``, which
only its ``gevent`` extra brings) works here and fails on a fresh machine. So the main job (index
the seeds, answer a query, the page and its JSON twin, the server's worker class) runs in a process
of its own, and each third-party module it loaded must come from a distribution in the closure of
the project's requirements, extras followed.
"""

import importlib.metadata
import json
import subprocess
import sys

from conftest import REPO, SEEDS
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "vn-report-search"

_MAIN_JOB = """
import json, sys
from click.testing import CliRunner
from searcher.cli import cli
index_dir, seeds = sys.argv[1], sys.argv[2]
runner = CliRunner()
assert runner.invoke(cli, ["index", seeds, "--index-dir", index_dir]).exit_code == 0
assert runner.invoke(cli, ["query", "huyen Cu Chi quoc phong", "--index-dir", index_dir]).exit_code == 0
from web import create_app
client = create_app({"INDEX_DIR": index_dir}).test_client()
assert client.get("/?q=quoc+phong").status_code == 200
assert client.get("/search.json?q=quoc+phong").status_code == 200
import gunicorn.app.base
from web import serving
serving.SearchWorker
print(json.dumps(sorted(sys.modules)))
"""


def _declared() -> set[str]:
    """The distributions the project's requirements bring, each requirement's extras followed."""
    found: set[tuple[str, frozenset]] = set()
    todo = [(PROJECT, frozenset())]
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in found:
            continue
        found.add((canonicalize_name(name), extras))
        for line in importlib.metadata.requires(name) or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras or {""}):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return {name for name, _ in found}


def _loaded(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_every_library_the_main_job_loads_is_declared(tmp_path):
    # (what the interpreter loads before any code of ours, such as setuptools' start-up hook, is not ours)
    at_start = _loaded("import json, sys; print(json.dumps(sorted(sys.modules)))")
    modules = _loaded(_MAIN_JOB, str(tmp_path / "ix"), str(SEEDS)) - at_start
    owners = importlib.metadata.packages_distributions()
    declared = _declared()
    undeclared = {}
    for module in modules:
        if module in sys.stdlib_module_names or module in ("searcher", "web") or module not in owners:
            continue  # (the standard library, this project, or a module of no distribution: built in)
        distributions = {canonicalize_name(d) for d in owners[module]}
        if not distributions & declared:
            undeclared[module] = sorted(distributions)
    assert undeclared == {}
