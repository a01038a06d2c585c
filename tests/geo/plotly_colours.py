"""The colour the browser's plotly gives a value on a continuous colour scale, worked out here
from a figure's own scale and range, one value at a time, apart from the code under test.

plotly.js places the scale's colours at cmin + position * (cmax - cmin) and colours a value with
a d3 linear scale (clamped: beyond the range, the end colour), mixing the two colours either side
of it channel by channel, a * (1 - t) + b * t; tinycolor then writes each channel as
round((c % 255) / 255 * 255), half up. Following it step by step matters for a value exactly
halfway between two shades, which a whole-number figure (families to find) often is.
"""

import bisect
import math
import re


def plotly_colour(value: float, colorscale: list, cmin: float, cmax: float) -> str:
    """`value`'s colour as #rrggbb on `colorscale` ([[position, "rgb(r,g,b)" or "#rrggbb"], ...])
    running from `cmin` to `cmax`."""
    places = [cmin + float(position) * (cmax - cmin) for position, _ in colorscale]
    below = min(max(bisect.bisect_right(places, value), 1), len(places) - 1) - 1
    span = places[below + 1] - places[below]
    t = min(max((value - places[below]) / span, 0.0), 1.0) if span else 0.0
    channels = []
    for a, b in zip(_channels(colorscale[below][1]), _channels(colorscale[below + 1][1])):
        mixed = a * (1 - t) + b * t
        mixed = 255.0 if abs(mixed - 255) < 1e-6 else (mixed % 255) / 255 * 255
        channels.append(math.floor(mixed + 0.5))
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def _channels(colour: str) -> tuple[float, ...]:
    if colour.startswith("#"):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(float(number) for number in re.findall(r"[\d.]+", colour)[:3])
