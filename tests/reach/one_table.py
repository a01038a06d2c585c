"""One table protected on its own, to test the disclosure rule's pieces table by table.

Reach publishes only through `reach.queries.publication`, which protects every table it can
publish together; protecting a table alone would be weaker (see the README). So this lives with
the tests: it drives the rule's two live parts, `protect` (which counts to hide) and `render`
(what the table then shows), on one table whose column totals count as published.
"""

import pandas as pd

from reach.domain.disclosure import Publication, protect
from reach.domain.suppression import COUNT_COLUMNS, SuppressionRule, render


def suppress_for_publication(frame: pd.DataFrame, *, rule: SuppressionRule = SuppressionRule()) -> pd.DataFrame:
    """`frame` as it would be published on its own, small counts and whatever would reveal them
    hidden. Each count column's total is taken as published (anyone can add up a column), so a
    count is protected against its column total."""
    counts = [c for c in frame.columns if c in COUNT_COLUMNS]
    publication = Publication()
    for column in counts:
        cells = []
        for index, value in frame[column].items():
            if pd.notna(value):
                cell = ("table", index, column)
                publication.add_count(cell, value)
                cells.append(cell)
        if len(cells) > 1:
            total = ("total", "", column)
            publication.add_count(total, sum(publication.values[cell] for cell in cells), secondary=False)
            publication.add_sum(total, cells)
    protection = protect(publication, smallest_shown=rule.smallest_shown,
                         protection_width=rule.protection_width)
    hidden = pd.DataFrame(False, index=frame.index, columns=counts)
    for table, index, column in protection.hidden:
        if table == "table":
            hidden.loc[index, column] = True
    return render(frame, hidden, rule=rule)
