"""The evaluation row: where explanations have been checked against ground truth, and how they were judged
beyond it (docs/scoring.md, section 6). It prints no parameter "ceiling": a number such as "about 47M" pooled
human psychophysics, synthetic benchmarks and proxy-metric findings on one axis and meant nothing a
researcher could use. The row still qualifies the other rows' confidence through its band statuses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.naming import ModelIndex, named_models
from app.scoring.schema import Ceiling

STANDARD_WORDS = {
    "simple_baseline": "against simple baselines",
    "mechanistic_comparison": "against another mechanistic method",
    "internal_metric": "by internal metrics",
    "demonstration": "by demonstrations",
    "ground_truth": "against ground truth",
    None: "by a standard not recorded",
}


def standards_text(standards: pd.Series) -> str:
    """'against simple baselines (12), by internal metrics (5)': most frequent first, ties by name."""
    counts = standards.fillna("").value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{STANDARD_WORDS.get(k or None, k)} ({n})" for k, n in ordered)


def evaluation_ceiling(rows: pd.DataFrame, results: pd.DataFrame, models: ModelIndex | None = None) -> Ceiling:
    """The evaluation statement from the visible mechanistic results of every aspect, each counted once.

    rows: ScaleData.rows (res, source, mechanistic, y, lo, hi); results: Evidence.results.
    """
    mine = rows[rows["mechanistic"].to_numpy()].drop_duplicates("res")
    standard = pd.Series(results["evaluation_standard"].to_numpy()[mine["res"].to_numpy()], index=mine.index)
    truth = mine[(standard == "ground_truth").to_numpy()]
    if len(mine) and standard.isna().all():
        return Ceiling(
            state="not_applicable",
            statement=f"No result records how it was judged ({len(mine)} results): where explanations were checked "
            "against ground truth is not known.",
        )
    if truth.empty:
        how = standards_text(standard)
        text = "No explanation has been checked against ground truth"
        return Ceiling(state="not_applicable", statement=f"{text}; results were judged {how}." if how else text + ".")
    y = truth["y"].to_numpy()
    validated, partial, failed = int((y == 1.0).sum()), int((y == 0.5).sum()), int((y == 0.0).sum())
    counts = f"{len(truth)} result(s) from {truth['source'].nunique()} source(s): {validated} validated, "
    counts += f"{partial} partial, {failed} failed"
    sized = truth[~np.isnan(truth["lo"].to_numpy())]
    if sized.empty:
        return Ceiling(state="not_applicable", statement=f"Checked against ground truth on unsized models: {counts}.")
    models = named_models(results if models is None else models, sized["res"].to_numpy())
    top = models.largest_bounded or models.largest
    middle = (mine["lo"].to_numpy() + mine["hi"].to_numpy()) / 2
    beyond = standard[middle > float(sized["hi"].max())]
    rest = (
        f"; beyond it, results were judged {standards_text(beyond)}, none against ground truth"
        if len(beyond)
        else "; no result lies beyond it"
    )
    return Ceiling(
        state="not_applicable",
        largest_model=top.text(),
        statement=f"Checked against ground truth up to {top.text()}: {counts}{rest}.",
    )


def evaluation_change(ceiling: Ceiling) -> str:
    """What would change the evaluation row most: a ground-truth check beyond the largest one, or records."""
    if ceiling.statement.startswith("No result records"):
        return "Recording how each result was judged (its evaluation standard) would say where checks exist."
    if ceiling.largest_model is None:
        return "One explanation checked against ground truth on a sized model would give this row a scale."
    return (
        f"One explanation checked against ground truth on a model larger than {ceiling.largest_model} would extend it."
    )


def failure_standards(segments: pd.DataFrame, rows: pd.DataFrame, results: pd.DataFrame) -> str:
    """How an aspect's sized validity failures were judged ('against simple baselines (5), ...'), '' if none."""
    failing = segments["row"].to_numpy()[(segments["w_validity"].to_numpy() > 0) & (segments["y_validity"] == 0)]
    res = np.unique(rows["res"].to_numpy()[failing])
    return standards_text(pd.Series(results["evaluation_standard"].to_numpy()[res]))
