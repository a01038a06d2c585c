"""How big a file Reach will open, checked before the expensive work begins.

A file can be small on disk and enormous once opened: a zip that expands a thousandfold, a
workbook whose strings fill gigabytes of memory, a map with millions of shapes. Each limit below
is far above any real file from ONS, MHCLG, DfE or a health partner, and each is checked before
the part of the work it protects, so a hostile file is refused in seconds with a message, never
after minutes of work or with the memory exhausted.

Every limit can be changed with an environment variable of the same name in capitals, prefixed
`REACH_LIMIT_` (for example `REACH_LIMIT_MAX_FILE_BYTES=10000000000`), for a council with a
genuinely larger file, and for the tests, which lower them to keep hostile cases small and fast.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from geo.limits import GIB, BoundaryLimits, readable_bytes

__all__ = ["ENV_PREFIX", "GIB", "Limits", "readable_bytes"]

ENV_PREFIX = "REACH_LIMIT_"
_BOUNDARIES = BoundaryLimits()    # the boundary limits' defaults, kept in geo where they apply


@dataclass(frozen=True)
class Limits:
    """The limits in force; `Limits.current()` reads any overrides from the environment."""

    # The file as it lies on disk (a 3-million-row births extract with names and addresses is
    # about 1 GB). Checked first, before the file is even hashed.
    max_file_bytes: int = _BOUNDARIES.max_file_bytes
    # What a zip container (a workbook, a zipped Shapefile) may expand to, all members together.
    max_uncompressed_bytes: int = _BOUNDARIES.max_uncompressed_bytes
    # A zip member may be at most this many times larger than it is compressed. Real workbooks
    # and Shapefiles compress 3 to 30 times; bombs compress thousands of times.
    max_compression_ratio: int = _BOUNDARIES.max_compression_ratio
    # Columns in a table's header (the widest official files have a few hundred).
    max_columns: int = 5_000
    # Rows on one worksheet: Excel itself stops at 1,048,576.
    max_workbook_rows: int = 1_048_576
    # Distinct strings in a workbook's shared-strings part, which is held in memory whole.
    max_workbook_strings: int = 5_000_000
    # Shapes in a boundary file (England and Wales have 35,672 LSOAs).
    max_features: int = _BOUNDARIES.max_features
    # Corner points of all the shapes together (the full-resolution LSOA boundaries of England
    # and Wales have about 30 million).
    max_vertices: int = _BOUNDARIES.max_vertices
    # Corner points of one shape (the most detailed LSOA has a few tens of thousands); checking
    # a single ten-million-point shape for self-crossings alone takes over a minute.
    max_vertices_per_shape: int = _BOUNDARIES.max_vertices_per_shape

    @classmethod
    def current(cls) -> Limits:
        """The defaults, with any `REACH_LIMIT_*` environment variable applied."""
        overrides = {}
        for field in dataclasses.fields(cls):
            text = os.environ.get(ENV_PREFIX + field.name.upper())
            if text is None or not text.strip():
                continue
            try:
                value = int(text.strip().replace("_", ""))
            except ValueError:
                raise ValueError(f"{ENV_PREFIX}{field.name.upper()} must be a whole number, "
                                 f"got {text.strip()[:40]!r}") from None
            if value <= 0:
                raise ValueError(f"{ENV_PREFIX}{field.name.upper()} must be above zero")
            overrides[field.name] = value
        return cls(**overrides)
