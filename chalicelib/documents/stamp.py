"""The verification stamp on a result before it is signed: a QR code to the public check and a line saying
what it is, in the bottom right corner of the last page.

The stamp is drawn as its own one-page PDF (fpdf2, the forms' font) and laid over the page with pikepdf,
so the result's own content is never re-rendered; the signature then covers the stamped file.
"""

from __future__ import annotations

import io
from pathlib import Path

FONT = Path(__file__).parent / "fonts" / "LiberationSerif-Regular.ttf"
_QR_MM = 22.0
_MARGIN_MM = 8.0
_PT_PER_MM = 72 / 25.4


def _stamp_page(width_pt: float, height_pt: float, url: str, code: str) -> bytes:
    import segno
    from fpdf import FPDF

    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=8, border=1)
    pdf = FPDF(unit="pt", format=(width_pt, height_pt))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_page()
    pdf.add_font("LiberationSerif", "", str(FONT))
    size = _QR_MM * _PT_PER_MM
    margin = _MARGIN_MM * _PT_PER_MM
    x, y = width_pt - margin - size, height_pt - margin - size
    pdf.image(qr, x=x, y=y, w=size, h=size)
    pdf.set_font("LiberationSerif", size=6.5)
    pdf.set_xy(x - 110, y + size - 24)
    pdf.multi_cell(106, 8, f"Văn bản điện tử có chữ ký số.\nHồ sơ {code}.\nQuét mã để xác thực.", align="R")
    return bytes(pdf.output())


def stamp_verification(pdf: bytes, url: str, code: str) -> bytes:
    """The PDF with the QR stamp over the bottom right corner of its last page."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[-1]
        box = [float(v) for v in page.trimbox]
        width, height = box[2] - box[0], box[3] - box[1]
        with pikepdf.open(io.BytesIO(_stamp_page(width, height, url, code))) as stamp:
            page.add_overlay(stamp.pages[0], pikepdf.Rectangle(*box))
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()
