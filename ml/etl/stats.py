"""Least-squares trend with its significance, without numpy/scipy: the slope, its standard error
and the two-sided p-value from Student's t (regularised incomplete beta by Lentz's continued
fraction, as in Numerical Recipes §6.4)."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class TrendFit:
    slope: float
    std_error: float
    p_value: float
    n: int

    @property
    def confidence(self):
        return 1.0 - self.p_value


def _beta_cf(a, b, x, iterations=200, eps=3e-14):
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, iterations + 1):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def regularized_beta(a, b, x):
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, 1.0 - x) / b


def t_two_sided_p(t, df):
    """P(|T| >= |t|) for Student's t with ``df`` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return regularized_beta(df / 2.0, 0.5, df / (df + t * t))


def linear_trend(xs, ys):
    """OLS fit of ``ys`` on ``xs``; None without at least 3 points and 2 distinct x."""
    n = len(xs)
    if n < 3 or len(set(xs)) < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    sse = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    df = n - 2
    std_error = math.sqrt(sse / df / sxx)
    if std_error == 0.0:
        p_value = 0.0 if slope != 0 else 1.0
    else:
        p_value = t_two_sided_p(slope / std_error, df)
    return TrendFit(slope=slope, std_error=std_error, p_value=min(1.0, max(0.0, p_value)), n=n)
