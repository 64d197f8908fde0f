"""Plain-text tables for the terminal: left-aligned first column, right-aligned numbers."""

from __future__ import annotations

from collections.abc import Sequence


def render_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], indent: str = "  "
) -> str:
    """Columns sized to their widest cell; the first column is left-aligned, the rest right."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return (indent + "  ".join(parts)).rstrip()

    rule = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def percent(value: float | None, digits: int = 1) -> str:
    """`97.3%`, or `n/a` when there was nothing to count."""
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def ms(value: float | None) -> str:
    """Milliseconds to one decimal, or `n/a` when nothing was measured."""
    return "n/a" if value is None else f"{value:.1f}"


def heading(title: str) -> str:
    """A section title underlined to its length."""
    return f"\n{title}\n{'=' * len(title)}"
