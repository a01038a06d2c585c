"""The linter and the type checker pass, so they run wherever the tests run (CI included).

Their settings are in pyproject.toml (`[tool.ruff]`, `[tool.mypy]`). To see the findings
yourself, from the project's folder: `.venv/bin/ruff check .` and `.venv/bin/mypy`.
"""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
# The executables installed beside this Python (the project's virtual environment).
BIN = Path(sys.executable).parent


def _run(tool: str, *arguments: str) -> None:
    executable = BIN / tool
    assert executable.exists(), f"{executable} is missing: pip install -r requirements.txt"
    run = subprocess.run([str(executable), *arguments], cwd=PROJECT, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        pytest.fail(f"{tool} found problems:\n{run.stdout}\n{run.stderr}", pytrace=False)


def test_ruff_finds_nothing():
    _run("ruff", "check", ".")


def test_mypy_finds_nothing():
    # Its cache (.mypy_cache, not committed) makes a second run take seconds.
    _run("mypy")
