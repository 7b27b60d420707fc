"""Wilson and Student t intervals, quantiles and the confidence check, against formulas computed by hand."""

import math

import numpy as np
import pytest
from scipy import stats

from cxlab.stats.intervals import check_confidence, t_critical, t_mean, wilson, z_critical


def wilson_by_hand(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval, closed form: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
@pytest.mark.parametrize(("k", "n"), [(1, 2), (3, 7), (12, 40), (81, 263), (499, 1000)])
def test_wilson_is_the_closed_form_score_interval(k, n, confidence):
    assert wilson(k, n, confidence) == pytest.approx(wilson_by_hand(k, n, confidence), abs=1e-12)


def test_wilson_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table II: 81/263, Wilson score 0.2553 to 0.3662.
    low, high = wilson(81, 263, 0.95)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_wilson_at_the_edges():
    z2 = stats.norm.ppf(0.975) ** 2
    low, high = wilson(0, 10, 0.95)
    assert low == pytest.approx(0.0, abs=1e-15)
    assert high == pytest.approx(z2 / (10 + z2))
    low, high = wilson(10, 10, 0.95)
    assert low == pytest.approx(10 / (10 + z2))
    assert high == pytest.approx(1.0)
    assert all(math.isnan(x) for x in wilson(0, 0, 0.95))


def test_wilson_narrows_with_n_and_widens_with_confidence():
    small, large = wilson(3, 10, 0.95), wilson(300, 1000, 0.95)
    assert large[1] - large[0] < small[1] - small[0]
    assert wilson(3, 10, 0.99)[0] < wilson(3, 10, 0.9)[0]


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_t_mean_is_the_student_t_interval(confidence):
    values = np.array([4.0, 2.5, np.nan, 5.0, 3.0, 4.5, np.nan, 1.0])
    x = values[~np.isnan(values)]
    n = len(x)
    mean = sum(x) / n
    se = math.sqrt(sum((v - mean) ** 2 for v in x) / (n - 1)) / math.sqrt(n)
    half = stats.t.ppf(1 - (1 - confidence) / 2, n - 1) * se
    got = t_mean(values, confidence)
    assert got[:4] == pytest.approx((mean, se, mean - half, mean + half), abs=1e-12)
    assert got[4] == n == 6


def test_t_mean_with_no_or_one_value():
    none = t_mean(np.array([np.nan, np.nan]), 0.95)
    assert none[4] == 0
    assert all(math.isnan(v) for v in none[:4])
    one = t_mean(np.array([3.5, np.nan]), 0.95)
    assert one[0] == 3.5
    assert one[4] == 1
    assert all(math.isnan(v) for v in one[1:4])


def test_quantiles_are_scipys():
    assert z_critical(0.95) == pytest.approx(1.959963984540054, abs=1e-12)
    assert z_critical(0.8) == pytest.approx(stats.norm.ppf(0.9), abs=1e-12)
    assert t_critical(0.95, 4) == pytest.approx(2.7764451051977987, abs=1e-12)
    assert t_critical(0.9, 12.5) == pytest.approx(stats.t.ppf(0.95, 12.5), abs=1e-12)
    assert math.isnan(t_critical(0.95, 0))
    assert math.isnan(t_critical(0.95, math.nan))


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, 95])
def test_confidence_must_lie_strictly_between_0_and_1(bad):
    with pytest.raises(ValueError, match="confidence must be strictly between 0 and 1"):
        check_confidence(bad)
    with pytest.raises(ValueError, match="confidence"):
        z_critical(bad)


def test_confidence_comes_back_as_a_float():
    got = check_confidence(np.float32(0.5))
    assert type(got) is float
    assert got == 0.5
