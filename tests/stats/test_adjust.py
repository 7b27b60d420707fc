"""Multiple-comparison adjustment against values computed by hand.

The hand values follow the definitions R's ``p.adjust`` implements (Holm:
running maximum of (m - i + 1)·p(i) over the sorted p-values; BH: running
minimum, from the largest down, of m/i·p(i); both capped at 1), so
``p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")`` gives 0.03 0.06 0.06 0.02
and ``"BH"`` gives 0.02 0.04 0.04 0.02.
"""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from cxlab.stats.adjust import ADJUST_NAMES, adjust_pvalues

P = [0.01, 0.04, 0.03, 0.005]


def test_holm_by_hand():
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 -> running max 0.06
    assert adjust_pvalues(P, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert adjust_pvalues(P) == pytest.approx([0.03, 0.06, 0.06, 0.02])  # Holm is the default


def test_benjamini_hochberg_by_hand():
    # sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04, 0.04·4/4 = 0.04 -> running min from the top
    assert adjust_pvalues(P, "fdr_bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_adjusted_values_are_capped_at_one():
    assert adjust_pvalues([0.6, 0.7], "bonferroni") == pytest.approx([1.0, 1.0])


def test_nan_is_untested_and_not_counted():
    out = adjust_pvalues([0.01, np.nan, 0.04, 0.03], "holm")
    assert np.isnan(out[1])
    assert out[[0, 2, 3]] == pytest.approx([0.03, 0.06, 0.06])
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()


def test_none_leaves_the_pvalues_alone_and_input_is_not_modified():
    p = np.array([0.01, 0.04])
    assert adjust_pvalues(p, None).tolist() == [0.01, 0.04]
    adjust_pvalues(p, "holm")
    assert p.tolist() == [0.01, 0.04]


@pytest.mark.parametrize("bad", [[1.2], [-0.01, 0.5]])
def test_pvalues_outside_0_1_are_refused(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        adjust_pvalues(bad)


@pytest.mark.parametrize("method", sorted(ADJUST_NAMES))
def test_every_named_method_is_statsmodels_own(method):
    p = np.array([0.001, 0.02, 0.03, 0.2, 0.5])
    np.testing.assert_allclose(adjust_pvalues(p, method), multipletests(p, method=method)[1])
    assert ADJUST_NAMES[method]
