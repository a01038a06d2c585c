"""Fixtures for the reach tests."""

import sys
from pathlib import Path

# The reach tests share rows.py beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
