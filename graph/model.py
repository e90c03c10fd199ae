"""The records that flow from loaders into the workspace.

Loaders turn exports into these plain dataclasses; the workspace resolves who is who and
stores them. A record never holds message bodies: the graph needs who, when and how many,
not what was said.

Every record carries its `Provenance` (source, file, line, owner), which is what makes "why?"
answerable, re-import idempotent and `forget` complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "Provenance",
    "Person",
    "Company",
    "Position",
    "Interaction",
    "Skipped",
    "Record",
    "INTERACTION_KINDS",
    "SHARING_LEVELS",
]

#: Kinds of interaction evidence. `connected`: a LinkedIn connection; `crm-owner`: a CRM rep
#: owns the relationship; `colleague`: a stated reporting line; `deal`: both on one opportunity;
#: `address-book`: the owner keeps them in an address book (vCard).
INTERACTION_KINDS = (
    "connected",
    "message",
    "email",
    "meeting",
    "call",
    "task",
    "invitation",
    "crm-owner",
    "colleague",
    "deal",
    "address-book",
    "manual",
)

#: How much of an owner's contacts the rest of the team sees, least first (`graph.privacy`):
#: `private` only the owner; `ask` that a path through the owner exists, the contact's details
#: hidden ("a contact of Priya Shah": ask her); `full` everything (the default).
SHARING_LEVELS = ("private", "ask", "full")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from: the source kind, the file (``archive.zip!member`` inside a
    zip), the 1-based line of the row in that file, and whose export it is."""

    source: str
    file: str
    line: int | None = None
    owner: str | None = None


@dataclass(slots=True)
class Person:
    """What one row of one source says about a person.

    Loaders fill what the row gives; the workspace merges rows about the same person
    (see `graph.identity`). `is_owner` marks the person whose export this is (filled in with
    the `--owner` of the import); `team` marks a colleague of the user (a CRM user, a rep).
    `external_id` is a source-scoped id such as ``"salesforce:0035e00000AbCdE"``.
    """

    name: str = ""
    emails: tuple[str, ...] = ()
    linkedin_url: str | None = None
    phones: tuple[str, ...] = ()
    company: str | None = None
    title: str | None = None
    external_id: str | None = None
    is_owner: bool = False
    team: bool = False
    provenance: Provenance | None = None

    def has_identity(self) -> bool:
        """True when the row names someone at all (a name, an email, a URL or an id)."""
        return bool(
            self.is_owner
            or self.name.strip()
            or self.emails
            or self.linkedin_url
            or self.external_id
        )


@dataclass(slots=True)
class Company:
    """A company as a source names it; `external_id` like ``"salesforce:0015e00000XyZ12"``."""

    name: str
    domain: str | None = None
    industry: str | None = None
    external_id: str | None = None
    provenance: Provenance | None = None


@dataclass(slots=True)
class Position:
    """A person's job: unknown start or end allowed; `end is None` with `current=True` means
    they hold it now."""

    person: Person
    company: str
    title: str | None = None
    start: date | None = None
    end: date | None = None
    current: bool = True
    provenance: Provenance | None = None


@dataclass(slots=True)
class Interaction:
    """One piece of evidence that `a` and `b` know each other.

    `a` is the initiator (sender, organiser, inviter, CRM owner) when `directed`; for undirected
    evidence (a connection) the order means nothing. `group_size` counts everyone involved,
    `a` and `b` included: a message to one person has 2, an email to 40 people has 41.
    """

    a: Person
    b: Person
    kind: str
    at: datetime | None = None
    directed: bool = True
    group_size: int = 2
    provenance: Provenance | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row that was not loaded, and why; reported to the user as ``file:line: reason``."""

    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line else f"{self.file}: {self.reason}"


Record = Person | Company | Position | Interaction | Skipped
