"""Small real files for tests that upload: verification parses PDFs and decodes images, so magic bytes
followed by zeros are refused as malformed."""

from __future__ import annotations

import io

import pikepdf
from PIL import Image


def sample_files() -> tuple[bytes, bytes, bytes]:
    """A one-page PDF, a PNG and a JPEG. Pillow re-encodes its own small images to the same bytes, so sizes
    and hashes of what is stored are those of these files."""
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(out, static_id=True)
    images = []
    for fmt in ("PNG", "JPEG"):
        image = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 30, 30)).save(image, fmt)
        images.append(image.getvalue())
    return out.getvalue(), images[0], images[1]


PDF, PNG, JPEG = sample_files()
