"""Regenerate the sample files the walkthrough uploads: `.venv/bin/python examples/files/make_samples.py`.

They are committed, so nobody needs to run this; it is here so anyone can see what the files hold and
remake them. Each is a genuine, small file of its kind (a black-and-white A4 scan in a PDF, a JPEG photo),
with nothing a verifier would refuse: no scripts, actions or attachments, no bytes after the image.
The text is ASCII because Pillow's built-in font has no Vietnamese marks, and a font of the machine
would make the files differ from one machine to the next.
"""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
A4_AT_150_DPI = (1240, 1754)
# A fixed date, so that regenerating gives the same bytes.
MADE = time.gmtime(1767600000)  # 2026-01-05 08:00 UTC; Pillow writes struct_time dates


def _scan(lines: list[tuple[int, str]]) -> Image.Image:
    """A bilevel A4 page (as a desk scanner makes), one text line per (font size, text)."""
    page = Image.new("L", A4_AT_150_DPI, 255)
    draw = ImageDraw.Draw(page)
    y = 150
    for size, text in lines:
        font = ImageFont.load_default(size=size)
        # Headings are centred, like the national forms.
        x = (A4_AT_150_DPI[0] - draw.textlength(text, font=font)) / 2 if size >= 30 else 150
        draw.text((x, y), text, font=font, fill=0)
        y += int(size * 1.9)
    return page.convert("1")


def _pdf(path: Path, title: str, lines: list[tuple[int, str]]) -> None:
    _scan(lines).save(path, "PDF", resolution=150, title=title, author="MotCua examples",
                      creationDate=MADE, modDate=MADE)


def _photo(path: Path) -> None:
    """A small photo-like JPEG: a sky-to-ground gradient with a caption."""
    width, height = 480, 360
    photo = Image.new("RGB", (width, height))
    for y in range(height):
        shade = int(255 * y / height)
        ImageDraw.Draw(photo).line([(0, y), (width, y)], fill=(120 + shade // 3, 170 - shade // 4, 230 - shade // 2))
    draw = ImageDraw.Draw(photo)
    draw.rectangle([(150, 90), (330, 300)], fill=(240, 235, 220), outline=(60, 60, 60), width=4)
    draw.text((40, 20), "MotCua sample photo (anh chup mau)", font=ImageFont.load_default(size=22), fill=(0, 0, 0))
    photo.save(path, "JPEG", quality=70, optimize=True)


def main() -> None:
    _pdf(HERE / "application-form.pdf", "Sample application form", [
        (34, "CONG HOA XA HOI CHU NGHIA VIET NAM"),
        (30, "Doc lap - Tu do - Hanh phuc"),
        (24, ""),
        (40, "DON DE NGHI (MAU THU)"),
        (30, "Sample application form"),
        (24, ""),
        (26, "Ho va ten / Full name: Nguyen Van An"),
        (26, "So dinh danh ca nhan / Citizen ID: 001090012345"),
        (26, "Ngay sinh / Date of birth: 12/05/1990"),
        (26, "Dia chi / Address: 12 Pho Hue, Hai Ba Trung, Ha Noi"),
        (24, ""),
        (24, "This file was made for the MotCua walkthrough (make demo)."),
        (24, "It is not a real application and carries no signature."),
    ])
    _pdf(HERE / "result.pdf", "Sample result document", [
        (34, "SO LAO DONG - THUONG BINH VA XA HOI"),
        (30, "Ha Noi"),
        (24, ""),
        (40, "QUYET DINH (MAU THU)"),
        (30, "Sample decision: the electronic result of a dossier"),
        (24, ""),
        (26, "Chap thuan ho so / The dossier is approved."),
        (24, ""),
        (24, "This file was made for the MotCua walkthrough (make demo)."),
        (24, "It is not a real decision and carries no signature."),
    ])
    _photo(HERE / "photo.jpg")
    for name in ("application-form.pdf", "result.pdf", "photo.jpg"):
        print(f"{name}: {(HERE / name).stat().st_size} bytes")


if __name__ == "__main__":
    main()
