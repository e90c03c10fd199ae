"""Follow-ups: how often each relationship is usually tended, and who is due again.

A *relationship* here is a team member and a contact (not on the team) with at least one dated,
personal interaction (message, email, call, meeting, task, manual note; group messages to more
than a few people do not count, as in `graph.strength`). Each relationship gets a **cadence
bucket**: ``A`` (every 14 days), ``B`` (every 30 days) or ``C`` (every 90 days) by default.

Inferring the bucket
--------------------
The contact days are first folded into *touches*: a day counts as a new touch only when it is
at least `Cadence.episode_days` (7) after the previous touch, so one back-and-forth over a few
days is one touch, and daily contact becomes one touch a week. The **usual interval** is the
median gap between consecutive touches (the median, not the mean, so one long silence does not
hide a steady rhythm). It is assigned to the nearest bucket on a logarithmic scale (intervals are
ratios: 60 days is 2x the B interval and 1.5x shorter than C, so it is C). With fewer than
`Cadence.min_intervals` (2) gaps there is too little history and the bucket is ``C``. A bucket
set by hand (`graph.workspace.Workspace.set_cadence`) wins over the inferred one, for one team
member or for the whole team.

Due or not
----------
With ``every`` the bucket's days and ``since`` the days since the last touch: ``ok`` while
``since < every``, ``due`` from ``every``, ``overdue`` from ``2 x every`` (a whole cycle
missed), and ``lapsed`` once `Cadence.lapse_cycles` (6) cycles or `Cadence.max_idle_days` (365)
have passed, whichever comes first: the rhythm is broken, and the relationship needs a revival
rather than a routine follow-up (`graph.weak_ties` lists dormant ties; reconnecting with them is
valuable [2]_).

The best channel is the kind of contact (message, email, call, meeting) with the largest
recency-weighted count (each contact weighs ``0.5 ** (age / 180 days)``, the half-life of the
tie-strength model: recent contact says most about a tie [1]_), ties broken by the most recent.

The functions here are pure: they read a `ContactHistory` (arrays, one row per interaction)
that `graph.history.read_contact_history` builds from a workspace.

References
----------
.. [1] Gilbert, E. and Karahalios, K. "Predicting tie strength with social media." CHI 2009.
.. [2] Levin, D. Z., Walter, J. and Murnighan, J. K. "Dormant ties: The value of reconnecting."
   Organization Science 22(4), 2011.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from graph.model import INTERACTION_KINDS
from graph.strength import PERSONAL_KINDS, Params

__all__ = [
    "Cadence",
    "ContactHistory",
    "FollowUp",
    "FollowUps",
    "DEFAULT_BUCKETS",
    "CHANNELS",
    "touches",
    "usual_interval",
    "nearest_bucket",
    "best_channel",
    "cadences",
    "followups_due",
]

#: Default buckets: name -> days between contacts.
DEFAULT_BUCKETS: Mapping[str, int] = {"A": 14, "B": 30, "C": 90}
#: Interaction kinds that are a channel one can use to get in touch again.
CHANNELS = ("message", "email", "call", "meeting")
_PERSONAL_CODES = np.array(sorted(INTERACTION_KINDS.index(k) for k in PERSONAL_KINDS))
_STATUS_ORDER = {"overdue": 0, "due": 1, "ok": 2, "lapsed": 3}
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Cadence:
    """Settings of the cadence model.

    Parameters
    ----------
    buckets : mapping of bucket name to days, default A=14, B=30, C=90
    default_bucket : str, default "C"
        The bucket of a relationship with too little history.
    min_intervals : int, default 2
        Fewest gaps between touches (so at least three touches) to infer a bucket.
    episode_days : float, default 7
        Contact days closer than this to the previous touch belong to it.
    max_idle_days : float, default 365
        Silent longer than this: ``lapsed``, not due.
    lapse_cycles : float, default 6
        Silent for more than this many cycles of the bucket: ``lapsed`` too.
    max_recipients : int, default 4
        Group messages to more people than this are broadcasts and do not count (the
        tie-strength model's threshold, `graph.strength.Params.broadcast_recipients`).
    half_life_days : float, default 180
        Half-life of a contact's weight when choosing the best channel.
    """

    buckets: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_BUCKETS))
    default_bucket: str = "C"
    min_intervals: int = 2
    episode_days: float = 7.0
    max_idle_days: float = 365.0
    lapse_cycles: float = 6.0
    max_recipients: int = Params().broadcast_recipients
    half_life_days: float = Params().half_life_days

    def __post_init__(self) -> None:
        if not self.buckets or any(d <= 0 for d in self.buckets.values()):
            raise ValueError("buckets need positive day counts")
        if self.default_bucket not in self.buckets:
            raise ValueError(f"default bucket {self.default_bucket!r} is not a bucket")


@dataclass(frozen=True)
class ContactHistory:
    """Personal interactions between team members and their contacts, one row each.

    `owner` and `contact` are workspace person ids (the team member, the other person), `day`
    the time in days since 1970-01-01 (UTC), `kind` the index of the kind in
    `graph.model.INTERACTION_KINDS`, `size` the number of people involved (2 for one-to-one).
    `people` maps each person id to ``{"id", "name", "company", "title"}`` for display.
    """

    owner: np.ndarray
    contact: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    size: np.ndarray
    people: Mapping[int, dict] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[int, int, datetime | date, str, int]],
        people: Mapping[int, dict] | None = None,
    ) -> ContactHistory:
        """From ``(owner, contact, when, kind, size)`` tuples (for tests and small inputs)."""
        rows = list(rows)
        return cls(
            owner=np.array([r[0] for r in rows], dtype=np.int64),
            contact=np.array([r[1] for r in rows], dtype=np.int64),
            day=np.array([_days(r[2]) for r in rows], dtype=np.float64),
            kind=np.array([INTERACTION_KINDS.index(r[3]) for r in rows], dtype=np.int16),
            size=np.array([r[4] for r in rows], dtype=np.int64),
            people=dict(people or {}),
        )


@dataclass
class FollowUp:
    """One relationship: its cadence, when it was last tended, and whether it is due."""

    owner: dict
    contact: dict
    bucket: str
    every_days: int
    basis: str
    inferred_bucket: str
    usual_interval_days: float | None
    touches: int
    last_contact: str
    last_kind: str
    days_since: int
    due_on: str
    status: str
    channel: str
    channels: dict[str, int]
    why: str

    def to_dict(self) -> dict:
        return {
            "owner": self.owner,
            "contact": self.contact,
            "bucket": self.bucket,
            "every_days": self.every_days,
            "basis": self.basis,
            "inferred_bucket": self.inferred_bucket,
            "usual_interval_days": self.usual_interval_days,
            "touches": self.touches,
            "last_contact": self.last_contact,
            "last_kind": self.last_kind,
            "days_since": self.days_since,
            "due_on": self.due_on,
            "status": self.status,
            "channel": self.channel,
            "channels": self.channels,
            "why": self.why,
        }


@dataclass
class FollowUps:
    """The answer to "whom should we get back to?": relationships, most urgent first."""

    as_of: str
    items: list[FollowUp]
    relationships: int
    counts: dict[str, int]
    buckets: dict[str, int]

    def to_dict(self) -> dict:
        return {
            "as_of": self.as_of,
            "relationships": self.relationships,
            "counts": self.counts,
            "buckets": self.buckets,
            "followups": [f.to_dict() for f in self.items],
        }


# ---------------------------------------------------------------------- the pieces
def _days(when: date | datetime) -> float:
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day)
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return (when - _EPOCH).total_seconds() / 86400.0


def _date(days: float) -> date:
    return (_EPOCH + timedelta(days=float(days))).date()


def touches(days: np.ndarray | Iterable[float], *, episode_days: float = 7.0) -> np.ndarray:
    """The touches among contact `days`: the first day, then every day at least
    `episode_days` after the previous touch.

    >>> touches([0, 1, 2, 30, 31, 60.5]).tolist()
    [0.0, 30.0, 60.5]
    >>> touches([0, 1, 2, 3, 4, 5, 6, 7, 8]).tolist()  # daily contact: one touch a week
    [0.0, 7.0]
    """
    d = np.sort(np.asarray(days, dtype=np.float64))
    if len(d) == 0:
        return d
    kept = [float(d[0])]
    for x in d[1:].tolist():
        if x - kept[-1] >= episode_days:
            kept.append(x)
    return np.array(kept)


def usual_interval(touch_days: np.ndarray, *, min_intervals: int = 2) -> float | None:
    """Median gap between consecutive touches, or None with fewer than `min_intervals` gaps.

    >>> usual_interval(np.array([0.0, 10.0, 40.0, 50.0]))
    10.0
    >>> usual_interval(np.array([0.0, 10.0])) is None
    True
    """
    if len(touch_days) < min_intervals + 1:
        return None
    return float(np.median(np.diff(touch_days)))


def nearest_bucket(interval: float, buckets: Mapping[str, int] = DEFAULT_BUCKETS) -> str:
    """The bucket whose days are nearest to `interval` on a log scale (ties: the shorter).

    The boundaries are the geometric means of neighbouring buckets: for 14/30/90 days,
    ``sqrt(14 * 30) ≈ 20.5`` and ``sqrt(30 * 90) ≈ 52``.

    >>> [nearest_bucket(x) for x in (3, 20, 21, 51, 53, 400)]
    ['A', 'A', 'B', 'B', 'C', 'C']
    """
    x = math.log(max(interval, 1e-9))
    return min(buckets, key=lambda b: (abs(x - math.log(buckets[b])), buckets[b]))


def best_channel(
    days: np.ndarray, kinds: Iterable[str], *, now_days: float, half_life_days: float = 180.0
) -> tuple[str, dict[str, int]]:
    """The channel to use again, and the count of contacts per kind.

    The channel (one of `CHANNELS`) with the largest recency-weighted count, ties broken by
    the most recent use; with no contact on any channel (only tasks or notes), the most recent
    kind.

    >>> best_channel(np.array([0.0, 1.0, 300.0]), ["email", "email", "call"], now_days=310.0)
    ('call', {'email': 2, 'call': 1})
    """
    kinds = list(kinds)
    counts: dict[str, int] = {}
    weight: dict[str, float] = {}
    latest: dict[str, float] = {}
    for d, k in zip(days.tolist(), kinds, strict=True):
        counts[k] = counts.get(k, 0) + 1
        weight[k] = weight.get(k, 0.0) + 0.5 ** (max(now_days - d, 0.0) / half_life_days)
        latest[k] = max(latest.get(k, -math.inf), d)
    usable = [k for k in weight if k in CHANNELS]
    if usable:
        best = max(usable, key=lambda k: (round(weight[k], 9), latest[k], k))
    else:
        best = max(latest, key=lambda k: (latest[k], k))
    return best, counts


def _status(since: float, every: int, cad: Cadence) -> str:
    if since > min(cad.max_idle_days, cad.lapse_cycles * every):
        return "lapsed"
    if since >= 2 * every:
        return "overdue"
    if since >= every:
        return "due"
    return "ok"


def _why(f: FollowUp, cad: Cadence, intervals: int) -> str:
    ago = "today" if f.days_since == 0 else f"{f.days_since} days ago"
    parts = [f"last contact {f.last_contact} ({f.last_kind}), {ago}"]
    if f.usual_interval_days is not None:
        parts.append(f"usually every {f.usual_interval_days:g} days (median of {intervals} gaps "
                     f"between {f.touches} touches)")  # fmt: skip
    else:
        parts.append(f"only {f.touches} touch{'es' if f.touches != 1 else ''} on record")
    if f.basis == "set by hand":
        other = f", inferred {f.inferred_bucket}" if f.inferred_bucket != f.bucket else ""
        parts.append(f"bucket {f.bucket} (every {f.every_days} days) set by hand{other}")
    elif f.basis == "too little history":
        parts.append(f"bucket {f.bucket} (every {f.every_days} days) until there is more history")
    else:
        parts.append(f"so bucket {f.bucket} (every {f.every_days} days)")
    if f.status == "lapsed":
        parts.append(f"silent for {f.days_since} days, over "
                     f"{min(cad.max_idle_days, cad.lapse_cycles * f.every_days):g}: revive rather "
                     "than follow up")  # fmt: skip
    elif f.status in ("due", "overdue"):
        late = f.days_since - f.every_days
        parts.append(f"{f.status} since {f.due_on}" + (f" ({late} days)" if late else ""))
    else:
        parts.append(f"next due {f.due_on}")
    return "; ".join(parts)


# ---------------------------------------------------------------------- whole lists
def cadences(
    history: ContactHistory,
    *,
    now: date | datetime,
    overrides: Iterable[tuple[int, int, str]] = (),
    cadence: Cadence = Cadence(),
    owner: int | None = None,
) -> FollowUps:
    """Every relationship in `history` with its bucket and status, most urgent first.

    Parameters
    ----------
    history : ContactHistory
    now : date or datetime
        The reference day (explicit, for reproducible answers).
    overrides : iterable of (owner id or 0, contact id, bucket)
        Buckets set by hand; one for a specific owner wins over one for every owner (0).
        Unknown bucket names are ignored.
    cadence : Cadence
    owner : int, optional
        Only this team member's relationships.

    Returns
    -------
    FollowUps
        Items sorted by status (overdue, due, ok, lapsed), then by how late they are relative
        to their cadence (days since / every), the latest first; ``ok`` items by due date.
    """
    now_days = _days(now)
    personal = np.isin(history.kind, _PERSONAL_CODES)
    keep = personal & (np.maximum(history.size - 1, 1) <= cadence.max_recipients)
    keep &= np.isfinite(history.day) & (history.day <= now_days + 1.0)
    if owner is not None:
        keep &= history.owner == owner
    o, c, d, k = history.owner[keep], history.contact[keep], history.day[keep], history.kind[keep]
    by_hand: dict[tuple[int, int], str] = {}
    for oid, pid, b in overrides:
        if b in cadence.buckets:
            by_hand[(int(oid), int(pid))] = b
    items: list[FollowUp] = []
    if len(o):
        order = np.lexsort((d, c, o))
        o, c, d, k = o[order], c[order], d[order], k[order]
        cut = np.flatnonzero((np.diff(o) != 0) | (np.diff(c) != 0)) + 1
        starts = np.concatenate([[0], cut])
        ends = np.concatenate([cut, [len(o)]])
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            items.append(_follow_up(history, int(o[s]), int(c[s]), d[s:e], k[s:e], now_days,
                                    by_hand, cadence))  # fmt: skip
    items.sort(key=lambda f: (_STATUS_ORDER[f.status],
                              -(f.days_since / f.every_days) if f.status != "ok" else 0.0,
                              f.due_on, f.owner["id"], f.contact["id"]))  # fmt: skip
    counts = {s: sum(1 for f in items if f.status == s) for s in _STATUS_ORDER}
    return FollowUps(as_of=_date(now_days).isoformat(), items=items, relationships=len(items),
                     counts=counts, buckets=dict(cadence.buckets))  # fmt: skip


def followups_due(
    history: ContactHistory,
    *,
    now: date | datetime,
    overrides: Iterable[tuple[int, int, str]] = (),
    cadence: Cadence = Cadence(),
    owner: int | None = None,
) -> FollowUps:
    """Only the relationships that are ``due`` or ``overdue`` (see `cadences`), most urgent
    first; `FollowUps.counts` still counts every status."""
    everything = cadences(history, now=now, overrides=overrides, cadence=cadence, owner=owner)
    everything.items = [f for f in everything.items if f.status in ("due", "overdue")]
    return everything


def _person(history: ContactHistory, pid: int) -> dict:
    d = history.people.get(pid)
    return dict(d) if d else {"id": f"p{pid}", "name": f"p{pid}", "company": None, "title": None}


def _follow_up(
    history: ContactHistory,
    oid: int,
    pid: int,
    days: np.ndarray,
    kinds: np.ndarray,
    now_days: float,
    by_hand: Mapping[tuple[int, int], str],
    cad: Cadence,
) -> FollowUp:
    t = touches(days, episode_days=cad.episode_days)
    interval = usual_interval(t, min_intervals=cad.min_intervals)
    inferred = nearest_bucket(interval, cad.buckets) if interval is not None else cad.default_bucket
    hand = by_hand.get((oid, pid)) or by_hand.get((0, pid))
    bucket = hand or inferred
    basis = "set by hand" if hand else "inferred" if interval is not None else "too little history"
    every = int(cad.buckets[bucket])
    names = [INTERACTION_KINDS[int(x)] for x in kinds.tolist()]
    channel, counts = best_channel(days, names, now_days=now_days,
                                   half_life_days=cad.half_life_days)  # fmt: skip
    last = float(days[-1])
    since = max(0, (_date(now_days) - _date(last)).days)
    f = FollowUp(
        owner=_person(history, oid), contact=_person(history, pid), bucket=bucket,
        every_days=every, basis=basis, inferred_bucket=inferred,
        usual_interval_days=None if interval is None else round(interval, 1),
        touches=len(t), last_contact=_date(last).isoformat(), last_kind=names[-1],
        days_since=since, due_on=(_date(last) + timedelta(days=every)).isoformat(),
        status=_status(since, every, cad), channel=channel, channels=counts, why="",
    )  # fmt: skip
    f.why = _why(f, cad, len(t) - 1)
    return f
