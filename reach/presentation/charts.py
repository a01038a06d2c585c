"""Charts as plotly figures, built by pure functions so a test can read what a chart shows.

The pages now draw these charts as inline SVG (`reach.presentation.svg_figures`, the same
words, bands and colours), so a page opened in a new tab does not wait for Plotly's code; the
functions here are no longer drawn on any page and stay only with their tests, to be removed.
The map (`geo.figures`, `reach.presentation.maps`) is the one chart still drawn with Plotly.

Meaning is never carried by colour alone: each band and each comparison has its words in the
legend and on hover, and comparisons also differ by marker shape. The colours are from the
Okabe-Ito set, which people with the common colour-vision deficiencies can tell apart. Maps
live in `geo.figures`; the band colours here are the ones to give them.

Plotly reads labels, legend names, hover text and titles as a small HTML (`<a href>`, `<b>`),
so every text that came from a file (a centre's name, an LSOA code) goes through `plotly_text`
before it is put in a figure; a hover template names a trace with `%{fullData.name}` rather
than pasting the name in, so a name is never read as a template either. The functions take
plain text and escape it themselves.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reach.domain.comparison import measure
from reach.domain.measures import DEPRIVED, NO_BAND, Bands
from reach.domain.stats import COMPARISON_WORDS, Z_95, Z_998, Interval, funnel_limits
from reach.presentation.safe_text import plotly_text
from reach.presentation.summaries import band_range, threshold
from reach.presentation.wording import reword

BAND_COLOURS = {
    "outstanding": "#0072B2",
    "good": "#56B4E9",
    "requires improvement": "#E69F00",
    "inadequate": "#D55E00",
    NO_BAND: "#BBBBBB",
}
COMPARISON_COLOURS = {"better": "#0072B2", "similar": "#F0E442", "worse": "#D55E00", "flagged": "#888888",
                      "no figure": "#BBBBBB"}
COMPARISON_SYMBOLS = {"better": "triangle-up", "similar": "circle", "worse": "triangle-down",
                      "flagged": "diamond-open", "no figure": "x"}
LINE_COLOUR = "#333333"
AUTHORITY_COLOUR = "#666666"
TARGET_COLOUR = BAND_COLOURS["outstanding"]
GOOD_COLOUR = BAND_COLOURS["good"]

_FONT = dict(family="sans-serif", size=13)
_TITLE_SIZE = 15
# A plotly title never wraps by itself, and is cut at the chart's edge. A chart is about 520 px
# wide at its narrowest (a laptop half-screen, or a column beside its words at 1400 px), where
# about 55 characters of a 15 px title fit; longer titles are broken onto more lines.
TITLE_LINE_CHARACTERS = 55


def title_lines(title: str, width: int = TITLE_LINE_CHARACTERS) -> list[str]:
    """`title` broken at spaces into lines of at most `width` characters (a longer word stays
    whole). An HTML entity such as `&amp;` has no space in it, so it is never split."""
    return textwrap.wrap(title, width=width, break_long_words=False, break_on_hyphens=False) or [""]


def styled(figure: go.Figure, *, title: str, height: int = 420, **extra) -> go.Figure:
    """The house style: the title top left, wrapped so it is never cut, the plain template."""
    lines = title_lines(title)
    top = 32 + 22 * len(lines)
    figure.update_layout(title=dict(text="<br>".join(lines), x=0, xanchor="left", font=dict(size=_TITLE_SIZE)),
                         height=height + 22 * (len(lines) - 1), font=_FONT,
                         margin=dict(l=10, r=10, t=top, b=10), template="plotly_white", **extra)
    return figure


def threshold_line(figure: go.Figure, value: float, *, words: str, colour: str, axis: str = "y") -> None:
    """A dashed line across the plot at a threshold, named in the legend: a shape has no legend
    entry, so an empty trace in the same style carries the words."""
    if axis == "y":
        figure.add_hline(y=value, line=dict(color=colour, dash="dash", width=1.5))
    else:
        figure.add_vline(x=value, line=dict(color=colour, dash="dash", width=1.5))
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=words,
                                line=dict(color=colour, dash="dash", width=1.5)))


# A figure written beside a marker or a bar's end is crossed by any line drawn near it (the target,
# the authority's figure, a band's edge) and can sit on the marker itself. So where a chart has such
# lines, each row's figure is written in a column of its own at the right of the plot, clear of
# every line and mark whatever the figure is.
FIGURE_COLUMN_PX = 64


def figure_column(figure: go.Figure, rows: list, texts: list[str]) -> None:
    """Each row's figure (`texts`, already plain or escaped text), written at the right of the
    plot level with its row (`rows`: the y categories, as the chart names them)."""
    for row, text in zip(rows, texts):
        if text:
            figure.add_annotation(x=1, xref="paper", xanchor="left", xshift=6, y=row, yref="y", text=text,
                                  showarrow=False, font=dict(size=12, color=LINE_COLOUR), name="figure")
    figure.update_layout(margin=dict(r=FIGURE_COLUMN_PX))


# --- overview ---------------------------------------------------------------------------------

def band_counts_chart(counts: pd.DataFrame, *, bands: Bands) -> go.Figure:
    """Bars of the number of centres in each indicative band, best band at the top, each
    labelled with the band's range and its count."""
    labels = [band_range(b, bands) if b != NO_BAND else NO_BAND for b in counts["band"]]
    figure = go.Figure(go.Bar(
        y=labels, x=counts["centres"], orientation="h", text=counts["centres"], textposition="outside",
        marker_color=[BAND_COLOURS[b] for b in counts["band"]], name=reword("Centres"), cliponaxis=False,
        hovertemplate=reword("%{y}: %{x} centres<extra></extra>"),
    ))
    most = int(counts["centres"].max()) if len(counts) else 0
    figure.update_xaxes(title=reword("Centres"), range=[0, max(1, most) * 1.15], dtick=1 if most <= 10 else None)
    figure.update_yaxes(title=None, autorange="reversed", type="category")
    return styled(figure, title=reword("Centres by indicative band"), height=300, showlegend=False)


