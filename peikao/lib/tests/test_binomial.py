"""The exact binomial tail and Benjamini–Hochberg against values worked by hand and published by SciPy/R."""

import math

import pytest

from peikao.lib.binomial import benjamini_hochberg, binomial_upper_tail


def test_upper_tail_of_a_fair_coin_by_hand():
    # P(X ≥ 7), n = 10, p = ½: (C(10,7) + C(10,8) + C(10,9) + C(10,10)) / 2^10 = 176 / 1024
    assert binomial_upper_tail(7, 10, 0.5) == pytest.approx(176 / 1024, rel=1e-12)
    assert binomial_upper_tail(0, 10, 0.5) == 1.0
    assert binomial_upper_tail(11, 10, 0.5) == 0.0
    assert binomial_upper_tail(10, 10, 0.5) == pytest.approx(1 / 1024, rel=1e-12)


def test_upper_tail_matches_the_exact_sum():
    # scipy.stats.binomtest(k, n, p, alternative="greater").pvalue, summed here with exact integers and fractions
    from fractions import Fraction

    def exact(k, n, p):
        p = Fraction(p)
        return float(sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)))

    for k, n, p in [(60, 100, "1/2"), (3, 20, "1/20"), (45, 50, "7/10"), (31, 31, "9/10"), (1, 400, "1/1000")]:
        assert binomial_upper_tail(k, n, float(Fraction(p))) == pytest.approx(exact(k, n, p), rel=1e-9)
    assert binomial_upper_tail(60, 100, 0.5) == pytest.approx(0.0284439668, rel=1e-9)


def test_upper_tail_keeps_tiny_tails():
    # Everybody passes (60 of 60) where others pass at 50 %: 2^-60, not 0
    assert binomial_upper_tail(60, 60, 0.5) == pytest.approx(2.0**-60, rel=1e-9)
    assert 0 < binomial_upper_tail(1000, 1000, 0.7) == pytest.approx(math.exp(1000 * math.log(0.7)), rel=1e-9)


def test_upper_tail_edges_of_p():
    assert binomial_upper_tail(1, 5, 0.0) == 0.0
    assert binomial_upper_tail(5, 5, 1.0) == 1.0
    with pytest.raises(ValueError):
        binomial_upper_tail(1, 5, 1.5)


def test_benjamini_hochberg_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH") = 0.025 0.05 0.05 0.025 0.5
    p = [0.01, 0.04, 0.03, 0.005, 0.5]
    result = benjamini_hochberg(p, 0.025)
    assert [round(adjusted, 12) for _rejected, adjusted in result] == [0.025, 0.05, 0.05, 0.025, 0.5]
    assert [rejected for rejected, _adjusted in result] == [True, False, False, True, False]
    assert benjamini_hochberg([], 0.01) == []


def test_benjamini_hochberg_step_up_rejects_below_a_larger_p_that_passes():
    # m = 3, q = 0.05: p(3) = 0.04 ≤ 3/3·0.05 — all three rejected, though p(2) = 0.035 > 2/3·0.05 on its own
    assert [rejected for rejected, _ in benjamini_hochberg([0.001, 0.035, 0.04], 0.05)] == [True, True, True]
