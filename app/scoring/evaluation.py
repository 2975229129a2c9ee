"""The evaluation row: where explanations have been checked against ground truth, and how they were judged
beyond it (docs/scoring.md, section 6). It prints no parameter "ceiling": a number such as "about 47M" pooled
human psychophysics, synthetic benchmarks and proxy-metric findings on one axis and meant nothing a
researcher could use. The row still qualifies the other rows' confidence through its band statuses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.groups import distinct_positions
from app.scoring.inputs import Coded
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


def standards_text(codes: np.ndarray, uniques: np.ndarray) -> str:
    """'against simple baselines (12), by internal metrics (5)' from codes into the distinct standards (-1
    where not recorded): most frequent first, ties by name."""
    counts = np.bincount(np.asarray(codes, np.int64) + 1, minlength=len(uniques) + 1)
    names = ["", *[str(u) for u in uniques]]
    ordered = sorted(((-int(n), names[i]) for i, n in enumerate(counts) if n), key=lambda kv: kv)
    return ", ".join(f"{STANDARD_WORDS.get(k or None, k)} ({-n})" for n, k in ordered)


def evaluation_ceiling(rows: pd.DataFrame, standards: Coded, models: ModelIndex) -> Ceiling:
    """The evaluation statement from the visible mechanistic results of every aspect, each counted once.

    rows: ScaleData.rows (res, source, mechanistic, y, lo, hi); standards: the results' evaluation_standard
    coded (Evidence.coded); models: every result's model, for naming.
    """
    res_all = rows["res"].to_numpy()
    res, first = np.unique(res_all[rows["mechanistic"].to_numpy()], return_index=True)
    at = np.flatnonzero(rows["mechanistic"].to_numpy())[first]
    code = standards.codes[res]
    if not len(res):
        return Ceiling(state="insufficient", statement="No result yet says where explanations were checked.")
    if (code < 0).all():
        return Ceiling(
            state="not_applicable",
            statement=f"No result records how it was judged ({len(res)} results): where explanations were checked "
            "against ground truth is not known.",
        )
    truth_code = np.flatnonzero(standards.uniques == "ground_truth")
    is_truth = np.isin(code, truth_code) if len(truth_code) else np.zeros(len(code), bool)
    if not is_truth.any():
        how = standards_text(code, standards.uniques)
        text = "No explanation has been checked against ground truth"
        return Ceiling(state="not_applicable", statement=f"{text}; results were judged {how}." if how else text + ".")
    truth = at[is_truth]
    y = rows["y"].to_numpy()[truth]
    validated, partial, failed = int((y == 1.0).sum()), int((y == 0.5).sum()), int((y == 0.0).sum())
    n_sources = len(np.unique(rows["source"].to_numpy()[truth]))
    counts = f"{len(truth)} result(s) from {n_sources} source(s): {validated} validated, "
    counts += f"{partial} partial, {failed} failed"
    lo, hi = rows["lo"].to_numpy(), rows["hi"].to_numpy()
    sized = truth[~np.isnan(lo[truth])]
    if not len(sized):
        return Ceiling(state="not_applicable", statement=f"Checked against ground truth on unsized models: {counts}.")
    named = named_models(models, res_all[sized])
    top = named.largest_bounded or named.largest
    with np.errstate(invalid="ignore"):
        beyond = (lo[at] + hi[at]) / 2 > float(hi[sized].max())
    rest = (
        f"; beyond it, results were judged {standards_text(code[beyond], standards.uniques)}, none against ground truth"
        if beyond.any()
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
    largest = ceiling.largest_model
    return f"One explanation checked against ground truth on a model larger than {largest} would extend it."


def failure_standards(segments: pd.DataFrame, rows: pd.DataFrame, standards: Coded) -> str:
    """How an aspect's sized validity failures were judged ('against simple baselines (5), ...'), '' if none."""
    failing = segments["row"].to_numpy()[(segments["w_validity"].to_numpy() > 0) & (segments["y_validity"] == 0)]
    res = distinct_positions(rows["res"].to_numpy()[failing])
    return standards_text(standards.codes[res], standards.uniques)
