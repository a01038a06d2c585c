"""How big a boundary file may be, and a size in words for the messages that say so.

The one home of these defaults: `data/importers/limits.py` takes them from here (the data layer
may use geo, not the other way round) and lets environment variables change them.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1 << 30


@dataclass(frozen=True)
class BoundaryLimits:
    """`max_file_bytes`: the file on disk. `max_uncompressed_bytes`: all the members of a zip,
    unpacked. `max_compression_ratio`: how many times larger than it is packed a zip member may
    be (real Shapefiles compress 3 to 30 times; bombs thousands). `max_features`: shapes in the
    file (England and Wales have 35,672 LSOAs). `max_vertices`: corner points of all the shapes
    together (the full-resolution LSOA boundaries of England and Wales have about 30 million).
    `max_vertices_per_shape`: corner points of one shape (the largest real LSOA has a few tens of
    thousands; checking a shape of millions for self-crossings takes minutes).
    """

    max_file_bytes: int = 8 * GIB
    max_uncompressed_bytes: int = 4 * GIB
    max_compression_ratio: int = 200
    max_features: int = 250_000
    max_vertices: int = 60_000_000
    max_vertices_per_shape: int = 1_000_000


def readable_bytes(count: int) -> str:
    """A size for a message: "4.0 GB", "512.0 MB", "900 bytes"."""
    for unit, size in (("GB", GIB), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            return f"{count / size:,.1f} {unit}"
    return f"{count:,} bytes"
