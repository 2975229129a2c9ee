"""The engine's array helpers agree with the pandas and numpy operations they replace, on random input."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring.bands import _top_per_cell
from app.scoring.citations import top_positions
from app.scoring.groups import group_sums, products_by, stable_order


@st.composite
def keyed_rows(draw, n_keys: int = 2, high: int = 40):
    n = draw(st.integers(min_value=1, max_value=60))
    columns = [
        np.array(draw(st.lists(st.integers(-high, high), min_size=n, max_size=n)), np.int64) for _ in range(n_keys)
    ]
    values = np.array(draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    return columns, values


@settings(max_examples=200, deadline=None)
@given(keyed_rows(), st.sampled_from([1, 10**6]))
def test_group_sums_is_a_sorted_groupby_sum(rows, spread):
    (a, b), values = rows
    b = b * spread  # a sparse key space takes the factorize path, a dense one the marking path
    got = group_sums({"a": a, "b": b}, {"v": values})
    want = pd.DataFrame({"a": a, "b": b, "v": values}).groupby(["a", "b"], sort=True)["v"].sum().reset_index()
    assert got["a"].tolist() == want["a"].tolist() and got["b"].tolist() == want["b"].tolist()
    np.testing.assert_allclose(got["v"].to_numpy(), want["v"].to_numpy(), rtol=1e-12, atol=1e-9)


def test_group_sums_of_nothing_is_empty():
    got = group_sums({"a": np.zeros(0, np.int64)}, {"v": np.zeros(0)})
    assert got.empty and list(got.columns) == ["a", "v"]


@settings(max_examples=200, deadline=None)
@given(keyed_rows(n_keys=1, high=8))
def test_products_by_position_multiply_in_row_order_and_default_to_one(rows):
    (position,), values = rows
    position = np.abs(position)
    got = products_by(position, values, 9)
    want = pd.Series(values).groupby(position).prod().reindex(range(9), fill_value=1.0).to_numpy()
    np.testing.assert_array_equal(got, want)


@given(st.lists(st.integers(0, 70000), max_size=80))
def test_stable_order_is_a_stable_argsort(values):
    keys = np.array(values, np.int64)
    assert stable_order(keys).tolist() == np.argsort(keys, kind="stable").tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4)), max_size=60),
    st.integers(0, 5),
)
def test_top_per_cell_matches_a_full_sort(entries, limit):
    cell = np.array([c for c, _ in entries], np.int64)
    weight = np.array([w / 2 for _, w in entries], float)  # many ties
    order = np.arange(len(entries))[::-1].copy()
    ranked = np.lexsort((order, -weight, cell))
    rank_in_cell = np.arange(len(ranked)) - np.searchsorted(cell[ranked], cell[ranked], side="left")
    assert _top_per_cell(cell, weight, order, limit).tolist() == ranked[rank_in_cell < limit].tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=60), st.integers(0, 5))
def test_top_positions_are_the_heaviest_with_ties_by_position(entries, limit):
    weight = np.array([w / 2 for w, _ in entries], float)
    mask = np.array([m for _, m in entries], bool)
    candidates = [i for i in range(len(entries)) if mask[i] and weight[i] > 0]
    want = sorted(candidates, key=lambda i: (-weight[i], i))[:limit]
    assert top_positions(weight, mask, limit).tolist() == want
