"""Is a count rising or falling against its own history? One explainable test for groups and topics.

Given ``recent`` events in the last ``recent_days`` and ``baseline`` events in the ``baseline_days``
before that, an unchanged rate means each of the ``n = recent + baseline`` events fell in the recent
period with probability ``p0 = recent_days / (recent_days + baseline_days)``. So
``recent ~ Binomial(n, p0)`` (the conditional test for two Poisson rates). "Rising" when getting at
least ``recent`` that way is unlikely (upper tail below ``alpha``), "falling" when getting at most
``recent`` is (lower tail below ``alpha``). It needs no distributional parameters, copes with small
counts, and reads as one sentence: "9 reports in the last 30 days where 2 were expected from the
180 days before (p = 0.0004)".
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import binom

RISING, STEADY, FALLING = "rising", "steady", "falling"
DAY = 86400.0


@dataclass(frozen=True)
class RateTest:
    recent: int
    baseline: int
    recent_days: float
    baseline_days: float
    expected: float  # recent count expected from the baseline rate
    p_rising: float
    p_falling: float

    @property
    def ratio(self) -> float:
        """Recent rate over baseline rate (baseline smoothed by half an event, so never infinite)."""
        return (self.recent / self.recent_days) / ((self.baseline + 0.5) / self.baseline_days)

    def as_dict(self) -> dict:
        return {"recent": self.recent, "baseline": self.baseline, "recent_days": round(self.recent_days, 1),
                "baseline_days": round(self.baseline_days, 1), "expected": round(self.expected, 2),
                "ratio": round(self.ratio, 2), "p_rising": self.p_rising, "p_falling": self.p_falling}


def rate_test(recent: int, baseline: int, recent_days: float, baseline_days: float) -> RateTest:
    """The conditional binomial test of the recent rate against the baseline rate (see module docstring)."""
    if recent_days <= 0 or baseline_days <= 0:
        raise ValueError("recent_days and baseline_days must be positive")
    n = recent + baseline
    p0 = recent_days / (recent_days + baseline_days)
    p_up = float(binom.sf(recent - 1, n, p0)) if recent > 0 else 1.0
    p_down = float(binom.cdf(recent, n, p0)) if n > 0 else 1.0
    return RateTest(recent, baseline, float(recent_days), float(baseline_days),
                    baseline * recent_days / baseline_days, p_up, p_down)


def classify(test: RateTest, alpha: float = 0.1, min_recent: int = 2) -> str:
    if test.recent >= min_recent and test.p_rising < alpha:
        return RISING
    if test.p_falling < alpha:
        return FALLING
    return STEADY


def group_trend(times: list[float], as_of: float, recent_days: float = 30.0, max_baseline_days: float = 180.0,
                alpha: float = 0.1) -> tuple[str, RateTest | None]:
    """Trend of one recurring problem from its report times (seconds), judged at ``as_of``.

    The baseline runs from the first report (at most ``max_baseline_days``) to the start of the recent
    period. A problem whose reports all fall inside the recent period has no history to compare
    with: it is "rising" when it already has three reports, else "steady".
    """
    start = as_of - recent_days * DAY
    seen = [t for t in times if t <= as_of]
    if not seen:
        return STEADY, None
    recent = sum(1 for t in seen if t > start)
    first = max(min(seen), start - max_baseline_days * DAY)
    baseline_days = (start - first) / DAY
    if baseline_days < 1.0:
        return (RISING if recent >= 3 else STEADY), None
    baseline = sum(1 for t in seen if first <= t <= start)
    test = rate_test(recent, baseline, recent_days, baseline_days)
    return classify(test, alpha), test
