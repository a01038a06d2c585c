"""Reading the figures a page drew, as a test needs them (imported by the page tests)."""

import base64
import json

import numpy as np

from reach.presentation.safe_text import markdown_shown


def charts(at) -> dict:
    """Each plotly chart's figure, by its title."""
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return {figure["layout"]["title"]["text"]: figure for figure in figures}


def shown(elements) -> list[str]:
    """What a reader sees of each Markdown element (markdown, caption, info...): names and
    messages from data are escaped on the page, and the escapes are not what is read."""
    return [markdown_shown(element.value) for element in elements if isinstance(element.value, str)]


def values(data) -> list:
    """A trace's values as a list: plotly writes numeric arrays as base64 with their dtype."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        if "shape" in data:
            array = array.reshape([int(size) for size in str(data["shape"]).split(",")])
        return array.tolist()
    return list(data)
