"""Who is who: normalised identity keys and same-person resolution.

The same person shows up in many sources: a LinkedIn connection, a HubSpot contact, the
attendee of a calendar invite. Resolution is deterministic first and careful after that:

1. a source-scoped id (a Salesforce or HubSpot record id) names one person in that source;
2. the same normalised email address, or the same normalised LinkedIn profile URL, is the
   same person;
3. the same normalised name *and* the same normalised company is the same person;
4. a name alone never merges (there are many John Smiths), except that within the team
   roster (the owners and CRM users) a rep's name names that rep.

Every merge is recorded with its reason, so it can be explained and undone. Lookups go through
hash maps keyed by these normalised keys (blocking), never through all pairs, so resolution
stays linear in the number of rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

__all__ = [
    "norm_email",
    "norm_linkedin_url",
    "norm_name",
    "norm_company",
    "norm_phone",
    "identity_keys",
    "Resolver",
    "Match",
]

_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")


def norm_email(value: str | None) -> str | None:
    """Lower-cased address without ``mailto:`` or angle brackets, or None if it is no address.

    >>> norm_email(" <Ada.Lovelace@Example.COM> ")
    'ada.lovelace@example.com'
    >>> norm_email("n/a") is None
    True
    """
    if not value:
        return None
    s = value.strip().strip("<>").strip()
    if s.lower().startswith("mailto:"):
        s = s[7:]
    s = s.strip().lower()
    return s if _EMAIL.match(s) else None


_CANONICAL = "https://www.linkedin.com/in/"


def norm_linkedin_url(value: str | None) -> str | None:
    """``https://www.linkedin.com/in/<slug>`` for any spelling of a profile URL, else None.

    Country subdomains, ``http``, missing scheme, trailing slashes, query strings and
    upper-case or percent-encoded slugs all give the same key.

    >>> norm_linkedin_url("http://uk.linkedin.com/in/Ada-Lovelace/?trk=x")
    'https://www.linkedin.com/in/ada-lovelace'
    >>> norm_linkedin_url("linkedin.com/in/j%C3%BCrgen")
    'https://www.linkedin.com/in/jürgen'
    >>> norm_linkedin_url("https://example.com/in/ada") is None
    True
    """
    if not value:
        return None
    s = value.strip()
    if s.startswith(_CANONICAL):  # already canonical but for case or a trailing slash
        slug = s[len(_CANONICAL) :].rstrip("/")
        clean = not ("/" in slug or "?" in slug or "#" in slug or "%" in slug)
        if slug and clean and slug.isascii():
            return _CANONICAL + slug.lower()
    if "://" not in s:
        s = "https://" + s
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    segs = [p for p in parts.path.split("/") if p]
    if len(segs) < 2 or segs[0].lower() != "in":
        return None
    slug = unquote(segs[1]).strip().lower()
    if not slug:
        return None
    return f"https://www.linkedin.com/in/{slug}"


_NAME_SUFFIXES = {
    "phd", "ph d", "mba", "md", "jr", "sr", "ii", "iii", "iv", "cpa", "pmp", "esq", "msc",
    "ma", "bsc", "ba", "mph", "dds", "cfa", "peng", "pe",
}  # fmt: skip
_NAME_PREFIXES = {"dr", "mr", "mrs", "ms", "prof", "sir", "dame"}


_NO_DECOMPOSE = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                               "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th",
                               "ı": "i"})  # fmt: skip


_NOT_ALNUM_ASCII = re.compile(r"[^a-z0-9]+")


def _fold(value: str) -> str:
    """Case-folded text without accents, with anything that is not a letter or digit as a space."""
    if value.isascii():  # the common case, without Unicode decomposition
        return _NOT_ALNUM_ASCII.sub(" ", value.lower()).strip()
    s = unicodedata.normalize("NFKD", value.translate(_NO_DECOMPOSE))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in s).split())


@lru_cache(maxsize=131072)  # the same names recur across rows and sources
def norm_name(value: str | None) -> str:
    """A person's name folded for matching: no accents, case, punctuation, emoji, honorifics
    or degree suffixes.

    >>> norm_name("Dr. José  Núñez-García, Ph.D. 🚀")
    'jose nunez garcia'
    """
    if not value:
        return ""
    words = _fold(value).split()
    while words and words[0] in _NAME_PREFIXES:
        words = words[1:]
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words = words[:-1]
    if len(words) > 2 and " ".join(words[-2:]) == "ph d":
        words = words[:-2]
    return " ".join(words)


_COMPANY_SUFFIXES = {
    "inc", "incorporated", "llc", "llp", "lp", "ltd", "limited", "gmbh", "ag", "sa", "sas",
    "corp", "corporation", "co", "company", "plc", "bv", "nv", "srl", "sarl", "spa", "pty",
    "kg", "oy", "ab", "as", "aps", "se", "kk", "pvt", "pte", "group", "holding", "holdings",
}  # fmt: skip


@lru_cache(maxsize=65536)
def norm_company(value: str | None) -> str:
    """A company name folded for matching: no case, punctuation, accents or legal suffixes.

    >>> norm_company("ACME, Inc.")
    'acme'
    >>> norm_company("The Analytical Engine Company Ltd")
    'analytical engine'
    """
    if not value:
        return ""
    words = _fold(value.replace("&", " and ")).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def norm_phone(value: str | None) -> str | None:
    """Digits of a phone number (with a leading ``+`` if it had one); None if under 6 digits.

    >>> norm_phone("+1 (555) 010-9999")
    '+15550109999'
    """
    if not value:
        return None
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) < 6:
        return None
    return ("+" if value.strip().startswith("+") else "") + digits


def identity_keys(
    *,
    name: str = "",
    emails: Iterable[str] = (),
    linkedin_url: str | None = None,
    company: str | None = None,
    external_id: str | None = None,
    team: bool = False,
) -> list[tuple[str, str]]:
    """The blocking keys that identify a person, strongest first.

    Kinds: ``id`` (source-scoped record id), ``email``, ``linkedin``, ``namecomp``
    (name + company) and ``team`` (a rep's name, only for team members). A name alone
    yields no key, so it can never cause a merge.

    >>> identity_keys(name="Ada Lovelace", emails=["ADA@x.org"], company="Analytical Ltd")
    [('email', 'ada@x.org'), ('namecomp', 'ada lovelace|analytical')]
    """
    keys: list[tuple[str, str]] = []
    if external_id:
        keys.append(("id", external_id))
    for e in emails:
        ne = norm_email(e)
        if ne and ("email", ne) not in keys:
            keys.append(("email", ne))
    nl = norm_linkedin_url(linkedin_url)
    if nl:
        keys.append(("linkedin", nl))
    nn = norm_name(name)
    nc = norm_company(company)
    if nn and nc and " " in nn:  # a single given name plus a company is too weak to merge on
        keys.append(("namecomp", f"{nn}|{nc}"))
    if team and nn:
        keys.append(("team", nn))
    return keys


@dataclass(slots=True)
class Match:
    """The outcome of resolving one set of keys: the person it belongs to, and the people that
    had to be merged into it (each with the key that joined them)."""

    person: int
    created: bool = False
    merged: list[tuple[int, str]] = field(default_factory=list)


#: Key kinds that only attach a name-only mention to the one person already known under
#: them; they never merge two people. ``ownername`` is a name within one owner's network.
WEAK_KINDS = frozenset({"ownername"})
_AMBIGUOUS = -1


class Resolver:
    """In-memory blocking index from identity keys to person ids, with union of people.

    The workspace loads the keys it holds, feeds each incoming mention's keys through
    `resolve`, and persists what comes back. ``new_id`` allocates a person id. ``apart`` holds
    pairs of people that a user separated (`unmerge`) and that must not be merged again.

    Weak keys (`WEAK_KINDS`) are a last resort for mentions that no strong key resolves and
    that carry no company: a "Dana Lee" in one owner's LinkedIn messages is the one "Dana Lee"
    among that owner's connections, if there is exactly one (and, when the message gives a
    profile URL, that connection has no other profile). A weak key held by two people is
    ambiguous and attaches nobody.
    """

    def __init__(
        self,
        keys: Iterable[tuple[str, str, int]] = (),
        *,
        new_id: Iterator[int],
        apart: Iterable[tuple[int, int]] = (),
    ) -> None:
        self._index: dict[tuple[str, str], int] = {}
        self._weak: dict[tuple[str, str], int] = {}
        self._alias: dict[int, int] = {}
        self._with_url: set[int] = set()  # people known by a LinkedIn profile
        for kind, value, pid in keys:
            if kind in WEAK_KINDS:
                self._add_weak((kind, value), pid)
            else:
                self._index.setdefault((kind, value), pid)
                if kind == "linkedin":
                    self._with_url.add(pid)
        self._new_id = new_id
        self._apart = {frozenset(p) for p in apart}

    def _add_weak(self, key: tuple[str, str], pid: int) -> None:
        have = self._weak.get(key)
        if have is None:
            self._weak[key] = pid
        elif have != _AMBIGUOUS and self.find(have) != self.find(pid):
            self._weak[key] = _AMBIGUOUS

    @staticmethod
    def _may_attach(keys: list[tuple[str, str]]) -> bool:
        """A weak key may attach a mention known by nothing but a name, a LinkedIn profile or
        an email: with a company (or a record id) it says who it is, and a namesake elsewhere
        is someone else."""
        return all(k[0] in ("linkedin", "email") for k in keys)

    def find(self, pid: int) -> int:
        """The person `pid` now belongs to (after merges in this session)."""
        root = pid
        while root in self._alias:
            root = self._alias[root]
        while pid != root:  # path compression
            self._alias[pid], pid = root, self._alias[pid]
        return root

    def resolve(
        self, keys: list[tuple[str, str]], weak: list[tuple[str, str]] = ()
    ) -> Match:
        """The person these keys identify, creating one or merging several as the keys say.

        The first person found (strongest key first) is kept; any other person that a later
        key points at is merged into it, unless the two were explicitly separated. Only when
        no key finds anybody may a `weak` key attach the mention to the one person it names.
        """
        found: list[tuple[int, str]] = []
        for key in keys:
            pid = self._index.get(key)
            if pid is not None:
                root = self.find(pid)
                if all(root != f for f, _ in found):
                    found.append((root, key[0]))
        if not found and weak and self._may_attach(keys):
            for key in weak:
                pid = self._weak.get(key)
                if pid is not None and pid != _AMBIGUOUS:
                    root = self.find(pid)
                    if any(k[0] == "linkedin" for k in keys) and root in self._with_url:
                        break  # a different LinkedIn profile: another person of that name
                    found.append((root, key[0]))
                    break
        if not found:
            pid = next(self._new_id)
            for key in keys:
                self._index[key] = pid
            if any(k[0] == "linkedin" for k in keys):
                self._with_url.add(pid)
            for key in weak:
                self._add_weak(key, pid)
            return Match(pid, created=True)
        keep = found[0][0]
        match = Match(keep)
        for other, reason in found[1:]:
            if frozenset((keep, other)) in self._apart:
                continue
            self._alias[other] = keep
            match.merged.append((other, reason))
        if any(k[0] == "linkedin" for k in keys):
            self._with_url.add(keep)
        for key in keys:
            current = self._index.get(key)
            if current is None:
                self._index[key] = keep
            elif (root := self.find(current)) != keep and frozenset((keep, root)) not in self._apart:
                self._index[key] = keep
        for key in weak:
            self._add_weak(key, keep)
        return match
