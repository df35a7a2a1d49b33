"""Scores for probability forecasts: AUC, Brier, calibration, C-index, R², coverage."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

CALIBRATION_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def auc(scores: Any, labels: Any) -> float | None:
    """Area under the ROC curve (ties count half); None without both classes."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return None
    from scipy.stats import rankdata  # Mann–Whitney U through average ranks

    ranks = rankdata(s)
    u = ranks[y].sum() - len(pos) * (len(pos) + 1) / 2
    return float(u / (len(pos) * len(neg)))


def brier(probs: Any, labels: Any) -> float:
    p = np.asarray(probs, dtype=float)
    y = np.asarray(labels, dtype=float)
    return float(np.mean((p - y) ** 2))


def c_index(months: Any, risk: Any, event: Any) -> float | None:
    """Harrell's C: of the comparable pairs, the share whose earlier renewal had the higher
    risk (lifelines' ``concordance_index``)."""
    from lifelines.utils import concordance_index

    e = np.asarray(event, dtype=bool)
    if not e.any():
        return None
    return float(concordance_index(np.asarray(months), -np.asarray(risk, dtype=float), e))


@dataclass
class CalibrationBin:
    """Forecasts between ``low`` and ``high``: how many, their mean, how many came true."""

    low: float
    high: float
    n: int
    mean_forecast: float | None
    observed: float | None
    renewed: int


def calibration(probs: Any, labels: Any) -> list[CalibrationBin]:
    p = np.asarray(probs, dtype=float)
    y = np.asarray(labels, dtype=bool)
    out = []
    for lo, hi in itertools.pairwise(CALIBRATION_BINS):
        mask = (p >= lo) & ((p < hi) if hi < 1.0 else (p <= hi))
        n = int(mask.sum())
        out.append(
            CalibrationBin(
                lo,
                hi,
                n,
                round(float(p[mask].mean()), 3) if n else None,
                round(float(y[mask].mean()), 3) if n else None,
                int(y[mask].sum()),
            )
        )
    return out


def r2(actual: Any, predicted: Any) -> float:
    a = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    return float(1.0 - np.sum((a - p) ** 2) / np.sum((a - a.mean()) ** 2))


def coverage(actual: Any, low: Any, high: Any) -> float:
    a = np.asarray(actual, dtype=float)
    return float(np.mean((a >= np.asarray(low)) & (a <= np.asarray(high))))
