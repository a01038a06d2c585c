"""The columns a boundary file may name its areas by: a module of its own, with nothing heavy
imported, so the command line can list them in its help without loading the mapping libraries."""

# Accepted spellings, in order of preference; matched ignoring case.
LSOA_CODE_COLUMNS = ("lsoa_code", "LSOA21CD", "LSOA11CD", "area_code")
LSOA_NAME_COLUMNS = ("lsoa_name", "area_name", "LSOA21NM", "LSOA11NM")
# The population-weighted centroid, in longitude and latitude (WGS84 degrees). Only columns named
# for the centroid are read: ONS boundary files also carry LONG and LAT, which are the middle of
# the shape, not where people live, and ONS's centroid files give x and y in grid metres.
PWC_LON_COLUMNS = ("pwc_lon", "pwc_long", "pwc_longitude")
PWC_LAT_COLUMNS = ("pwc_lat", "pwc_latitude")
