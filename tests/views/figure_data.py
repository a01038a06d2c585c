"""Reading what a page drew and offers, as a test needs it: its charts, its text, every string in
a figure, and the file behind a download button (imported by the page and hostile-name tests)."""

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


def strings(value) -> list[str]:
    """Every string inside a figure's JSON (or any nesting of dicts, lists, tuples and arrays):
    titles, names, labels, hover text and data alike."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple, np.ndarray)):
        return [text for item in value for text in strings(item)]
    return []


def downloaded(at, media, key: str):
    """The file (`.content`, `.filename`) behind the download button with `key`, from the latest
    run; `media` is the fixture that keeps each run's files (tests/conftest.py)."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    return media[-1].get_file(button.proto.url.rsplit("/", 1)[-1])
