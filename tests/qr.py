"""Reading back a QR code a page draws as an inline SVG of dark runs (lib.svg.module_grid)."""

import re

import segno


def assert_page_draws_qr_code_of(page: str, text: str) -> None:
    """The page's QR code has exactly the dark modules of `text` encoded by segno, with its
    4-module light border."""
    qr = segno.make(text, error="m")
    size = re.search(r'<svg viewBox="0 0 (\d+) \1" class="qr-code"', page)[1]
    assert int(size) == qr.symbol_size(border=4)[0]
    runs = re.findall(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="1"/>', page)
    drawn = {(int(x) + step, int(y)) for x, y, width in runs for step in range(int(width))}
    rows = enumerate(qr.matrix_iter(border=4))
    assert drawn == {(x, y) for y, row in rows for x, dark in enumerate(row) if dark}
