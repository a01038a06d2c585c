"""The words of the getting-started list and of the date the figures are as at.

Each function returns Markdown. Nothing here comes from a file (the names are Reach's own, the
rest are dates and counts), so nothing needs escaping.
"""

from __future__ import annotations

from datetime import date

from reach.domain.readiness import Coverage, Step, StepStatus
from reach.presentation.wording import reword
from reach.presentation.summaries import long_date


def _join(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def as_at_in_use(as_at: date) -> str:
    """The date actually used, in words, under the date field (which shows it as YYYY-MM-DD
    and applies a typed date only once it is committed)."""
    return f"Every page shows figures as at **{long_date(as_at)}**."


def _ran_to(name: str, day: date) -> str:
    if name in ("birth records", "birth counts"):
        return f"{name} were received up to {long_date(day)}"
    return f"{name} run to {long_date(day)}"


def as_at_note(coverage: Coverage, *, as_at: date, start: date, today: date) -> str | None:
    """One plain sentence on why the figures start where they do, or on what the date chosen
    leaves out; None when there is nothing to say. `start` is the date the figures start at
    (`reach.domain.readiness.default_as_at`)."""
    registrations = coverage.registrations
    if as_at != start:
        if registrations is not None and as_at > registrations:
            return (f"Registrations run only to {long_date(registrations)}: children registered after "
                    "that are not loaded yet, so reach may look lower than it is.")
        return None
    if registrations is None:
        if coverage.latest is None:
            return "Nothing with a date is loaded yet, so the figures start at today."
        return ("No registrations are loaded yet, so the figures start at the latest date in the other "
                "data.")
    if registrations > today:
        return (f"Some registrations are dated after today (the latest {long_date(registrations)}): "
                "the figures start at today.")
    later = {name: day for name, day in coverage.others().items() if day > start}
    if not later:
        return None
    both = "both cover" if len(later) == 1 else "all of them cover"
    return (f"Registrations run to {long_date(registrations)}, but "
            f"{_join([_ran_to(name, day) for name, day in later.items()])}: figures start at "
            f"{long_date(start)}, the latest date {both}.")


# --- the getting-started list ------------------------------------------------------------------

_DATED = {
    "Population estimates": "the latest estimate is for {day}",
    "Birth data": "the latest received on {day}",
    "Registrations": "the latest registered on {day}",
    "Contacts": "the latest on {day}",
}


def command(step: Step) -> str:
    """The command that loads a step's file, as Markdown code."""
    kind = step.kinds[0]
    dated = " --received-on DATE" if kind == "births" else ""
    text = f"`python -m reach import {kind} FILE{dated}`"
    if len(step.kinds) > 1:
        text += " (or " + ", ".join(f"`{other}`" for other in step.kinds[1:]) + ")"
    return text


def step_line(number: int, status: StepStatus) -> str:
    """One line of the list: what the step is, whether it is loaded and how much, and how to load it."""
    step = status.step
    head = f"**{number}. {reword(step.name)}**"
    if status.loaded:
        rows = f"{status.rows:,} {'row' if status.rows == 1 else 'rows'}"
        if status.latest is not None and step.name in _DATED:
            rows += ", " + _DATED[step.name].format(day=long_date(status.latest))
        return f"{head} :green-badge[loaded] {rows}."
    badge = ":red-badge[missing: essential]" if step.essential else ":gray-badge[not loaded: optional]"
    gives = reword(step.gives)
    return f"{head} {badge} {gives[0].upper()}{gives[1:]}. Load it with {command(step)}, or upload it below."


def checklist_heading(statuses: list[StepStatus]) -> str:
    """'Getting started: 4 of 9 kinds of data loaded, 2 essential ones missing'."""
    loaded = sum(status.loaded for status in statuses)
    missing = [s for s in statuses if s.step.essential and not s.loaded]
    text = f"Getting started: {loaded} of {len(statuses)} kinds of data loaded"
    if missing:
        text += f", {len(missing)} essential {'one' if len(missing) == 1 else 'ones'} missing"
    return text


def incomplete_summary(statuses: list[StepStatus]) -> str | None:
    """The short version for the Overview when reach cannot be worked out yet; None when every
    essential kind of data is loaded."""
    missing = [reword(s.step.name).lower() for s in statuses if s.step.essential and not s.loaded]
    if not missing:
        return None
    essentials = [reword(s.step.name).lower() for s in statuses if s.step.essential]
    if not any(status.loaded for status in statuses):
        return (f"**Nothing is loaded yet.** Reach needs {_join(essentials)}, loaded in that order; "
                "birth data, contacts, deprivation and boundaries add more measures. The Data page "
                "lists each with its command or upload.")
    return (f"**Reach cannot be worked out yet: no {_join(missing, 'or')} are loaded.** Until they are, the "
            "figures below are not complete. The Data page lists what to load, in what order, with the "
            "command or upload for each.")
