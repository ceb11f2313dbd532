"""Statistical secrecy on hand-made tables (threshold 11, as by default)."""

from __future__ import annotations

from mobility.reporting.secrecy import protect, protect_column

M = None  # masked


def test_small_counts_are_masked_and_no_row_or_column_gives_them_back():
    #              <26  26-49  50+      total
    basins = [
        [25, 40, 5],  # Orléans    70
        [12, 30, 20],  # Montargis 62
        [15, 3, 14],  # Gien       32
        [30, 22, 18],  # Pithiviers 70
    ]
    result = protect(basins, threshold=11)
    assert result.cells == [
        [M, 40, M],
        [M, 30, M],
        [15, M, M],
        [30, M, M],
    ]
    assert result.row_totals == [70, 62, 32, 70]
    assert result.column_totals == [82, 95, 57]
    assert result.total == 234


def test_every_row_and_column_has_none_or_at_least_two_masked_entries():
    result = protect([[25, 40, 5], [12, 30, 20], [15, 3, 14], [30, 22, 18]], threshold=11)
    rows = [[*cells, total] for cells, total in zip(result.cells, result.row_totals)]
    rows.append([*result.column_totals, result.total])
    for line in [*rows, *zip(*rows)]:
        assert sum(value is M for value in line) != 1


def test_a_small_total_is_masked_like_any_count():
    result = protect([[3, 4], [20, 30]], threshold=11)
    assert result.cells == [[M, M], [M, M]]
    # 7 is small; 50 goes with it, or 57 - 50 would give it back.
    assert result.row_totals == [M, M]
    assert result.column_totals == [23, 34]
    assert result.total == 57


def test_zero_is_shown_and_is_not_picked_to_hide_another_cell():
    values, total = protect_column([25, 5, 0, 40, 12], threshold=11)
    assert values == [25, M, 0, 40, M]
    assert total == 82


def test_nothing_is_masked_when_every_count_reaches_the_threshold():
    values, total = protect_column([11, 12, 30], threshold=11)
    assert values == [11, 12, 30] and total == 53


def test_the_threshold_is_a_parameter():
    values, total = protect_column([4, 5, 30], threshold=5)
    assert values == [M, M, 30] and total == 39
