"""Which kinds of data are loaded for a reach area as at a date.

A figure of nought and a figure that cannot be worked out read the same in a table, but not in a
sentence: "no unmatched births" is true only when birth data has been loaded, and "none of this
area is in the most deprived areas" only when the deprivation deciles have. The pages ask here
before they say that something is none.
"""

from __future__ import annotations

from dataclasses import dataclass

from data.dates import as_date


@dataclass(frozen=True)
class LoadedData:
    """For one reach area (or every reach area): whether each kind of data is there."""

    lsoas: bool             # the area has at least one LSOA
    population: bool        # a population estimate for at least one of its LSOAs
    deprivation: bool       # a deprivation decile for at least one of its LSOAs
    births: bool            # birth or arrivals data received by the date, for its LSOAs
    registrations: bool     # registrations dated on or before the date, anywhere
    contacts: bool          # contacts dated on or before the date, anywhere

    @property
    def missing(self) -> tuple[str, ...]:
        """The kinds not loaded, in the order they are best loaded."""
        kinds = (("population", self.population), ("deprivation", self.deprivation),
                 ("births", self.births), ("registrations", self.registrations), ("contacts", self.contacts))
        return tuple(kind for kind, present in kinds if not present)


# Parameters, in order: the centre (NULL for every reach area) twice, then the date three times.
_LOADED_SQL = """
WITH area AS (
    SELECT lsoa_code FROM reach_areas WHERE CAST(? AS VARCHAR) IS NULL OR centre_id = ?
)
SELECT
    EXISTS (SELECT 1 FROM area) AS lsoas,
    EXISTS (SELECT 1 FROM population p JOIN area USING (lsoa_code)) AS population,
    EXISTS (SELECT 1 FROM deprivation d JOIN area USING (lsoa_code)) AS deprivation,
    EXISTS (SELECT 1 FROM births b JOIN area USING (lsoa_code) WHERE b.received_on <= CAST(? AS DATE))
        OR EXISTS (SELECT 1 FROM birth_counts c WHERE c.received_on IS NULL OR c.received_on <= CAST(? AS DATE))
        AS births,
    EXISTS (SELECT 1 FROM registrations r WHERE r.registered_on <= CAST(? AS DATE)) AS registrations,
    EXISTS (SELECT 1 FROM contacts c WHERE c.contact_on <= CAST(? AS DATE)) AS contacts
"""


def loaded_data(con, *, as_at, centre_id: str | None = None) -> LoadedData:
    """What is loaded for `centre_id`'s reach area (every reach area when None) as at `as_at`."""
    day = as_date(as_at)
    row = con.execute(_LOADED_SQL, [centre_id, centre_id, day, day, day, day]).fetchone()
    return LoadedData(*(bool(value) for value in row))