def trend_chart(trend: pd.DataFrame, *, bands: Bands, series: str | None = None,
                value: str = "reach_pct", title: str = "Reach month by month") -> go.Figure:
    """A line per series (a column naming each line, or one line) of a percentage over time,
    with the outstanding and good thresholds drawn and named."""
    figure = go.Figure()
    groups = trend.groupby(series, sort=False) if series else [("Reach", trend)]
    dashes = ["solid", "dot", "dashdot", "longdash"]
    colours = [LINE_COLOUR, AUTHORITY_COLOUR, "#009E73", "#CC79A7"]
    for i, (name, frame) in enumerate(groups):
        frame = frame.sort_values("as_at")
        figure.add_trace(go.Scatter(
            x=pd.to_datetime(frame["as_at"]), y=frame[value], mode="lines+markers", name=plotly_text(name),
            line=dict(color=colours[i % len(colours)], dash=dashes[i % len(dashes)], width=2.5 if i == 0 else 2),
            marker=dict(size=4), hovertemplate="%{x|%d %b %Y}: %{y:.1f}%<extra>%{fullData.name}</extra>",
        ))
    threshold_line(figure, bands.outstanding, words=f"Outstanding from {threshold(bands.outstanding)}",
                    colour=TARGET_COLOUR)
    threshold_line(figure, bands.good, words=f"Good from {threshold(bands.good)}", colour=GOOD_COLOUR)
    top = max(100.0, float(np.nanmax(trend[value])) + 5 if len(trend) and trend[value].notna().any() else 100.0)
    figure.update_yaxes(title="%", range=[0, top], ticksuffix="%")
    figure.update_xaxes(title=None)
    return styled(figure, title=plotly_text(title), legend=dict(orientation="h", y=-0.15))


# --- my centre --------------------------------------------------------------------------------

def _zones(bands: Bands, top: float) -> list[tuple[str, float, float]]:
    return [
        ("inadequate", 0.0, bands.requires_improvement),
        ("requires improvement", bands.requires_improvement, bands.good),
        ("good", bands.good, bands.outstanding),
        ("outstanding", bands.outstanding, top),
    ]


