r"""Tie strength: a glass-box number in (0, 1], built from named components.

How well two people know each other decides whether one will introduce the other, so the
number must be explainable: each tie's strength is a weighted mean of components, each in
[0, 1], that a person can check against the evidence.

Components
----------
frequency
    How much they interact, recent contact counting more: every personal interaction weighs
    :math:`2^{-\text{age}/h}` (half-life :math:`h`, default 180 days) divided by the number of
    other people on it; mails and messages to more than `broadcast_recipients` people (default
    4, after Kossinets & Watts) count as broadcast and weigh nothing. The sum :math:`W` maps to
    :math:`1 - e^{-W/s}` (scale :math:`s`, default 4 weighted interactions).
recency
    :math:`2^{-d/h_r}` for :math:`d` days since their last personal interaction
    (half-life :math:`h_r`, default 180 days); 0 with no interaction.
reciprocity
    Both sides wrote: :math:`\min(n_{ab}, n_{ba}) / \max(n_{ab}, n_{ba})` over directed
    interactions; 0 when only one side ever wrote.
duration
    How long they have known each other, first to last evidence:
    :math:`1 - e^{-y/3}` for :math:`y` years.
overlap
    Share of their contacts they have in common (Onnela et al. 2007):
    :math:`o_{ij} = n_{ij} / ((k_i - 1) + (k_j - 1) - n_{ij})`.
context
    The strongest explicit context: colleagues now (1.0 at a company of at most ten known
    people, falling with its size), a stated reporting line (0.9), colleagues before (0.6), a
    CRM relationship owner (0.6), an address-book entry or shared deal (0.4), a bare LinkedIn
    connection (0.3), an invitation (0.2).

The strength is :math:`\sum_c w_c x_c / \sum_c w_c` with the versioned `Weights`, floored at
0.01 so that any evidence at all is a tie. With the default weights a bare LinkedIn connection
is about 0.08 (weak, not zero), colleagues at a small company about 0.3, and a colleague one
writes to every week for years close to 0.9.

References
----------
.. [1] Granovetter, M. "The Strength of Weak Ties." American Journal of Sociology 78, 1973.
.. [2] Gilbert, E. and Karahalios, K. "Predicting tie strength with social media." CHI 2009
   (recency and intensity are the strongest predictors).
.. [3] Onnela, J.-P. et al. "Structure and tie strengths in mobile communication networks."
   PNAS 104, 2007 (neighbourhood overlap).
.. [4] Kossinets, G. and Watts, D. "Empirical analysis of an evolving social network."
   Science 311, 2006 (e-mail to many recipients as broadcast).
.. [5] Rajkumar, K. et al. "A causal test of the strength of weak ties." Science 377, 2022.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

import numpy as np

__all__ = [
    "Weights",
    "Params",
    "TieEvidence",
    "Strength",
    "COMPONENTS",
    "CONTEXTS",
    "MODEL_VERSION",
    "frequency",
    "recency",
    "reciprocity",
    "duration",
    "overlap",
    "colleague_context",
    "interaction_weight",
    "tie_strength",
    "component_arrays",
    "combine_arrays",
    "explain",
]

COMPONENTS = ("frequency", "recency", "reciprocity", "duration", "overlap", "context")

#: Explicit contexts and their value; "colleague_now" is scaled by company size.
CONTEXTS: dict[str, float] = {
    "colleague_now": 1.0,
    "reports_to": 0.9,
    "colleague_before": 0.6,
    "crm_owner": 0.6,
    "address_book": 0.4,
    "deal": 0.4,
    "linkedin": 0.3,
    "invitation": 0.2,
}

#: Interaction kinds that are personal contact (count for frequency, recency, reciprocity).
PERSONAL_KINDS = frozenset({"message", "email", "meeting", "call", "task", "manual"})
#: Interaction kind -> the context it establishes.
KIND_CONTEXT = {
    "connected": "linkedin",
    "crm-owner": "crm_owner",
    "colleague": "reports_to",
    "deal": "deal",
    "address-book": "address_book",
    "invitation": "invitation",
}


@dataclass(frozen=True)
class Weights:
    """Weights of the components; `version` names the set and appears in every output."""

    frequency: float = 0.25
    recency: float = 0.20
    reciprocity: float = 0.10
    duration: float = 0.10
    overlap: float = 0.10
    context: float = 0.25
    version: str = "w1"

    def as_dict(self) -> dict[str, float]:
        d = asdict(self)
        d.pop("version")
        return d

    def scaled(self, component: str, factor: float) -> Weights:
        """The same set with one component's weight multiplied by `factor` (for sensitivity)."""
        d = asdict(self)
        d[component] = d[component] * factor
        d["version"] = f"{self.version}*{component}x{factor:g}"
        return Weights(**d)


