"""What the sites are called: "children's centres" (the default) or "family hubs".

One home for the words. The setting lives in the store (`data.settings`); each front end reads
it once (the dashboard once per page run, the command line once per command) and sets it here
with `use`, and every sentence, heading and export asks `current()` for the words, or passes its
own wording, written in the default words, through `reword`.

Only words change: CSV column names and command-line options keep the contract's spelling
(`centre_id`, `--centre`), and so does the "reach area".
"""

from __future__ import annotations

import contextlib
import re
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    """The words for a site, in every form a sentence needs."""

    key: str                 # the stored setting: "centres" or "hubs"
    site: str                # "centre"
    sites: str               # "centres"
    site_title: str          # "Centre", at the start of a sentence or heading
    sites_title: str         # "Centres"
    site_long: str           # "children's centre": the full name, once per page or document
    sites_long: str          # "children's centres"
    reach_area: str = "reach area"

    @property
    def site_long_title(self) -> str:
        return self.site_long[0].upper() + self.site_long[1:]

    @property
    def sites_long_title(self) -> str:
        return self.sites_long[0].upper() + self.sites_long[1:]


CENTRES = Wording(key="centres", site="centre", sites="centres", site_title="Centre", sites_title="Centres",
                  site_long="children's centre", sites_long="children's centres")
HUBS = Wording(key="hubs", site="hub", sites="hubs", site_title="Hub", sites_title="Hubs",
               site_long="family hub", sites_long="family hubs")
WORDINGS = {wording.key: wording for wording in (CENTRES, HUBS)}

_CURRENT: ContextVar[Wording] = ContextVar("reach_wording", default=CENTRES)


def wording_for(key: str | None) -> Wording:
    """The wording a stored setting names; the default for a missing or unknown one."""
    return WORDINGS.get((key or "").strip().lower(), CENTRES)


def current() -> Wording:
    """The words in use for this page run or command (the default until a front end sets them)."""
    return _CURRENT.get()


def use(wording: Wording | str | None) -> Wording:
    """Use `wording` (or the one a stored setting names) from now on in this run; returns it."""
    chosen = wording if isinstance(wording, Wording) else wording_for(wording)
    _CURRENT.set(chosen)
    return chosen


@contextlib.contextmanager
def using(wording: Wording | str | None):
    """`with using("hubs"):` the words inside the block, then the words before it again."""
    chosen = wording if isinstance(wording, Wording) else wording_for(wording)
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


# The default words as Reach writes them. A capitalised "Centre" is changed only where Reach
# capitalises it (the start of the text, a sentence, a heading or a list item, or after a bracket
# or bold mark), so a site's own name ("Riverside Children's Centre") is never rewritten.
_BOTH = re.compile(r"family hub(?P<s>s?) or children['’]s centres?")
_LONG = re.compile(r"(?P<c>[Cc])hildren['’]s centre(?P<s>s?)\b")
_LOWER = re.compile(r"\bcentre(?P<s>s?)\b")
_TITLE = re.compile(r"(?P<before>^|[.!?:;]\s+|\n[\s#>*\-\d.]*|\*\*|[(\"“])Centre(?P<s>s?)\b")


# The labels Reach's own tables carry in a column of names ("All centres" beside each site's name).
OWN_LABELS = ("All centres",)


def reword_label(value):
    """A cell of a column of names: Reach's own label for every site in the words in use; a
    site's name, or anything else, as it is."""
    return reword(value) if isinstance(value, str) and value in OWN_LABELS else value


def reword(text: str, wording: Wording | None = None) -> str:
    """`text`, written in the default words ("centre", "children's centres"), in the words in use.

    >>> with using("hubs"):
    ...     reword("Compare centres: each children's centre against the authority.")
    'Compare hubs: each family hub against the authority.'
    """
    words = wording or current()
    if words is CENTRES or not text:
        return text

    def long(match: re.Match) -> str:
        phrase = words.sites_long if match["s"] else words.site_long
        return phrase[0].upper() + phrase[1:] if match["c"] == "C" else phrase

    # "a family hub or children's centre" names both kinds of site: in the words in use, one.
    text = _BOTH.sub(lambda m: words.sites_long if m["s"] else words.site_long, text)
    text = _LONG.sub(long, text)
    text = _LOWER.sub(lambda m: words.sites if m["s"] else words.site, text)
    return _TITLE.sub(lambda m: m["before"] + (words.sites_title if m["s"] else words.site_title), text)
