"""Reach's processes do not ask Linux for transparent huge pages for numpy's arrays (see
`data/__init__.py`), unless NUMPY_MADVISE_HUGEPAGE=1 asks for them."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
ASKED = ("import data; from numpy._core import multiarray; "
         "print(multiarray._set_madvise_hugepage(True))")   # returns the setting it replaces


def _setting_after_importing_data(**environment) -> str:
    env = {key: value for key, value in os.environ.items() if key != "NUMPY_MADVISE_HUGEPAGE"}
    env.update(environment)
    run = subprocess.run([sys.executable, "-c", ASKED], cwd=PROJECT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_importing_reachs_data_turns_huge_pages_off():
    assert _setting_after_importing_data() == "False"


def test_numpy_madvise_hugepage_1_keeps_them_on():
    assert _setting_after_importing_data(NUMPY_MADVISE_HUGEPAGE="1") == "True"
