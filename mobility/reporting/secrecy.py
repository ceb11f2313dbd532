"""Statistical secrecy for published tables: small counts masked, and no total reveals them.

Primary masking: a count from 1 to threshold - 1 is masked (zero is shown: it describes nobody).
Secondary masking: the table with its totals is a set of equations (each row and each column
sums to its total). An equation with exactly one masked entry would give it back by
subtraction, so the next smallest entry of that row or column is masked too (a non-zero cell
first, then the total, then a zero), again until no row or column has a single masked entry.
"""

from __future__ import annotations

from dataclasses import dataclass

MASK = None


@dataclass
class Protected:
    """Cells, row totals, column totals and the grand total; None where masked."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None

    @property
    def masked_count(self) -> int:
        grid = [*self.cells, self.column_totals]
        return sum(value is MASK for row in grid for value in row) + sum(
            value is MASK for value in [*self.row_totals, self.total]
        )


def _is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def protect(cells: list[list[int]], threshold: int) -> Protected:
    """Mask a table of counts (rows of cells); totals are computed here, from the cells."""
    rows = len(cells)
    columns = len(cells[0]) if rows else 0
    # The extended grid: each row ends with its total, the last row holds the column totals.
    grid = [list(row) + [sum(row)] for row in cells]
    grid.append([sum(grid[r][c] for r in range(rows)) for c in range(columns + 1)])
    masked = [[_is_small(value, threshold) for value in row] for row in grid]

    def lines():
        for r in range(rows + 1):
            yield [(r, c) for c in range(columns + 1)]
        for c in range(columns + 1):
            yield [(r, c) for r in range(rows + 1)]

    changed = True
    while changed:
        changed = False
        for line in lines():
            hidden = [cell for cell in line if masked[cell[0]][cell[1]]]
            if len(hidden) != 1:
                continue
            total_cell = line[-1]
            shown = [cell for cell in line if not masked[cell[0]][cell[1]]]
            if not shown:
                continue
            pick = min(
                shown,
                key=lambda cell: (grid[cell[0]][cell[1]] == 0, cell == total_cell, grid[cell[0]][cell[1]], cell),
            )
            masked[pick[0]][pick[1]] = True
            changed = True

    def shown_value(r, c):
        return MASK if masked[r][c] else grid[r][c]

    return Protected(
        cells=[[shown_value(r, c) for c in range(columns)] for r in range(rows)],
        row_totals=[shown_value(r, columns) for r in range(rows)],
        column_totals=[shown_value(rows, c) for c in range(columns)],
        total=shown_value(rows, columns),
    )


def protect_column(values: list[int], threshold: int) -> tuple[list[int | None], int | None]:
    """One column of counts and its total (a one-way table)."""
    result = protect([[value] for value in values], threshold)
    return [row[0] for row in result.cells], result.total
