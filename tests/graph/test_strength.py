"""Tie strength, component by component; expected values derived by hand in each docstring."""

from datetime import date, datetime

import numpy as np
import pytest

from graph.strength import (
    COMPONENTS,
    Params,
    TieEvidence,
    Weights,
    colleague_context,
    combine,
    combine_arrays,
    component_arrays,
    duration,
    explain,
    frequency,
    interaction_weight,
    overlap,
    recency,
    reciprocity,
    tie_strength,
)

NOW = datetime(2024, 6, 29)


def test_recency_two_half_lives_is_a_quarter():
    """Last seen 2023-07-05, now 2024-06-29: 360 days = 2 half-lives of 180 -> 2**-2."""
    assert recency(date(2023, 7, 5), now=date(2024, 6, 29)) == pytest.approx(0.25)
    assert recency(None, now=NOW) == 0.0


def test_group_mail_is_shared_and_broadcast_ignored():
    """A mail to 3 people today weighs 1/3; to 5 people (more than 4) it is a broadcast: 0."""
    assert interaction_weight(4, 0) == pytest.approx(1 / 3)
    assert interaction_weight(6, 0) == 0.0
    assert interaction_weight(6, 0, broadcast_recipients=10) == pytest.approx(1 / 5)


def test_frequency_saturates():
    """1 - e^{-W/4}: W=0 -> 0; W=4 -> 1 - 1/e ~ 0.632; W=40 -> ~1."""
    assert frequency(0) == 0
    assert frequency(4) == pytest.approx(1 - np.exp(-1))
    assert frequency(40) > 0.99


def test_reciprocity_duration_overlap_by_hand():
    """10 out / 5 back -> 0.5; 3 years -> 1 - e^{-1}; Onnela overlap with k_i=5, k_j=4 and
    2 shared: 2 / ((5-1) + (4-1) - 2) = 2/5."""
    assert reciprocity(10, 5) == 0.5
    assert reciprocity(0, 7) == 0.0
    assert duration(date(2021, 1, 1), date(2024, 1, 1)) == pytest.approx(1 - np.exp(-1), abs=1e-3)
    assert overlap(2, 5, 4) == pytest.approx(0.4)


def test_colleague_context_falls_with_company_size():
    assert colleague_context(3) == 1.0
    assert colleague_context(100) == pytest.approx(0.5)
    assert colleague_context(10_000) == pytest.approx(0.25)


def test_bare_linkedin_connection_is_weak_not_zero():
    """Only context 0.3 with weight 0.25 of a total 1.0: 0.075 (plus no other component)."""
    ev = TieEvidence(contexts={"linkedin": 0.3}, first=datetime(2016, 5, 1), last=datetime(2016, 5, 1),
                     counts={"connected": 1})  # fmt: skip
    s = tie_strength(ev, overlap_value=0.0, now=NOW)
    assert s.value == pytest.approx(0.075)
    assert 0 < s.value < 0.15


def test_strong_tie_by_hand():
    """20 recent two-way messages (W ~ 20 -> freq 1 - e^{-5} = 0.9933), last seen now
    (recency 1), 10 vs 10 (reciprocity 1), known 3 years (0.6321), overlap 0.2, context
    LinkedIn 0.3: 0.25*0.9933 + 0.2*1 + 0.1*1 + 0.1*0.6321 + 0.1*0.2 + 0.25*0.3 = 0.7065."""
    ev = TieEvidence(weighted=20.0, n_ab=10, n_ba=10, first=datetime(2021, 6, 29, 18),
                     last=NOW, last_personal=NOW, contexts={"linkedin": 0.3})  # fmt: skip
    s = tie_strength(ev, overlap_value=0.2, now=NOW)
    assert s.components["frequency"] == pytest.approx(1 - np.exp(-5))
    assert s.value == pytest.approx(0.25 * (1 - np.exp(-5)) + 0.2 + 0.1 + 0.1 * (1 - np.exp(-1)) + 0.02 + 0.075, abs=1e-3)
    assert s.version.endswith(Weights().version)


def test_vectorised_components_equal_the_scalar_formulas():
    rng = np.random.default_rng(3)
    m = 50
    now_days = 20000.0
    first = now_days - rng.uniform(0, 4000, m)
    last = np.minimum(first + rng.uniform(0, 3000, m), now_days)
    lastp = np.where(rng.random(m) < 0.3, np.nan, last)
    weighted, n_ab, n_ba = rng.uniform(0, 30, m), rng.integers(0, 20, m), rng.integers(0, 20, m)
    ctx, ov = rng.uniform(0, 1, m), rng.uniform(0, 1, m)
    arr = component_arrays(weighted=weighted, n_ab=n_ab, n_ba=n_ba, first_days=first, last_days=last,
                           last_personal_days=lastp, context=ctx, overlap_values=ov, now_days=now_days)  # fmt: skip
    to_dt = lambda d: None if np.isnan(d) else datetime(1970, 1, 1) + (datetime(1970, 1, 2) - datetime(1970, 1, 1)) * d  # noqa: E731
    for i in range(m):
        ev = TieEvidence(weighted=weighted[i], n_ab=int(n_ab[i]), n_ba=int(n_ba[i]), first=to_dt(first[i]),
                         last=to_dt(last[i]), last_personal=to_dt(lastp[i]), contexts={"x": ctx[i]})  # fmt: skip
        s = tie_strength(ev, overlap_value=ov[i], now=to_dt(now_days))
        assert [s.components[c] for c in COMPONENTS] == pytest.approx(arr[i].tolist(), abs=1e-9)
        assert combine_arrays(arr[i : i + 1])[0] == pytest.approx(s.value)


def test_weights_scale_one_component():
    w = Weights().scaled("recency", 1.2)
    assert w.recency == pytest.approx(0.24) and w.frequency == Weights().frequency
    assert "recency" in w.version
    comps = dict.fromkeys(COMPONENTS, 0.0) | {"recency": 1.0}
    assert combine(comps, w) == pytest.approx(0.24 / 1.04)
    assert combine(dict.fromkeys(COMPONENTS, 0.0), Weights(), Params()) == Params().floor


def test_explanation_reads_like_a_sentence():
    ev = TieEvidence(n_ab=12, n_ba=11, counts={"message": 23}, last_personal=datetime(2024, 6, 20),
                     first=datetime(2016, 3, 1), contexts={"linkedin": 0.3, "colleague_before": 0.6},
                     colleague_at="Initech")  # fmt: skip
    text = explain("Priya", "Dana", ev, now=NOW)
    assert text.startswith("Priya and Dana exchanged 23 messages, last 9 days ago, both ways")
    assert "Initech" in text and "LinkedIn connection since 2016" in text
    one_way = explain("Priya", "Dana", TieEvidence(n_ab=3, counts={"email": 3}), now=NOW)
    assert "only from Priya" in one_way