@dataclass(frozen=True)
class Params:
    """Parameters of the components (half-lives, scales, the broadcast threshold)."""

    half_life_days: float = 180.0
    recency_half_life_days: float = 180.0
    frequency_scale: float = 4.0
    duration_scale_years: float = 3.0
    broadcast_recipients: int = 4
    floor: float = 0.01


MODEL_VERSION = "tie-strength/1+" + Weights().version


@dataclass
class TieEvidence:
    """What is known about one pair, aggregated from their interactions and context.

    `weighted` is the half-life-weighted, group-discounted interaction count (see
    `interaction_weight`); `n_ab`/`n_ba` count personal directed interactions each way;
    `counts` counts interactions by kind; `contexts` maps context names to their value.
    """

    weighted: float = 0.0
    n_ab: int = 0
    n_ba: int = 0
    n_undirected: int = 0
    n_broadcast: int = 0
    first: datetime | None = None
    last: datetime | None = None
    last_personal: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    contexts: dict[str, float] = field(default_factory=dict)
    colleague_at: str | None = None
    withheld: str | None = None  # why the details are not shown (`graph.privacy`), if they are not


@dataclass
class Strength:
    """A tie's strength, its components, and the weights version that combined them."""

    value: float
    components: dict[str, float]
    version: str

    def to_dict(self) -> dict:
        return {"strength": self.value, "components": self.components, "model_version": self.version}


def interaction_weight(
    group_size: int, age_days: float, *, half_life_days: float = 180.0, broadcast_recipients: int = 4
) -> float:
    """Weight of one interaction for frequency: halves every `half_life_days` and is shared
    among the other people on it; 0 for a broadcast (more than `broadcast_recipients`).

    >>> interaction_weight(2, 0)
    1.0
    >>> interaction_weight(3, 180)   # two recipients, one half-life old
    0.25
    >>> interaction_weight(41, 0)    # an email to 40 people
    0.0
    """
    recipients = max(1, group_size - 1)
    if recipients > broadcast_recipients:
        return 0.0
    return 0.5 ** (max(0.0, age_days) / half_life_days) / recipients


def frequency(weighted: float, *, scale: float = 4.0) -> float:
    """Frequency component from a weighted interaction count: :math:`1 - e^{-W/s}`.

    >>> round(frequency(4.0), 4)
    0.6321
    """
    return 1.0 - math.exp(-max(0.0, weighted) / scale)


def recency(last_seen: date | datetime | None, *, now: date | datetime, half_life_days: float = 180.0) -> float:
    """Recency component, in (0, 1]: halves every `half_life_days`; 0 for never.

    >>> recency(date(2023, 7, 5), now=date(2024, 6, 29))
    0.25
    """
    if last_seen is None:
        return 0.0
    days = (_as_datetime(now) - _as_datetime(last_seen)).total_seconds() / 86400.0
    return 0.5 ** (max(0.0, days) / half_life_days)


