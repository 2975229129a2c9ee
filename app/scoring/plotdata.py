"""What a plot of an aspect needs: the fitted P(works) curve and the evidence points behind it.

Points are aggregated by outcome and 0.1-decade bin, so a million results still make a small plot;
a range-sized result appears at the quadrature points it was spread over, with its share of weight.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from app.scoring.ceiling import FitResult, r6
from app.scoring.groups import group_sums
from app.scoring.schema import CurvePoint, EvidencePoint
from app.scoring.settings import ScoringSettings
from app.scoring.spread import ScaleData

OUTCOME_OF_SCORE = {1.0: "success", 0.5: "partial", 0.0: "failure"}
PLOT_BIN_DECADES = 0.1


def evidence_points(data: ScaleData, aspect: int) -> list[EvidencePoint]:
    """Weighted evidence of one aspect by outcome and log10-params bin, in a canonical order."""
    mine = data.points_of(aspect)
    points = mine.where(mine["w_validity"] > 0, ("x", "y_validity", "estimated", "w_validity"))
    if not points.size:
        return []
    score_code, scores = pd.factorize(points["y_validity"], sort=True)
    grouped = group_sums(
        {
            "bin": np.round(points["x"] / PLOT_BIN_DECADES).astype(np.int64),
            "score": score_code,
            "estimated": np.asarray(points["estimated"]),
        },
        {"w_validity": points["w_validity"]},
    )
    return [
        EvidencePoint(
            log10_params=r6(b * PLOT_BIN_DECADES),
            score=float(scores[y]),
            weight=r6(w),
            outcome=OUTCOME_OF_SCORE.get(float(scores[y]), "partial"),
            estimated=bool(estimated),
        )
        for b, y, estimated, w in zip(
            grouped["bin"].tolist(),
            grouped["score"].tolist(),
            grouped["estimated"].tolist(),
            grouped["w_validity"].tolist(),
            strict=True,
        )
    ]


def fitted_curve(fit: FitResult, points: list[EvidencePoint], settings: ScoringSettings) -> list[CurvePoint]:
    """P(works) on a 0.1-decade grid covering the evidence and the ceiling; empty when there is no fit."""
    if fit.crossing is None:
        return []
    xs = [p.log10_params for p in points] + [fit.crossing]
    low = np.floor(min(xs) - 1.0)
    high = np.ceil(max(xs) + 1.0)
    grid = np.round(np.arange(low, high + 1e-9, 0.1), 6)
    p_works = settings.lapse_rate + (1 - 2 * settings.lapse_rate) * expit(
        settings.logistic_slope_per_decade * (fit.crossing - grid)
    )
    return [CurvePoint(log10_params=float(x), p_works=r6(float(p))) for x, p in zip(grid, p_works, strict=True)]
