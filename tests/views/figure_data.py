"""Reading what a page drew and offers, as a test needs it: its charts, its text, every string in
a figure, and the file behind a download button (imported by the page and hostile-name tests)."""

import base64
import html
import threading
from xml.etree import ElementTree

import numpy as np

from reach.presentation.safe_text import markdown_shown


def svg_charts(at) -> dict:
    """Each chart drawn as inline SVG (reach.presentation.svg_figures), by its title: the chart's
    `<div>` as an XML tree, whose marks carry what they show (see `marks`)."""
    found = {}
    for element in at.markdown:
        body = element.value
        if isinstance(body, str) and body.startswith('<div class="reach-chart"'):
            tree = ElementTree.fromstring(body)
            found[html.unescape(tree.get("data-title"))] = tree
    return found


def marks(chart, series: str | None = None) -> list[dict]:
    """What each mark of an SVG chart shows (`series`, `label`, `value`, and its hover text as
    `hover`), in the order drawn; with `series`, that series only."""
    found = []
    for element in chart.iter():
        if element.get("data-value") is None or element.tag == "text":
            continue
        if series is not None and element.get("data-series") != series:
            continue
        title = element.find("title")
        found.append({"series": element.get("data-series"), "label": element.get("data-label"),
                      "value": float(element.get("data-value")), "hover": title.text if title is not None else None,
                      "fill": element.get("fill")})
    return found


def svg_text(chart) -> list[str]:
    """Every text written in an SVG chart, in order (labels, figures, the key, the title)."""
    return [element.text for element in chart.iter() if element.tag == "text" and element.text]


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
    run; `media` is the fixture that keeps each run's files (tests/conftest.py). A button whose
    file is made when pressed (deferred data: a record-level download, written to the audit trail
    first) is pressed as Streamlit does it, its data made on a thread of its own."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(key))
    url = button.proto.url
    if button.proto.deferred_file_id:
        url = pressed(media[-1].manager, button.proto.deferred_file_id)
    return media[-1].get_file(url.rsplit("/", 1)[-1])


def pressed(manager, file_id: str) -> str:
    """The address of the file a deferred download makes, run as Streamlit's server runs it:
    outside the page's run, on another thread (where `st.session_state` does not reach)."""
    made = {}
    worker = threading.Thread(target=lambda: made.update(url=manager.execute_deferred(file_id)))
    worker.start()
    worker.join()
    return made["url"]


def svg_labels(chart) -> list[str]:
    """The names written by markers in an SVG chart (the funnel's labels)."""
    return [element.text for element in chart.iter() if element.tag == "text" and element.get("data-name")]