def reciprocity(n_ab: int, n_ba: int) -> float:
    """Balance of who writes to whom: 1 when equal, 0 when one-sided.

    >>> reciprocity(10, 5)
    0.5
    >>> reciprocity(3, 0)
    0.0
    """
    hi = max(n_ab, n_ba)
    return min(n_ab, n_ba) / hi if hi else 0.0


def duration(first: date | datetime | None, last: date | datetime | None, *, scale_years: float = 3.0) -> float:
    """How long they have known each other: :math:`1 - e^{-y/3}` for `y` years.

    >>> round(duration(date(2020, 1, 1), date(2023, 1, 1)), 3)
    0.632
    """
    if first is None or last is None:
        return 0.0
    years = (_as_datetime(last) - _as_datetime(first)).total_seconds() / (365.25 * 86400)
    return 1.0 - math.exp(-max(0.0, years) / scale_years)


def overlap(shared: int, k_i: int, k_j: int) -> float:
    """Neighbourhood overlap of a tie (Onnela et al. 2007): shared contacts over the contacts
    either has besides the other, :math:`n_{ij} / ((k_i - 1) + (k_j - 1) - n_{ij})`.

    >>> overlap(2, 4, 3)   # 2 shared of (3 + 2 - 2) = 3 others
    0.6666666666666666
    >>> overlap(0, 1, 1)   # no other contacts at all
    0.0
    """
    denom = (k_i - 1) + (k_j - 1) - shared
    return shared / denom if denom > 0 else 0.0


def colleague_context(company_size: int) -> float:
    """Value of "colleagues now" at a company where `company_size` people are known: 1.0 up
    to ten people, halving for every tenfold growth beyond (people at a big company mostly do
    not know each other).

    >>> colleague_context(8), colleague_context(100), round(colleague_context(1000), 3)
    (1.0, 0.5, 0.333)
    """
    if company_size <= 10:
        return 1.0
    return 1.0 / (1.0 + math.log10(company_size / 10.0))


def tie_strength(
    ev: TieEvidence,
    *,
    overlap_value: float,
    now: date | datetime,
    weights: Weights = Weights(),
    params: Params = Params(),
) -> Strength:
    """The strength of one tie from its evidence; see the module docstring for the model."""
    comps = {
        "frequency": frequency(ev.weighted, scale=params.frequency_scale),
        "recency": recency(ev.last_personal, now=now, half_life_days=params.recency_half_life_days),
        "reciprocity": reciprocity(ev.n_ab, ev.n_ba),
        "duration": duration(ev.first, ev.last, scale_years=params.duration_scale_years),
        "overlap": overlap_value,
        "context": max(ev.contexts.values(), default=0.0),
    }
    return Strength(combine(comps, weights, params), comps, "tie-strength/1+" + weights.version)


def combine(components: dict[str, float], weights: Weights = Weights(), params: Params = Params()) -> float:
    """The weighted mean of `components`, floored at ``params.floor`` and capped at 1."""
    w = weights.as_dict()
    total = sum(w.values())
    value = sum(w[c] * components.get(c, 0.0) for c in COMPONENTS) / total if total else 0.0
    return min(1.0, max(params.floor, value))


def component_arrays(
    *,
    weighted: np.ndarray,
    n_ab: np.ndarray,
    n_ba: np.ndarray,
    first_days: np.ndarray,
    last_days: np.ndarray,
    last_personal_days: np.ndarray,
    context: np.ndarray,
    overlap_values: np.ndarray,
    now_days: float,
    params: Params = Params(),
) -> np.ndarray:
    """The six components for many ties at once, as an ``(m, 6)`` array in `COMPONENTS`
    order; the same formulas as `frequency`, `recency`, ... above (days are days since the
    Unix epoch; NaN means never)."""
    freq = 1.0 - np.exp(-np.maximum(weighted, 0.0) / params.frequency_scale)
    age = np.maximum(now_days - last_personal_days, 0.0)
    rec = np.where(np.isnan(last_personal_days), 0.0,
                   np.power(0.5, np.nan_to_num(age) / params.recency_half_life_days))  # fmt: skip
    hi = np.maximum(n_ab, n_ba).astype(np.float64)
    recip = np.divide(np.minimum(n_ab, n_ba), hi, out=np.zeros_like(hi), where=hi > 0)
    years = np.nan_to_num(np.maximum(last_days - first_days, 0.0)) / 365.25
    dur = 1.0 - np.exp(-years / params.duration_scale_years)
    return np.column_stack([freq, rec, recip, dur, overlap_values, context])


