"""SVG geometry that is not a chart: a grid of dark and light modules, such as a QR code's, as
the runs of dark modules a template draws as rectangles."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """Dark modules side by side in one row: `width` of them from (x, y), in modules."""

    x: int
    y: int
    width: int


@dataclass(frozen=True)
class ModuleGrid:
    """The grid with a light border all round: `size` modules square, with its dark runs."""

    size: int
    runs: list[Run]


def module_grid(matrix: Sequence[Iterable[int | bool]], *, border: int = 0) -> ModuleGrid:
    """Rows of truthy (dark) and falsy (light) modules as runs of dark ones, moved `border`
    modules in from the top and left edge. A QR code needs a light border of 4 modules to
    scan (ISO/IEC 18004)."""
    runs = []
    width = 0
    for y, row in enumerate(matrix):
        row = list(row)
        width = max(width, len(row))
        start = None
        for x, dark in enumerate([*row, False]):
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                runs.append(Run(x=border + start, y=border + y, width=x - start))
                start = None
    return ModuleGrid(size=max(width, len(matrix)) + 2 * border, runs=runs)
