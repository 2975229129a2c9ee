"""Evidence revised by a change of a few rows, without coding and hashing a million rows again.

After a write the store knows which rows it replaced: the rows taken out (as they were) and the rows put
in. `revised` applies them to the previous Evidence by content: removed rows are found by their row hash,
added rows are coded against the columns' distinct values and spliced in at their place in the canonical
order. The result is the Evidence a full build of the new frames gives (same frames, fingerprint and
assessment; tests/scoring/test_delta.py checks it on random changes), in time proportional to the number of
rows only for a few array copies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.inputs import COLUMNS, Coded, Evidence, EvidenceError, Table, build_table


@dataclass(frozen=True)
class Delta:
    """Rows taken out of one frame (as they were) and rows put in. A row may be both added and removed
    (a delta made of several writes): it is then left out, so deltas can be concatenated in order."""

    removed: pd.DataFrame
    added: pd.DataFrame


def revised(evidence: Evidence, changes: dict[str, pd.DataFrame | Delta]) -> Evidence:
    """The evidence with each named frame replaced whole (a DataFrame) or changed by a Delta."""
    unknown = set(changes) - set(COLUMNS)
    if unknown:
        raise EvidenceError(f"unknown tables {sorted(unknown)}")
    tables = {}
    for name in COLUMNS:
        change = changes.get(name)
        if change is None:
            tables[name] = evidence.table(name)
        elif isinstance(change, Delta):
            tables[name] = _patched(name, evidence.table(name), change)
        else:
            tables[name] = build_table(name, change)
    return Evidence.of_tables(tables, previous=evidence)


def _net(removed: Table, added: Table) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `removed` and of `added` left once the rows in both are cancelled (as multisets)."""
    common = Counter(removed.hashes.tolist()) & Counter(added.hashes.tolist())
    if not common:
        return np.arange(len(removed.hashes)), np.arange(len(added.hashes))

    def without_common(hashes: np.ndarray) -> np.ndarray:
        left, keep = Counter(common), []
        for i, h in enumerate(hashes.tolist()):
            if left[h] > 0:
                left[h] -= 1
            else:
                keep.append(i)
        return np.array(keep, dtype=np.intp)

    return without_common(removed.hashes), without_common(added.hashes)


def _located(name: str, hashes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions in the sorted `hashes` of the rows to remove (each as often as it is wanted)."""
    if not len(wanted):
        return np.empty(0, dtype=np.intp)
    values, counts = np.unique(wanted, return_counts=True)
    left = np.searchsorted(hashes, values, side="left")
    right = np.searchsorted(hashes, values, side="right")
    if (right - left < counts).any():
        raise EvidenceError(f"{name}: a row to remove is not in the evidence")
    return np.concatenate([np.arange(lo, lo + k) for lo, k in zip(left, counts, strict=True)]).astype(np.intp)


def _spliced(old, drop: np.ndarray, at: np.ndarray, new):
    """old without the rows `drop`, with new[j] inserted before the at[j]-th kept row (both sorted), in one
    concatenation: an object column of a million rows is copied once, not once per change."""
    shifted = drop - np.arange(len(drop))  # kept rows before each dropped one
    before = at + np.searchsorted(shifted, at, side="right")  # the row of `old` each new one goes before
    events = sorted([(int(p), 0, j) for j, p in enumerate(before)] + [(int(p), 1, -1) for p in drop])
    pieces, pos = [], 0
    for position, is_drop, j in events:
        pieces.append(old[pos:position])
        pos = position + is_drop
        if not is_drop:
            pieces.append(new[j : j + 1])
    pieces.append(old[pos:])
    if isinstance(old, np.ndarray):
        return np.concatenate([np.asarray(piece, dtype=old.dtype) for piece in pieces])
    return pd.array(np.concatenate([np.asarray(piece, dtype=object) for piece in pieces]), dtype=old.dtype)


def _codes_of(old: Coded, values: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """The code of each value in old's distinct values, -1 where it is not one of them. The codes of the rows
    taken out (`hint`) are looked at first: an edit mostly puts back the values it took out, which spares a
    pass over a million distinct keys."""
    found = np.full(len(values), -1, dtype=np.intp)
    hint = hint[hint >= 0]
    if len(hint):
        at = pd.Index(old.uniques[hint]).get_indexer(values) if len(values) else found
        found = np.where(at >= 0, np.append(hint, -1)[at], -1)
    missing = np.flatnonzero(found < 0)
    if len(missing):
        matches = pd.Index(values[missing]).get_indexer(old.uniques)
        hits = np.flatnonzero(matches >= 0)
        found[missing[matches[hits]]] = hits
    return found


def _compact(coded: Coded) -> Coded:
    """The codes renumbered to the distinct values present only."""
    used = np.bincount(coded.codes[coded.codes >= 0], minlength=len(coded.uniques)) > 0
    if used.all():
        return coded
    renumber = np.append(np.cumsum(used) - 1, -1)
    return Coded(renumber[coded.codes], coded.uniques[used])


def _recoded(old: Coded, added: Coded, drop: np.ndarray, at: np.ndarray) -> Coded:
    """The column's codes after the splice; distinct values only grow by the added ones and shrink to the
    values still present, so the codes always name exactly the distinct values present."""
    added = _compact(added)
    gone = np.unique(old.codes[drop])
    code_of_added = _codes_of(old, added.uniques, gone)
    fresh = np.flatnonzero(code_of_added < 0)
    code_of_added[fresh] = len(old.uniques) + np.arange(len(fresh))
    uniques = np.concatenate([old.uniques, added.uniques[fresh]]) if len(fresh) else old.uniques
    added_codes = np.append(code_of_added, -1)[added.codes]
    codes = _spliced(old.codes, drop, at, added_codes)
    if not len(np.setdiff1d(gone[gone >= 0], added_codes)):  # every value taken out is still, or again, there
        return Coded(codes, uniques)
    return _compact(Coded(codes, uniques))


def _patched(name: str, table: Table, delta: Delta) -> Table:
    removed, added = build_table(name, delta.removed), build_table(name, delta.added)
    removed_rows, added_rows = _net(removed, added)
    drop = np.sort(_located(name, table.hashes, removed.hashes[removed_rows]))
    hashes = added.hashes[added_rows]
    at = np.searchsorted(np.delete(table.hashes, drop), hashes, side="left")
    codes = {
        column: _recoded(old, Coded(added.codes[column].codes[added_rows], added.codes[column].uniques), drop, at)
        for column, old in table.codes.items()
    }
    columns = {}
    for column in COLUMNS[name]:  # text columns too: splicing their values is cheaper than a million lookups
        columns[column] = _spliced(table.frame[column].values, drop, at, added.frame[column].values[added_rows])
    frame = pd.DataFrame(columns, index=range(len(table.hashes) - len(drop) + len(hashes)), copy=False)
    return Table(frame, _spliced(table.hashes, drop, at, hashes), codes)