def combine_arrays(components: np.ndarray, weights: Weights = Weights(), params: Params = Params()) -> np.ndarray:
    """`combine` for an ``(m, 6)`` component array."""
    w = np.array([weights.as_dict()[c] for c in COMPONENTS])
    total = w.sum()
    values = components @ w / total if total else np.zeros(len(components))
    return np.clip(values, params.floor, 1.0)


def _as_datetime(d: date | datetime) -> datetime:
    return d if isinstance(d, datetime) else datetime(d.year, d.month, d.day)


def _ago(when: datetime, now: datetime) -> str:
    days = int((now - when).total_seconds() // 86400)
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{days // 30} months ago"
    return f"{days // 365} years ago"


_KIND_WORDS = {
    "message": ("message", "messages"),
    "email": ("email", "emails"),
    "meeting": ("meeting", "meetings"),
    "call": ("call", "calls"),
    "task": ("CRM task", "CRM tasks"),
    "manual": ("logged contact", "logged contacts"),
}


def explain(a: str, b: str, ev: TieEvidence, *, now: date | datetime) -> str:
    """One plain sentence on why `a` and `b` are tied, e.g. "Priya and Dana exchanged 23
    messages, last 9 days ago, both ways; CRM relationship owner; LinkedIn connection since
    2016"."""
    if ev.withheld:
        return f"{a} and {b}: {ev.withheld}"
    now_dt = _as_datetime(now)
    parts: list[str] = []
    personal = {k: n for k, n in ev.counts.items() if k in _KIND_WORDS and n}
    if personal:
        said = ", ".join(
            f"{n} {_KIND_WORDS[k][0] if n == 1 else _KIND_WORDS[k][1]}"
            for k, n in sorted(personal.items(), key=lambda kv: -kv[1])
        )
        s = f"{a} and {b} exchanged {said}"
        if ev.last_personal:
            s += f", last {_ago(ev.last_personal, now_dt)}"
        if ev.n_ab and ev.n_ba:
            s += ", both ways"
        elif ev.n_ab or ev.n_ba:
            s += f", only from {a if ev.n_ab else b}"
        if ev.n_broadcast:
            s += f" (plus {ev.n_broadcast} group mails not counted)"
        parts.append(s)
    elif ev.n_broadcast:
        parts.append(f"{a} and {b} were only on {ev.n_broadcast} group mails together")
    ctx = ev.contexts
    if "colleague_now" in ctx:
        parts.append(f"colleagues at {ev.colleague_at}" if ev.colleague_at else "colleagues now")
    if "reports_to" in ctx:
        parts.append("a reporting line in the CRM")
    if "colleague_before" in ctx:
        parts.append(f"worked at {ev.colleague_at} at the same time" if ev.colleague_at else "former colleagues")
    if "crm_owner" in ctx:
        parts.append("CRM relationship owner")
    if "deal" in ctx:
        parts.append("on the same opportunity")
    if "address_book" in ctx:
        parts.append("in an address book")
    if "linkedin" in ctx:
        since = f" since {ev.first.year}" if ev.first else ""
        parts.append(f"LinkedIn connection{since}" + ("" if personal or len(ctx) > 1 else " only"))
    if "invitation" in ctx and "linkedin" not in ctx:
        parts.append("a LinkedIn invitation")
    if not parts:
        return f"{a} and {b}: no recorded evidence"
    text = "; ".join(parts)
    if not personal and not ev.n_broadcast:
        text = f"{a} and {b}: " + text
    return text
