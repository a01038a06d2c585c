"""Fixtures for the reach tests."""

import sys
from pathlib import Path

# The reach tests, in domain/, queries/ and presentation/, share the helpers beside this file:
# rows.py (rows into a store) and authorities.py (random authorities for publication).
sys.path.insert(0, str(Path(__file__).resolve().parent))
