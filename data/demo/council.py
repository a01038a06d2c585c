"""The whole demo council, drawn from one seed: the map, then the children, then their files.

Pure and deterministic: the same seed gives the same council on every machine, byte for byte,
and nothing touches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from data.demo import geography
from data.demo.files import DemoFile, council_files, estimate_quirks
from data.demo.simulation import Simulator

DEFAULT_SEED = 20261125


@dataclass(frozen=True)
class DemoCouncil:
    """The generated council: its files in import order, and the truth they were drawn from."""

    files: tuple[DemoFile, ...]
    lsoas: gpd.GeoDataFrame      # lsoa_code, lsoa_name, msoa, deprivation, idaci_decile, under_fives,
                                 # centre_id, estimate ("published", "missing", "too low"), geometry (BNG)
    centres: pd.DataFrame        # centre_id, name, group_id, the quality that drives its reach
    children: pd.DataFrame       # one row per simulated child: the truth behind the files
    seed: int


class _Streams:
    """Independent random streams, one per part of the demo, so changing how one part is drawn
    leaves the others as they were."""

    # The position of a name is part of its stream's seed: add new names at the end.
    _NAMES = ("geometry", "deprivation", "people", "centres", "postcodes", "simulation",
              "population", "files", "faults", "estimates", "extracts", "eyfsp")

    def __init__(self, seed: int):
        self._seed = seed

    def get(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self._seed, self._NAMES.index(name)])


def generate_demo(*, seed: int = DEFAULT_SEED) -> DemoCouncil:
    """Draw and simulate the demo council: pure, deterministic for a given seed, touches no disk."""
    streams = _Streams(seed)
    lsoas = geography.draw_lsoas(streams.get("geometry"))
    # The LSOAs are renumbered once named, so their neighbours are found again.
    adjacency = geography.adjacency_of(lsoas.geometry.to_numpy())
    lsoas = geography.name_lsoas(lsoas, adjacency)
    adjacency = geography.adjacency_of(lsoas.geometry.to_numpy())
    lsoas["deprivation"] = geography.deprivation_surface(lsoas, streams.get("deprivation"))
    lsoas["idaci_decile"] = geography.national_deciles(lsoas["deprivation"].to_numpy())
    rng = streams.get("people")
    lsoas["under_fives"] = np.round(60 + 55 * lsoas["deprivation"] + rng.normal(0, 6, len(lsoas))).clip(55, 125)

    centres, area_of = geography.draw_centres(lsoas, adjacency, streams.get("centres"))
    lsoas["centre_id"] = area_of
    lsoas["estimate"] = estimate_quirks(lsoas["lsoa_code"].to_numpy(), streams.get("estimates"))
    postcodes = geography.draw_postcodes(lsoas, centres, streams.get("postcodes"))

    simulation = Simulator(lsoas, adjacency, centres, rng=streams.get("simulation"),
                           extracts_rng=streams.get("extracts")).run()
    files = council_files(lsoas=lsoas, centres=centres, postcodes=postcodes, simulation=simulation,
                          rng=streams.get("files"), population_rng=streams.get("population"),
                          faults_rng=streams.get("faults"), eyfsp_rng=streams.get("eyfsp"))
    return DemoCouncil(files=tuple(files), lsoas=lsoas, centres=centres,
                       children=simulation.children, seed=seed)
