"""The one-stop forms as PDF (fpdf2): A4, laid out as the official forms are.

Top left the agency, top right the national emblem line (Quốc hiệu, tiêu ngữ), the form's number in the
corner, the title centred, the body, the signature blocks at the bottom right and a QR code that opens the
dossier's public lookup. The text is set in Liberation Serif, metric-compatible with Times New Roman (the
official documents' typeface) and covering Vietnamese; fpdf2 embeds only the glyphs used.

The same view renders to the same bytes: the document's creation date is the form's own date, and fpdf2
derives the file identifier from the content and that date.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from fpdf import FPDF, FontFace

from ..domain.forms import Field, FormView, Paragraph, Section, Signature, Table

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "LiberationSerif"
_FACES = {"": "Regular", "B": "Bold", "I": "Italic"}

BODY_PT, SMALL_PT, TABLE_PT, TITLE_PT = 12, 9, 10, 14
LINE_MM = 6.0
QR_MM = 26.0
SIGNATURE_MM = 72.0
# Decree 30/2020/NĐ-CP puts a document's left margin at 30-35 mm; a form handed over the desk keeps a little less.
MARGINS_MM = (25.0, 15.0, 15.0)  # left, top, right
EMBLEM = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """The faces, checked once per process. The parsed fonts cannot be shared between documents: fpdf2
    subsets a face in place when it writes a file, so each document parses its own (about 7 ms a face)."""
    files = {style: FONT_DIR / f"{FAMILY}-{face}.ttf" for style, face in _FACES.items()}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"fonts missing: {', '.join(missing)}")
    return files


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, "I", SMALL_PT - 1)
        self.cell(0, 4, f"{self.footer_text} · Trang {self.page_no()}/{{nb}}", align="C")


def new_document(*, title: str, author: str, subject: str, created: datetime, footer: str,
                 orientation: str = "portrait") -> _Document:
    """An empty A4 document with the fonts and metadata every platform document has; `created` (aware) is its
    creation date, and with the content what fpdf2 derives the file identifier from."""
    pdf = _Document(orientation=orientation, unit="mm", format="A4")
    left, top, right = MARGINS_MM
    pdf.set_margins(left, top, right)
    pdf.set_auto_page_break(True, margin=15)
    for style, path in font_files().items():
        pdf.add_font(FAMILY, style, path)
    pdf.set_creation_date(created)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_subject(subject)
    pdf.set_creator("MotCua")
    pdf.set_lang("vi")
    pdf.footer_text = footer
    return pdf


def header(pdf: FPDF, agency_lines: tuple[str, ...], dateline: str | None, form_number: str) -> None:
    """The agency at the left, the emblem line at the right, the form's number in the top right corner."""
    width = pdf.epw
    left_w = min(80.0, width * 0.45)
    right_w = width - left_w
    top = pdf.t_margin
    pdf.set_font(FAMILY, "B", SMALL_PT + 1)
    pdf.set_xy(pdf.l_margin, top - 6)
    if form_number:  # a document no circular numbers (the payment receipt) has none
        pdf.cell(width, 5, f"Mẫu số {form_number}", align="R")
    pdf.set_xy(pdf.l_margin, top)
    for i, line in enumerate(agency_lines):
        pdf.set_font(FAMILY, "B" if i == len(agency_lines) - 1 else "", BODY_PT - 1)
        pdf.set_x(pdf.l_margin)
        pdf.multi_cell(left_w, 5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    _rule(pdf, pdf.l_margin + left_w / 2, pdf.get_y() + 1.5, left_w / 3)
    left_bottom = pdf.get_y() + 3

    pdf.set_xy(pdf.l_margin + left_w, top)
    pdf.set_font(FAMILY, "B", BODY_PT - 1)
    pdf.cell(right_w, 5, EMBLEM[0], align="C", new_x="LEFT", new_y="NEXT")
    # The motto is underlined across its own length, as on every official document.
    pdf.set_font(FAMILY, "BU", BODY_PT)
    pdf.cell(right_w, 6, EMBLEM[1], align="C", new_x="LEFT", new_y="NEXT")
    if dateline:
        pdf.ln(2)
        pdf.set_x(pdf.l_margin + left_w)
        pdf.set_font(FAMILY, "I", BODY_PT)
        pdf.cell(right_w, 6, dateline, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(left_bottom, pdf.get_y()) + 4)


def _rule(pdf: FPDF, centre_x: float, y: float, length: float) -> None:
    pdf.set_line_width(0.3)
    pdf.line(centre_x - length / 2, y, centre_x + length / 2, y)


def title(pdf: FPDF, text: str, subtitle: str | None = None) -> None:
    pdf.set_font(FAMILY, "B", TITLE_PT)
    pdf.multi_cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font(FAMILY, "B", BODY_PT)
        pdf.multi_cell(0, LINE_MM, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _field(pdf: FPDF, field: Field) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "", BODY_PT)
    pdf.write(LINE_MM, f"{field.label}: ")
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.write(LINE_MM, field.value)
    pdf.ln(LINE_MM)


def _paragraph(pdf: FPDF, paragraph: Paragraph) -> None:
    pdf.set_font(FAMILY, "", BODY_PT)
    pdf.multi_cell(0, LINE_MM, paragraph.text, align="J", new_x="LMARGIN", new_y="NEXT")


def _short(values) -> bool:
    return all(len(value or "") <= 5 for value in values)


def table(pdf: FPDF, columns: tuple[str, ...], rows, widths: tuple[float, ...], size: float = TABLE_PT) -> None:
    """A bordered table whose header row is repeated on every page it runs over; columns of short values
    (ordinals, counts) centred."""
    rows = [tuple(value if value is not None else "" for value in row) for row in rows]
    pdf.set_font(FAMILY, "", size)
    align = tuple("CENTER" if _short(row[i] for row in rows) else "LEFT" for i in range(len(columns)))
    with pdf.table(col_widths=widths, width=pdf.epw, align="LEFT", line_height=size * 0.5, text_align=align,
                   headings_style=FontFace(emphasis="BOLD"), first_row_as_headings=True, repeat_headings=1,
                   padding=1) as grid:
        heading = grid.row()
        for column in columns:
            heading.cell(column, align="CENTER")
        for values in rows:
            row = grid.row()
            for value in values:
                row.cell(value)
    pdf.ln(2)


def _section(pdf: FPDF, section: Section) -> None:
    if section.heading:
        pdf.set_font(FAMILY, "B", BODY_PT)
        pdf.cell(0, LINE_MM, section.heading, new_x="LMARGIN", new_y="NEXT")
    for block in section.blocks:
        if isinstance(block, Field):
            _field(pdf, block)
        elif isinstance(block, Paragraph):
            _paragraph(pdf, block)
        elif isinstance(block, Table):
            pdf.ln(1)
            table(pdf, block.columns, block.rows, block.widths)
    pdf.ln(2)


def qr_png(text: str) -> bytes:
    import segno

    out = BytesIO()
    # Medium error correction survives a crease or a smudge on a paper form; the quiet zone is the standard 4.
    segno.make(text, error="m").save(out, kind="png", scale=4, border=4)
    return out.getvalue()


def _signature(pdf: FPDF, signature: Signature, x: float, y: float) -> float:
    pdf.set_xy(x, y)
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.multi_cell(SIGNATURE_MM, LINE_MM, signature.title, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, "I", BODY_PT - 1)
    pdf.multi_cell(SIGNATURE_MM, 5, signature.note, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 20)  # room to sign (and stamp)
    pdf.set_x(x)
    if signature.name:
        pdf.set_font(FAMILY, "B", BODY_PT)
        pdf.multi_cell(SIGNATURE_MM, LINE_MM, signature.name, align="C", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _closing(pdf: FPDF, view: FormView) -> None:
    """Signatures at the bottom right; the QR code at the left, beside a lone signature or under several."""
    count = len(view.signatures)
    signatures_h = 12 + 20 + 8 if count else 0
    qr_h = QR_MM + 10
    needed = max(signatures_h, qr_h) if count <= 1 else signatures_h + qr_h
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y() + 2
    bottom = top
    if count:
        right_x = pdf.l_margin + pdf.epw - SIGNATURE_MM
        step = (right_x - pdf.l_margin) / (count - 1) if count > 1 else 0
        for i, signature in enumerate(view.signatures):
            x = right_x if count == 1 else pdf.l_margin + i * step
            bottom = max(bottom, _signature(pdf, signature, x, top))
    qr_top = top if count <= 1 else bottom + 4
    pdf.image(BytesIO(qr_png(view.lookup_url)), x=pdf.l_margin, y=qr_top, w=QR_MM, h=QR_MM)
    pdf.set_xy(pdf.l_margin, qr_top + QR_MM + 1)
    pdf.set_font(FAMILY, "I", SMALL_PT - 1)
    pdf.multi_cell(min(70.0, pdf.epw / 2 - 5), 3.5, f"Tra cứu hồ sơ: {view.lookup_url}", align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(bottom, pdf.get_y()))


def render_form(view: FormView) -> bytes:
    """The form as a PDF file."""
    numbered = f"Mẫu số {view.number} - " if view.number else ""
    basis = f"Mẫu số {view.number} ({view.basis}) · " if view.number else ""
    pdf = new_document(title=f"{numbered}{view.title} - {view.dossier_code}", author=view.author,
                       subject=f"{view.title.capitalize()}, hồ sơ {view.dossier_code}", created=view.issued_at,
                       footer=f"{basis}Mã hồ sơ {view.dossier_code}")
    pdf.add_page()
    header(pdf, view.agency_lines, view.dateline, view.number)
    title(pdf, view.title, f"Mã hồ sơ: {view.dossier_code}")
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.cell(0, LINE_MM, view.applicant_heading, new_x="LMARGIN", new_y="NEXT")
    for field in view.applicant:
        _field(pdf, field)
    pdf.ln(2)
    for section in view.sections:
        _section(pdf, section)
    _closing(pdf, view)
    return bytes(pdf.output())
