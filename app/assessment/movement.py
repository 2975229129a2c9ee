"""How a change of evidence moved the assessment, in words (the pages' message after a save)."""

from __future__ import annotations

import math

from app.scoring import Assessment
from app.scoring.ceiling import format_params


def _ceiling_text(row) -> str:
    """The row's ceiling in a few words: bounds by the model named (app/scoring/naming.py), no fall as its rate."""
    ceiling = row.ceiling
    if ceiling.state == "estimated" and ceiling.crossing_log10_params is not None:
        return f"about {format_params(ceiling.crossing_log10_params)}"
    if ceiling.state == "not_reached" and ceiling.bound_params:
        return f"not reached up to {ceiling.largest_model or format_params(math.log10(ceiling.bound_params))}"
    if ceiling.state == "below_range" and ceiling.bound_params:
        return f"below {ceiling.smallest_model or format_params(math.log10(ceiling.bound_params))}"
    if ceiling.state == "no_scale_dependence" and ceiling.rate is not None:
        return f"no dependence on scale shown, validated in {100 * ceiling.rate:.0f}%"
    words = {"insufficient": "insufficient evidence", "not_established": "not established at any scale"}
    return words.get(ceiling.state, ceiling.state.replace("_", " "))


def describe_movement(before: Assessment | None, after: Assessment) -> list[str]:
    """What a change of evidence moved, in words ('circuits ceiling 3.1B -> 4.0B'); empty when nothing moved."""
    if before is None or before.fingerprint == after.fingerprint:
        return []
    old_rows = {row.aspect_key: row for row in before.aspects}
    moves = []
    for row in after.aspects:
        old = old_rows.get(row.aspect_key)
        if old is None:
            moves.append(f"{row.aspect_key}: new row, ceiling {_ceiling_text(row)}")
            continue
        if _ceiling_text(old) != _ceiling_text(row):
            moves.append(f"{row.aspect_key} ceiling {_ceiling_text(old)} -> {_ceiling_text(row)}")
        if old.band_ceiling != row.band_ceiling:
            moves.append(f"{row.aspect_key} band ceiling {old.band_ceiling or 'none'} -> {row.band_ceiling or 'none'}")
        was, now = old.confidence.final, row.confidence.final
        if was != now:
            moves.append(f"{row.aspect_key} confidence {was} -> {now}".replace("_", " "))
    old_cells = {(c.aspect_key, c.band_key): c.status for c in before.scale_table}
    for cell in after.scale_table:
        was = old_cells.get((cell.aspect_key, cell.band_key))
        if was is not None and was != cell.status:
            moves.append(f"{cell.aspect_key} at {cell.band_key} scale: {was} -> {cell.status}".replace("_", " "))
    return moves


def movement_message(before: Assessment | None, after: Assessment) -> list[str]:
    """Sentences saying how the assessment moved, or that it did not."""
    if before is None:
        return ["The assessment before this save had not been computed, so how it moved is not known."]
    moves = describe_movement(before, after)
    return ["Assessment: " + "; ".join(moves)] if moves else ["The assessment did not move."]
