"""A grid of modules (a QR code's) as runs of dark modules."""

import segno

from lib.svg import ModuleGrid, Run, module_grid


def test_dark_modules_become_runs_moved_in_by_the_border():
    grid = module_grid([[1, 1, 0, 1], [0, 0, 0, 0], [1, 1, 1, 1]], border=2)
    assert grid == ModuleGrid(
        size=8, runs=[Run(x=2, y=2, width=2), Run(x=5, y=2, width=1), Run(x=2, y=4, width=4)]
    )


def test_the_runs_cover_exactly_the_dark_modules_of_a_qr_code():
    code = segno.make("otpauth://totp/Rehabit:someone%40example.com?secret=ABCDEFGH", error="m")
    grid = module_grid(code.matrix, border=4)
    assert grid.size == code.symbol_size(border=4)[0]
    drawn = {(run.x + step, run.y) for run in grid.runs for step in range(run.width)}
    expected = {
        (x, y)
        for y, row in enumerate(code.matrix_iter(border=4))
        for x, dark in enumerate(row)
        if dark
    }
    assert drawn == expected
