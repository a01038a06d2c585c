"""What a report people hand over holds: the figures for one centre or the authority as at a
date, the tables behind them, the disclosure rule they were prepared under and the imports they
come from. Gathered by `reach.queries.report_tables`, written by `reach.presentation.report_files`
(CSV, Parquet, Excel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from reach.domain.measures import ReportOptions
from reach.domain.stats import Interval, interval_for
from reach.domain.suppression import SuppressionRule


@dataclass(frozen=True)
class ReportContents:
    """`centre` and `authority` are the report's rows (as published, under a rule); `centre` is
    None for the authority's report. `tables`: "centres" (the authority's report only), "lsoas",
    "target_groups", "trend", "timeliness". `history`: the imports, newest first."""

    as_at: date
    rule: SuppressionRule | None
    options: ReportOptions
    centre: pd.Series | None
    authority: pd.Series
    tables: dict[str, pd.DataFrame]
    history: pd.DataFrame

    @property
    def title(self) -> str:
        if self.centre is None:
            return "All centres"
        return f"{self.centre['centre_name']} ({self.centre['centre_id']})"

    @property
    def subject(self) -> pd.Series:
        """The row the report is about: the centre's, else the authority's."""
        return self.centre if self.centre is not None else self.authority

    @property
    def interval(self) -> Interval | None:
        """The 95% interval of the subject's reach, from its counts as shown (rounded, under a
        rounding rule); none where either count is withheld or missing."""
        return self.interval_of("known_children", "children_under5")

    def interval_of(self, numerator: str, denominator: str) -> Interval | None:
        """The 95% interval of the subject's `numerator` / `denominator` (columns of counts), from
        the counts as shown; none where either is withheld or missing."""
        known, under5 = self.subject[numerator], self.subject[denominator]
        if isinstance(known, str) or isinstance(under5, str) or pd.isna(known) or pd.isna(under5):
            return None
        return interval_for(float(known), float(under5))

    @property
    def rule_words(self) -> str:
        """The rule the figures were prepared under, in words, for every file written."""
        if self.rule is None:
            return ("Working figures: every count is shown, small ones included. Not for sharing outside "
                    "the council.")
        return f"Prepared for publication ({self.rule.name} rule). {self.rule.describe()}"
