"""The built wheel, installed in a fresh virtual environment and used outside the repository.

An editable install finds every module in the checkout, so it cannot show what a normal install
leaves out (a subpackage or a data file missing from the wheel). The venv sees the machine's
installed dependencies (``--system-site-packages``) but imports this project from the wheel only.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import venv

import pytest
from conftest import REPO, SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(root),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = root.glob("*.whl")
    env_dir = root / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    return env_dir


def run(env_dir, cwd, *args, timeout=300):
    return subprocess.run(
        [str(env_dir / "bin" / "search"), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_the_wheel_holds_every_package_and_its_data(wheel_venv, tmp_path):
    probe = subprocess.run(
        [
            str(wheel_venv / "bin" / "python"),
            "-c",
            "import searcher, searcher.ingest.extract.html, searcher.lexicon.abbreviations as a, web;"
            "print(searcher.__file__); print(a.BUILT_IN.is_file()); print(searcher.__version__)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stderr
    location, data_found, version = probe.stdout.split()
    assert location.startswith(str(wheel_venv)), location  # from the wheel, not the checkout
    assert data_found == "True"
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)


def test_the_main_job_runs_from_the_wheel_outside_the_repository(wheel_venv, tmp_path):
    index_dir = tmp_path / "ix"
    indexed = run(wheel_venv, tmp_path, "index", str(SEEDS), "--index-dir", str(index_dir), "--json")
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["added"] == 5
    answered = run(wheel_venv, tmp_path, "query", "quoc phong", "--index-dir", str(index_dir), "--json")
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout)["hits"]

    server = subprocess.Popen(
        [str(wheel_venv / "bin" / "search"), "serve", "--index-dir", str(index_dir), "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            found = re.search(r"http://\S+", line)
            url = found.group(0).rstrip("/") if found else None
        assert url, "the server never said where it listens"
        with urllib.request.urlopen(f"{url}/?q=quoc+phong", timeout=30) as response:
            page = response.read().decode("utf-8")
        assert response.status == 200 and "<mark>" in page
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
