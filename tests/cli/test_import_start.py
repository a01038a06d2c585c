"""`python -m reach import` loads what an import uses and no more: no pandas, no maps, no charts.
Timed through the command line, the start of a new Python is part of the import (it was twice as
long with pandas and the mapping libraries loaded for nothing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_an_import_loads_no_pandas_maps_or_charts(empty_store, tmp_path):
    births = tmp_path / "births.csv"
    births.write_text("nhs_number,dob,lsoa_code,received_on\n"
                      "9434765919,2024-05-01,E01006074,2024-06-30\n"
                      "4010232137,2024-05-02,E01006075,\n"
                      # A repeated child: finding it once handed DuckDB a table, which loaded pandas.
                      "9434765919,2024-05-01,E01006074,2024-06-30\n", encoding="utf-8")
    # A new Python, as the command line runs: this test's own process has loaded everything.
    script = ("import sys\nfrom cli.main import main\n"
              f"status = main(['import', 'births', {str(births)!r}, '--no-figures', '--db', {str(empty_store)!r}])\n"
              "print('loaded:', status, *sorted(sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "REACH_SECRET": "test-secret-not-for-real-data-0123456789"})
    assert done.stdout.startswith("births: births.csv: 2 rows loaded, 1 quarantined"), done.stdout + done.stderr
    status, *modules = done.stderr.rsplit("loaded:", 1)[-1].split()
    assert status == "0", done.stderr
    unused = {"pandas", "geopandas", "shapely", "pyogrio", "pyproj", "plotly", "streamlit", "openpyxl",
              "geo.boundaries", "pyarrow.compute", "reach.domain.whatif", "cli.report"}
    assert not unused & set(modules), sorted(unused & set(modules))
    assert {"cli.imports", "data.importers.importing", "duckdb"} <= set(modules)