def bullet_chart(*, value_pct: float, interval: Interval | None, bands: Bands, label: str,
                 comparator_pct: float | None = None, comparator_label: str = "All centres",
                 missing_words: str = "No figure: no children under five recorded") -> go.Figure:
    """A bar in band zones: the centre's figure as a marker with its 95% interval as whiskers,
    each zone named with its range, and the authority's figure as a line to compare with.
    The title is short (the centre is named in the legend), so it fits a half-width column;
    `missing_words` say why there is no figure when there is none."""
    label, comparator_label = plotly_text(label), plotly_text(reword(comparator_label))
    shown_value = 0.0 if value_pct is None or pd.isna(value_pct) else float(value_pct)
    top = max(100.0, (interval.upper if interval else 0) + 2, shown_value + 2)
    figure = go.Figure()
    for band, start, end in _zones(bands, top):
        figure.add_trace(go.Bar(
            y=[label], x=[end - start], base=[start], orientation="h", name=band_range(band, bands),
            marker=dict(color=BAND_COLOURS[band], opacity=0.35, line=dict(width=0)), width=2 * BULLET_BAR_TOP,
            hovertemplate=f"{band_range(band, bands)}<extra></extra>",
        ))
    if value_pct is None or pd.isna(value_pct):
        figure.add_annotation(text=plotly_text(missing_words), showarrow=False, x=50, y=label)
    else:
        _bullet_marker(figure, value_pct=value_pct, interval=interval, label=label)
    if comparator_pct is not None and not pd.isna(comparator_pct):
        figure.add_trace(go.Scatter(
            y=[label], x=[comparator_pct], mode="markers", name=f"{comparator_label}: {comparator_pct:.1f}%",
            marker=dict(symbol="line-ns", size=34, line=dict(width=3, color=AUTHORITY_COLOUR)),
            hovertemplate="%{fullData.name}<extra></extra>",
        ))
    figure.update_xaxes(range=[0, top], ticksuffix="%", title=None)
    # The bar fills the middle of the row; the figure is written above it (see `_bullet_marker`).
    figure.update_yaxes(showticklabels=False, range=[-0.5, 0.62])
    return styled(figure, title="Reach against the bands", height=260, barmode="overlay",
                   legend=dict(orientation="h", y=-0.25))


BULLET_BAR_TOP = 0.3        # the bands' bar is 0.6 of its row high, centred on it


def _bullet_marker(figure: go.Figure, *, value_pct: float, interval: Interval | None, label: str) -> None:
    """The figure as a diamond, its 95% interval as whiskers, and the figure written above the
    bar (clear of the diamond, the whiskers and the authority's line however close they are),
    kept inside the chart near either end. `label` is escaped already."""
    error = None
    if interval is not None:
        error = dict(type="data", symmetric=False, array=[interval.upper - value_pct],
                     arrayminus=[value_pct - interval.lower], color=LINE_COLOUR, thickness=2, width=12)
    figure.add_trace(go.Scatter(
        y=[label], x=[value_pct], mode="markers", name=f"{label}: {value_pct:.1f}%",
        marker=dict(symbol="diamond", size=16, color=LINE_COLOUR), error_x=error,
        hovertemplate=("%{y}: %{x:.1f}%" + (f"<br>95% interval {interval.lower:.1f}% to {interval.upper:.1f}%"
                                                   if interval else "") + "<extra></extra>"),
    ))
    anchor = "left" if value_pct < 6 else "right" if value_pct > 94 else "center"
    figure.add_annotation(x=value_pct, y=BULLET_BAR_TOP, yref="y", yanchor="bottom", xanchor=anchor,
                          text=f"<b>{value_pct:.1f}%</b>", showarrow=False, name="figure",
                          font=dict(size=13, color=LINE_COLOUR))


def _lsoa_labels(frame: pd.DataFrame) -> pd.Series:
    """Each row's LSOA as an axis label: its name where names are loaded (and tell the LSOAs
    apart), else its code. Plain text: the caller escapes it for plotly."""
    codes = frame["lsoa_code"].astype(str)
    if "lsoa_name" not in frame.columns:
        return codes
    names = frame["lsoa_name"].astype(object)
    named = names.notna() & names.astype(str).str.strip().ne("")
    labels = names.where(named, codes).astype(str)
    by_code = pd.DataFrame({"code": codes, "label": labels}).drop_duplicates("code")
    return labels if by_code["label"].is_unique else codes


