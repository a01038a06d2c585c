"""Who may see what: the roles file, matching a person to their line in it, and what each role may
open and download. The one place the permissions are written down.

The roles file is a CSV with the columns `email`, `role` and `centres`:

    email,role,centres
    amina.khan@brackenfold.gov.uk,data_officer,
    *@commissioning.brackenfold.gov.uk,commissioner,
    j.smith@brackenfold.gov.uk,centre_manager,C001;C004
    *@hubs.brackenfold.gov.uk,centre_manager,HUB-NORTH

`email` is an address, or `*@domain` for everyone at that domain and its subdomains. The most
specific line wins: an exact address beats `*@sub.domain.gov.uk`, which beats `*@domain.gov.uk`.
Addresses are compared without regard to case. `centres` (for centre managers only) holds centre
ids or group ids (a hub and its satellite sites share a group), separated by `;`.

A file with any fault gives nobody a role: the fault is reported, in one line naming the file, the
row and the column, and everyone is refused until it is put right (it fails closed).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DATA_OFFICER, COMMISSIONER, CENTRE_MANAGER = "data_officer", "commissioner", "centre_manager"
ROLES = (DATA_OFFICER, COMMISSIONER, CENTRE_MANAGER)
ROLE_NAMES = {DATA_OFFICER: "data officer", COMMISSIONER: "commissioner", CENTRE_MANAGER: "centre manager"}
COLUMNS = ("email", "role", "centres")

# The pages only a data officer may open (by their address): loading files, undoing imports, the
# quarantine and the audit trail. Every other page shows aggregate figures, open to every role.
DATA_OFFICER_PAGES = frozenset({"data"})

_ADDRESS = re.compile(r"^[^@\s;,*]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
_DOMAIN = re.compile(r"^\*@[a-z0-9-]+(\.[a-z0-9-]+)+$")
_CENTRE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _./-]{0,63}$")


class RolesFileFault(ValueError):
    """A roles file that cannot be used: nobody gets a role from it."""


@dataclass(frozen=True)
class RoleLine:
    """One line of the roles file."""

    email: str                      # lower case: an address, or `*@domain`
    role: str
    centres: frozenset[str] = frozenset()
    row: int = 0                    # 1 is the first row after the header

    @property
    def is_domain(self) -> bool:
        return self.email.startswith("*@")

    def matches(self, email: str) -> bool:
        address = email.strip().lower()
        if not self.is_domain:
            return address == self.email
        domain = self.email[2:]
        at = address.rsplit("@", 1)[-1] if "@" in address else None
        return at is not None and (at == domain or at.endswith("." + domain))

    @property
    def specificity(self) -> int:
        """Higher is more specific: an exact address beats any domain; a longer domain a shorter."""
        if not self.is_domain:
            return 1_000
        return self.email.count(".") + 1


@dataclass(frozen=True)
class Person:
    """Whoever is using the dashboard, and what they may see.

    `centres` is the centres a centre manager manages (group ids already turned into the centres
    of the group); it is empty for the other roles, who are not tied to centres."""

    email: str
    role: str
    centres: frozenset[str] = field(default_factory=frozenset)
    home_centre: str | None = None       # where a centre manager's centre chooser opens

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    def may_open(self, url_path: str) -> bool:
        """May this person open the page with this address (`""` for the Overview)?"""
        return url_path not in DATA_OFFICER_PAGES or self.role == DATA_OFFICER

    @property
    def may_import(self) -> bool:
        """Load files, undo imports, see the quarantine and the audit trail."""
        return self.role == DATA_OFFICER

    def sees_records_of(self, centre_id: str | None) -> bool:
        """Record-level data for this centre: the worklist of unmatched births, its download, and
        the unmatched births by LSOA and month of birth (counts nearly all below 5, never
        published). Data officers: every centre; centre managers: their own; commissioners: none."""
        if self.role == DATA_OFFICER:
            return True
        if self.role == CENTRE_MANAGER:
            return centre_id is not None and centre_id in self.centres
        return False


def parse_roles(text: str, *, file_name: str) -> list[RoleLine]:
    """The lines of a roles file. Raises RolesFileFault, naming the file, the row and the column,
    for a missing column, an unknown role, an address that is not one, a manager without centres,
    or an address given twice."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise RolesFileFault(f"{file_name}: the file is empty; it needs the columns email, role and centres") from None
    names = [name.strip().lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise RolesFileFault(f"{file_name}: the column {missing[0]!r} is missing; the header needs email, role "
                             "and centres")
    where = {column: names.index(column) for column in COLUMNS}
    lines: list[RoleLine] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        cell = {column: (cells[index].strip() if index < len(cells) else "") for column, index in where.items()}
        email, role = cell["email"].lower(), cell["role"].lower()
        if not (_ADDRESS.match(email) or _DOMAIN.match(email)):
            raise RolesFileFault(f"{file_name}, row {number}, column email: expected an e-mail address or "
                                 "*@domain")
        if role not in ROLES:
            raise RolesFileFault(f"{file_name}, row {number}, column role: expected data_officer, commissioner "
                                 "or centre_manager")
        centres = frozenset(part.strip() for part in cell["centres"].split(";") if part.strip())
        if role == CENTRE_MANAGER and not centres:
            raise RolesFileFault(f"{file_name}, row {number}, column centres: a centre manager needs centre ids "
                                 "or group ids, separated by ';'")
        if any(not _CENTRE.match(centre) for centre in centres):
            raise RolesFileFault(f"{file_name}, row {number}, column centres: expected centre ids or group ids "
                                 "separated by ';'")
        if email in seen:
            raise RolesFileFault(f"{file_name}, row {number}, column email: the same address as row "
                                 f"{seen[email]}; give each address one line")
        seen[email] = number
        lines.append(RoleLine(email=email, role=role, centres=centres if role == CENTRE_MANAGER else frozenset(),
                              row=number))
    return lines


def line_for(lines: Iterable[RoleLine], email: str | None) -> RoleLine | None:
    """The most specific line that matches the address, or None."""
    if not email:
        return None
    matching = [line for line in lines if line.matches(email)]
    return max(matching, key=lambda line: line.specificity, default=None)


def person_for(lines: Iterable[RoleLine], email: str | None, *,
               groups: Mapping[str, str | None]) -> Person | None:
    """The person with this address, their role and (for a centre manager) their centres, or None
    when no line gives them a role. `groups` maps each centre id to its group id (or None): a group
    id in the roles file stands for every centre of the group. The chooser opens on the first of
    their centres, in the order of `groups`."""
    line = line_for(lines, email)
    if line is None or email is None:
        return None
    centres: set[str] = set()
    for named in line.centres:
        centres.update(centre for centre, group in groups.items() if centre == named or group == named)
        if named not in groups and named not in set(groups.values()):
            centres.add(named)          # a centre not loaded yet: theirs once it is
    home = next((centre for centre in groups if centre in centres), None)
    return Person(email=email.strip(), role=line.role, centres=frozenset(centres), home_centre=home)


def local_person() -> Person:
    """The one person at this computer, when sign-in is not configured: a data officer."""
    return Person(email="this computer", role=DATA_OFFICER)


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host: str | None) -> str | None:
    """The name in a Host header or server address, without its port or brackets
    (`[::1]:8501` -> `::1`, `localhost:8501` -> `localhost`)."""
    if host is None:
        return None
    value = host.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":")[0]
    return value.rstrip(".")


def is_loopback(host: str | None) -> bool:
    name = host_name(host)
    return name is not None and (name in LOOPBACK or name.startswith("127."))
