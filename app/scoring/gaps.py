"""Evidence gaps: the aspect x band cells where one new result would move things most."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.scoring.bands import posterior, status_of
from app.scoring.ceiling import format_params, r6
from app.scoring.naming import words
from app.scoring.posterior import posterior_summary
from app.scoring.schema import BandCell, Gap
from app.scoring.settings import ScoringSettings

STATUS_CHANGE_BONUS_DECADES = 0.5


def probe_log10(low: float, high: float, settings: ScoringSettings) -> float:
    """A representative log10 size for a band: its middle, or half a decade inside an open end."""
    if np.isinf(low) and np.isinf(high):
        return settings.ceiling_prior_mean_log10
    if np.isinf(low):
        return high - 0.5
    if np.isinf(high):
        return low + 0.5
    return (low + high) / 2


def with_probe(bins: pd.DataFrame, x: float | None, success: bool, settings: ScoringSettings) -> float:
    """Ceiling (posterior median) after adding one validity result of the probe weight at x, as a new source."""
    g = settings.gap_probe_weight if x is not None else 0.0
    xs = np.append(bins["x"].to_numpy(), x if x is not None else 0.0)
    w = np.append(bins["w_validity"].to_numpy(), g)
    wy = np.append(bins["wy_validity"].to_numpy(), g if success else 0.0)
    return posterior_summary(xs, w, wy, settings).median


def evidence_gaps(
    aspect_keys: list[str],
    band_keys: list[str],
    band_log10: np.ndarray,
    bins: pd.DataFrame,
    cells: list[BandCell],
    states_a_ceiling: list[bool],
    settings: ScoringSettings,
) -> list[Gap]:
    """Every aspect x band cell, ranked by how far one result there would swing the ceiling and the status.

    Aspects whose row states no ceiling (too thin to fit, no dependence on scale shown, not established at
    any scale) have none to move, only band statuses: the posterior of a crossing they do not claim is not
    consulted, so no sentence speaks of a ceiling the row does not state. The assessment reports the top few,
    and each row the first of its own (what_would_change).
    """
    g = settings.gap_probe_weight
    by_cell = {(c.aspect_key, c.band_key): c for c in cells}
    scored = []
    for a, aspect_key in enumerate(aspect_keys):
        mine = bins[bins["aspect"] == a]
        now = with_probe(mine, None, False, settings)
        for b, band_key in enumerate(band_keys):
            x = probe_log10(band_log10[b, 0], band_log10[b, 1], settings)
            up = with_probe(mine, x, True, settings) - now if states_a_ceiling[a] else 0.0
            down = with_probe(mine, x, False, settings) - now if states_a_ceiling[a] else 0.0
            cell = by_cell[(aspect_key, band_key)]
            wy = cell.alpha - settings.prior_alpha
            weight = wy + cell.beta - settings.prior_beta
            after_success = status_of(
                posterior(weight + g, wy + g, settings)[3], cell.n_results + 1, weight + g, settings
            )
            after_failure = status_of(posterior(weight + g, wy, settings)[3], cell.n_results + 1, weight + g, settings)
            changes = (after_success != cell.status) + (after_failure != cell.status)
            score = up - down + STATUS_CHANGE_BONUS_DECADES * changes
            moves = (
                f"would move the ceiling {up:+.2f} orders of magnitude if a success, {down:+.2f} if a failure; "
                if states_a_ceiling[a]
                else "has no ceiling to move (the row states none); "
            )
            now_, good, bad = (words(status) for status in (cell.status, after_success, after_failure))
            where = f"One result near {format_params(x)} on {aspect_key} ({band_key})"
            text = f"{where} {moves}status {now_} -> {good} / {bad}."
            scored.append(
                (
                    -score,
                    aspect_key,
                    band_key,
                    Gap(
                        aspect_key=aspect_key,
                        band_key=band_key,
                        probe_params=r6(10**x),
                        shift_if_success_decades=r6(up),
                        shift_if_failure_decades=r6(down),
                        status_now=cell.status,
                        status_if_success=after_success,
                        status_if_failure=after_failure,
                        text=text,
                    ),
                )
            )
    scored.sort(key=lambda item: (round(item[0], 9), item[1], item[2]))
    return [gap for *_, gap in scored]


def what_would_change(gap: Gap | None, states_a_ceiling: bool, band_name: str) -> str:
    """The row's largest gap in words: 'One validated result in Large (100B-1T) would move the ceiling up ...'."""
    if gap is None:
        return ""
    up, down = gap.shift_if_success_decades, gap.shift_if_failure_decades
    moves = (
        f" would move the ceiling up {up:.1f} orders of magnitude; a failure there would move it down {abs(down):.1f}"
        if states_a_ceiling and (abs(up) >= 0.05 or abs(down) >= 0.05)
        else ""
    )
    now, good, bad = (words(s) for s in (gap.status_now, gap.status_if_success, gap.status_if_failure))
    if good != now and bad != now:
        status = f"the band would go from {now} to {good} (or {bad} if a failure)"
    elif good != now or bad != now:
        status = f"a {'success' if good != now else 'failure'} would make the band {good if good != now else bad}"
    else:
        status = ""
    if not moves and not status:
        return "No single new result would move this row much."
    joined = f"{moves}; {status}" if moves and status else moves or f" would make a difference: {status}"
    return f"One validated result in {band_name}{joined}."