def unmatched_chart(counts: pd.DataFrame, *, births_loaded: bool = True) -> go.Figure:
    """Unmatched births by LSOA (rows, named where names are loaded) and month of birth
    (columns), each cell written as a number, so the darker cells are also the larger numbers
    read. With none to show, it says why: no birth data loaded, or every child registered."""
    title = "Unmatched births by month of birth"
    if counts.empty:
        figure = go.Figure()
        words = ("No birth data has been loaded yet." if not births_loaded else
                 "No unmatched births: every child in the birth data is registered.")
        figure.add_annotation(text=words, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        return styled(figure, title=title, height=200)
    counts = counts.assign(lsoa_label=_lsoa_labels(counts))
    table = counts.pivot_table(index="lsoa_label", columns="birth_month", values="unmatched_births",
                               aggfunc="sum", fill_value=0)
    table = table.reindex(sorted(table.columns), axis=1)
    table = table.loc[table.sum(axis=1).sort_values(ascending=True).index]
    months = [f"{m:%b %Y}" for m in table.columns]
    text = table.map(lambda v: str(v) if v else "")
    figure = go.Figure(go.Heatmap(
        z=table.to_numpy(), x=months, y=[plotly_text(code) for code in table.index], text=text.to_numpy(),
        texttemplate="%{text}",
        colorscale=[[0, "#FFFFFF"], [1, "#D55E00"]], zmin=0, showscale=False, xgap=1, ygap=1,
        hovertemplate="%{y}, born %{x}: %{z} unmatched<extra></extra>", name="Unmatched births",
    ))
    figure.update_xaxes(title="Month of birth", type="category")
    figure.update_yaxes(title=None, type="category", dtick=1)
    return styled(figure, title=title, height=max(260, 110 + 28 * len(table)))


def lsoa_gaps_chart(gaps: pd.DataFrame, *, top: int = 15) -> go.Figure:
    """The LSOAs with the most families to find (named where names are loaded), as bars
    labelled with each area's reach."""
    shown = gaps.head(top).iloc[::-1]
    figure = go.Figure(go.Bar(
        y=[plotly_text(label) for label in _lsoa_labels(shown)], x=shown["families_to_find"], orientation="h",
        name="Families to find",
        marker_color=BAND_COLOURS["requires improvement"],
        text=[f"{n:,} (reach {p:.0f}%)" if pd.notna(p) else f"{n:,}" for n, p in
              zip(shown["families_to_find"], shown["reach_pct"])],
        textposition="auto",
        hovertemplate="%{y}: %{x} families to find<extra></extra>",
    ))
    figure.update_xaxes(title="Families to find", rangemode="tozero")
    figure.update_yaxes(title=None, type="category")
    return styled(figure, title=f"Families to find by LSOA (top {min(top, len(gaps))})",
                   height=max(260, 60 + 26 * len(shown)), showlegend=False)


def target_groups_chart(groups: pd.DataFrame, authority_groups: pd.DataFrame, *, label: str) -> go.Figure:
    """Each registration flag as a share of the known children: the centre beside all centres."""
    flags = groups[groups["group"] != DEPRIVED]
    everyone = authority_groups.set_index("group").loc[flags["group"]]
    figure = go.Figure()
    groups_shown = [plotly_text(group) for group in flags["group_name"]]
    for name, values, colour in ((label, flags["share_of_known_pct"].to_numpy(), LINE_COLOUR),
                                 (reword("All centres"), everyone["share_of_known_pct"].to_numpy(), "#BBBBBB")):
        figure.add_trace(go.Bar(
            y=groups_shown, x=values, orientation="h", name=plotly_text(name), marker_color=colour,
            text=[f"{v:.1f}%" if pd.notna(v) else "–" for v in values], textposition="outside",
            hovertemplate="%{y}: %{x:.1f}% of known children<extra>%{fullData.name}</extra>",
        ))
    largest = np.nanmax(np.r_[flags["share_of_known_pct"].to_numpy(dtype=float),
                              everyone["share_of_known_pct"].to_numpy(dtype=float), 1.0])
    figure.update_xaxes(title="Share of known children", ticksuffix="%", range=[0, largest * 1.2])
    figure.update_yaxes(title=None, autorange="reversed")
    return styled(figure, title="Share of known children", barmode="group",
                   height=420, legend=dict(orientation="h", y=-0.2))


# --- compare centres --------------------------------------------------------------------------

def _comparison_traces(figure: go.Figure, league: pd.DataFrame, *, x: str, y: str, value_axis: str,
                       measure_name: str, denominator_words: str, error: bool) -> None:
    """One trace per comparison (so the legend carries the words), coloured and shaped. `league`
    has `_name` (each centre's name escaped for plotly) and may have `_text` and `_textposition`:
    the label drawn beside each marker ('' for none; the hover names every centre). A centre not
    compared (its population estimate flagged) is drawn hollow and grey."""
    for comparison, words in COMPARISON_WORDS.items():
        rows = league[league["comparison"] == comparison]
        if rows.empty:
            continue
        error_x = None
        if error:
            error_x = dict(type="data", symmetric=False, array=(rows["upper_95"] - rows[x]).to_numpy(),
                           arrayminus=(rows[x] - rows["lower_95"]).to_numpy(),
                           color="#AAAAAA" if comparison == "flagged" else "#555555", thickness=1.5)
        texts = list(rows["_text"]) if "_text" in rows else []
        labelled = any(texts)
        figure.add_trace(go.Scatter(
            x=rows[x], y=rows[y], mode="markers+text" if labelled else "markers", name=words, error_x=error_x,
            text=texts if labelled else None,
            textposition=list(rows["_textposition"]) if labelled and "_textposition" in rows else "top center",
            textfont=dict(size=11, color="#333333"), cliponaxis=False,
            marker=dict(color=COMPARISON_COLOURS[comparison], symbol=COMPARISON_SYMBOLS[comparison], size=13,
                        line=dict(color="#333333", width=1 if comparison != "flagged" else 2)),
            customdata=np.stack([rows["_name"], rows["lower_95"], rows["upper_95"],
                                 rows["_denominator"]], axis=-1),
            hovertemplate=(f"%{{customdata[0]}}<br>{measure_name}: %{{{value_axis}:.1f}}%"
                           f"<br>95% interval %{{customdata[1]:.1f}}% to %{{customdata[2]:.1f}}%"
                           f"<br>%{{customdata[3]:,}} {denominator_words}<extra>{words}</extra>"),
        ))


_NAME_ENDINGS = (" children's centre", " children’s centre", " childrens centre", " family hub", " centre")


def short_name(name: str, *, limit: int = 20) -> str:
    """A centre's name short enough to label a marker: without a closing "Children's Centre" or
    "Family Hub" (every marker is a centre), and cut with an ellipsis beyond `limit` characters.
    Plain text: the caller escapes it."""
    text = str(name).strip()
    for ending in _NAME_ENDINGS:
        if text.lower().endswith(ending) and len(text) > len(ending):
            text = text[: -len(ending)].rstrip()
            break
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _named(league: pd.DataFrame) -> pd.DataFrame:
    """`league` with `_name`: each centre's name as plotly should be given it."""
    return league.assign(_name=[plotly_text(name) for name in league["centre_name"]])


def _label_positions(xs: list[float], ys: list[float], *, x_span: float, y_span: float) -> list[str]:
    """Above each labelled marker, or below it where a label already placed above a nearby marker
    would overlap: a label is about a tenth of the plot wide and a twentieth high."""
    placed: list[tuple[float, float, str]] = []
    positions = []
    for x, y in zip(xs, ys):
        near = [p for (px, py, p) in placed if abs(px - x) < 0.12 * x_span and abs(py - y) < 0.07 * y_span]
        position = "bottom center" if "top center" in near else "top center"
        placed.append((x, y, position))
        positions.append(position)
    return positions


def league_chart(league: pd.DataFrame, *, measure_key: str, benchmark_pct: float, bands: Bands) -> go.Figure:
    """Each centre's figure with its Wilson 95% interval, best at the top, marked better,
    similar or worse than the authority (or hollow grey: not compared, its population estimate
    flagged), its figure written in a column at the right (clear of the target's and the
    authority's lines wherever it sits), with the authority's figure and the target drawn."""
    chosen = measure(measure_key)
    shown = _named(league).assign(_denominator=league[chosen.denominator])
    figure = go.Figure()
    _comparison_traces(figure, shown, x=chosen.column, y="_name", value_axis="x", measure_name=chosen.name,
                       denominator_words=chosen.denominator_words, error=True)
    if np.isfinite(benchmark_pct):
        threshold_line(figure, benchmark_pct, words=reword(f"All centres: {benchmark_pct:.1f}%"),
                       colour=AUTHORITY_COLOUR, axis="x")
    if chosen.has_target:
        threshold_line(figure, bands.outstanding, words=f"Outstanding from {threshold(bands.outstanding)}",
                        colour=TARGET_COLOUR, axis="x")
    upper, lower = shown["upper_95"].max(), shown["lower_95"].min()
    # Start the axis near the lowest interval, not at 0, so close centres can be told apart.
    floor = min(float(lower), benchmark_pct) if np.isfinite(benchmark_pct) else float(lower)
    start = max(0.0, 10 * ((floor - 5) // 10)) if pd.notna(lower) else 0.0
    figure.update_xaxes(title=None, ticksuffix="%",
                        range=[start, max(100.0, float(upper) + 2 if pd.notna(upper) else 100.0)])
    figure.update_yaxes(title=None, type="category", categoryorder="array",
                        categoryarray=list(shown["_name"][::-1]), automargin=True)
    styled(figure, title=reword(f"{chosen.name} by centre"),
           height=240 + 34 * len(shown), legend=dict(orientation="h", yanchor="top", y=-0.08))
    figure_column(figure, list(shown["_name"]),
                  [f"{v:.1f}%" if pd.notna(v) else "" for v in shown[chosen.column]])
    return figure


def funnel_plot(league: pd.DataFrame, *, measure_key: str, benchmark_pct: float, bands: Bands,
                points: int = 200, chosen_centre: str | None = None) -> go.Figure:
    """The funnel plot: each centre's figure against its number of children, inside the 95% and
    99.8% limits around the authority's figure; beyond them a difference is unlikely to be chance.

    The centres beyond the 95% limits, those not compared (drawn hollow) and `chosen_centre` are
    labelled with a short name; every marker names its centre on hover. With no benchmark (nothing
    to count it from) no limits are drawn."""
    chosen = measure(measure_key)
    shown = _named(league).assign(_denominator=league[chosen.denominator])
    sizes = shown.loc[shown["_denominator"] > 0, "_denominator"]
    largest = float(sizes.max()) if len(sizes) else 100.0
    # Start the funnel well left of the smallest centre, so its shape (and why small centres
    # need a larger difference to stand out) can be seen.
    smallest = max(5.0, min(50.0, float(sizes.min()) / 2)) if len(sizes) else 5.0
    grid = np.unique(np.round(np.geomspace(smallest, largest * 1.1, points)).astype(int))
    figure = go.Figure()
    has_benchmark = bool(np.isfinite(benchmark_pct))
    for z, words, dash in ((Z_998, "99.8% limits", "dot"), (Z_95, "95% limits", "dash")):
        if not has_benchmark:
            break
        lower, upper = funnel_limits(benchmark_pct, grid, z=z)
        for part, values in (("upper", upper), ("lower", lower)):
            figure.add_trace(go.Scatter(
                x=grid, y=values, mode="lines", name=words, legendgroup=words, showlegend=part == "upper",
                line=dict(color="#777777", dash=dash, width=1.5),
                hovertemplate=f"{words} ({part}) at %{{x:,}}: %{{y:.1f}}%<extra></extra>",
                meta=f"{words} {part}",
            ))
    if has_benchmark:
        figure.add_trace(go.Scatter(
            x=[grid[0], grid[-1]], y=[benchmark_pct, benchmark_pct], mode="lines",
            name=reword(f"All centres: {benchmark_pct:.1f}%"), line=dict(color=AUTHORITY_COLOUR, width=2),
            hovertemplate=reword(f"All centres: {benchmark_pct:.1f}%<extra></extra>"),
        ))
    if chosen.has_target:
        figure.add_trace(go.Scatter(
            x=[grid[0], grid[-1]], y=[bands.outstanding, bands.outstanding], mode="lines",
            name=f"Outstanding from {threshold(bands.outstanding)}",
            line=dict(color=TARGET_COLOUR, dash="dash", width=2),
            hovertemplate=f"Outstanding from {threshold(bands.outstanding)}<extra></extra>",
        ))
    values = shown[chosen.column]
    top = max(100.0, float(values.max()) + 5 if values.notna().any() else 100.0)
    # Zoom to where the centres and the funnel's neck are, so differences of a few points show.
    lowest = float(values.min()) if values.notna().any() else benchmark_pct
    bottom = max(0.0, min(lowest - 10, benchmark_pct - 25)) if has_benchmark else max(0.0, lowest - 10)
    labelled = (shown["comparison"].isin(["better", "worse", "flagged"])
                | (shown["centre_id"] == chosen_centre)) & values.notna()
    shown["_text"] = [plotly_text(short_name(name)) if keep else ""
                      for name, keep in zip(shown["centre_name"], labelled)]
    order = shown[labelled].sort_values("_denominator")
    positions = _label_positions(list(order["_denominator"].astype(float)), list(order[chosen.column]),
                                 x_span=largest * 1.1, y_span=top - bottom)
    shown["_textposition"] = pd.Series(positions, index=order.index).reindex(shown.index).fillna("top center")
    _comparison_traces(figure, shown, x="_denominator", y=chosen.column, value_axis="y", measure_name=chosen.name,
                       denominator_words=chosen.denominator_words, error=False)
    figure.update_xaxes(title=f"Number of {chosen.denominator_words}", rangemode="tozero")
    figure.update_yaxes(title=f"{chosen.name} (%)", ticksuffix="%", range=[bottom, top])
    return styled(figure, title=f"Funnel plot: {chosen.name.lower()}",
                   height=560, legend=dict(orientation="h", yanchor="top", y=-0.15))


def similar_centres_chart(similar: pd.DataFrame, *, measure_key: str, benchmark_pct: float) -> go.Figure:
    """The chosen centre beside the centres serving similar areas, on one measure: the chosen
    centre at the top, drawn dark and named '(chosen)'; a centre whose population estimate is
    flagged drawn hollow and named so; the authority's figure as a line."""
    chosen = measure(measure_key)
    doubtful = (similar["denominator_flagged"].fillna(False).astype(bool) if "denominator_flagged" in similar
                else pd.Series(False, index=similar.index))
    names = [plotly_text(n + {(True, False): " (chosen)", (True, True): " (chosen, estimate flagged)",
                              (False, True): " (estimate flagged)"}.get((bool(c), bool(d)), ""))
             for n, c, d in zip(similar["centre_name"], similar["is_chosen"], doubtful)]
    values = similar[chosen.column]
    fill = [LINE_COLOUR if c else "#FFFFFF" if d else "#BBBBBB" for c, d in zip(similar["is_chosen"], doubtful)]
    figure = go.Figure(go.Bar(
        y=names, x=values, orientation="h", name=chosen.name, showlegend=False,
        marker=dict(color=fill, line=dict(color=["#777777" if d else "rgba(0,0,0,0)" for d in doubtful], width=1.5)),
        customdata=similar["deprived_share_pct"],
        hovertemplate=(f"%{{y}}: {chosen.name.lower()} %{{x:.1f}}%<br>%{{customdata:.0f}}% of under-fives "
                       "in the most deprived areas<extra></extra>"),
    ))
    if np.isfinite(benchmark_pct):
        threshold_line(figure, benchmark_pct, words=reword(f"All centres: {benchmark_pct:.1f}%"),
                       colour=AUTHORITY_COLOUR, axis="x")
    figure.update_xaxes(title=None, ticksuffix="%",
                        range=[0, max(100.0, float(values.max()) + 2 if values.notna().any() else 100.0)])
    figure.update_yaxes(title=None, type="category", autorange="reversed", automargin=True)
    styled(figure, title=f"{chosen.name}: similar areas",
           height=160 + 45 * len(similar), legend=dict(orientation="h", yanchor="top", y=-0.12))
    # Each figure in a column at the right, clear of the authority's line wherever the bar ends.
    figure_column(figure, names, [f"{v:.1f}%" if pd.notna(v) else "–" for v in values])
    return figure
