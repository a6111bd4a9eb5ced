"""Disarming an uploaded file: what is stored is either a file that can only be what it claims to be, or nothing.

Officers open citizens' files in their browsers and PDF readers, so sniffing the first bytes is not enough:
- a PDF is parsed and refused when it can act on its own (JavaScript, automatic or launch actions) or carries
  other files; its bytes are kept as sent, since rewriting would break the digital signatures of result documents;
- a JPEG or PNG is decoded and encoded again, so whatever rode along (trailing payloads, comments, metadata with
  the phone's location) is gone and the stored bytes are the platform's own;
- a file that is also a second format (an HTML page, a script, a ZIP or a PDF hidden in or after it) is refused:
  a browser or an unzip tool would see that other file.

Pure Python apart from the parsers, which are imported on first use: the API's cold start must not pay for them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from .errors import DomainError
from .files import SNIFF_BYTES, sniff_content_type

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

# Bounds on the work one hostile file can cause. A dossier scan has tens of pages; a 600 dpi A4 scan is about
# 35 megapixels and a 48 MP phone photo just under 50, so honest files stay far inside these.
MAX_PDF_PAGES = 2000
MAX_PDF_OBJECTS = 200_000
MAX_PDF_NODES = 2_000_000  # dictionary entries and array items visited while looking for active content
MAX_IMAGE_PIXELS = 50_000_000

# Actions that run code, start a program, fetch or send something, or open another file.
_RISKY_ACTIONS = frozenset({"/JavaScript", "/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm",
                            "/RichMediaExecute", "/Rendition", "/Movie", "/Sound"})
# Keys whose mere presence means the document can act by itself: scripts, XFA forms (which embed scripts),
# and additional actions (triggered by opening a page, focusing a field...).
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA", "/RichMediaContent"})
_ACTIVE_TYPES = frozenset({"/RichMedia"})  # Flash and video players inside the page
_EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EF"})
_EMBEDDED_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment"})

_PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")

# Markers of a document a browser would render or a script it would run. Only long, distinctive ones: compressed
# image data is random-looking, and a short marker (`<a `, `<svg`) turns up by chance in one photo of a few thousand.
_MARKUP = re.compile(rb"<script|<html[\s>]|<body[\s>]|<!doctype\s+html|<iframe|<embed[\s>]|<object[\s>]"
                     rb"|http://www\.w3\.org/2000/svg|http://www\.w3\.org/1999/xhtml|javascript:"
                     rb"|<\?xml-stylesheet", re.IGNORECASE)
# Formats that must not ride after an image's end. Other trailers are dropped silently by re-encoding: phones
# append motion-photo videos, HDR gain maps and preview JPEGs there.
_FOREIGN_SIGNATURES = (b"%PDF-", b"PK\x03\x04", b"PK\x05\x06", b"\x7fELF", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


class FileRefused(DomainError):
    """The file is not accepted; `detail_code` is a stable `file.*` code, `params` fill its message."""

    code = "file.refused"


@dataclass(frozen=True)
class Disarmed:
    content: bytes  # what may be stored: the bytes as sent (PDF) or re-encoded (images)
    content_type: str  # verified from the bytes, never the client's word


def disarm(data: bytes, declared_type: str) -> Disarmed:
    """The safe form of an uploaded file, or FileRefused saying why there is none."""
    detected = sniff_content_type(data[:SNIFF_BYTES])
    if detected != declared_type:
        raise FileRefused("file.type_mismatch", detected=detected or "?", declared=declared_type)
    if detected == PDF:
        _check_pdf(data)
        end = data.rfind(b"%%EOF")
        # PDF writers leave comments and whitespace after the end, which is harmless text: only markup (anywhere)
        # and other formats count there.
        _refuse_polyglot(data, data[end + 5:] if end >= 0 else b"", text_is_foreign=False)
        return Disarmed(data, PDF)
    safe = _reencode_image(data, detected)
    end = (_jpeg_end if detected == JPEG else _png_end)(data)
    _refuse_polyglot(data, data[end:] if end is not None else b"", text_is_foreign=True)
    return Disarmed(safe, detected)


# ---------------------------------------------------------------- PDF

def _check_pdf(data: bytes) -> None:
    import pikepdf

    if not _PDF_HEADER.match(data):
        raise FileRefused("file.malformed")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise FileRefused("file.pdf_encrypted") from None
    except MemoryError:
        raise
    except Exception:  # qpdf's verdict on hostile bytes comes as several exception types; all mean "not a PDF"
        raise FileRefused("file.malformed") from None
    with pdf:
        try:
            _check_pdf_structure(pdf)
        except (FileRefused, MemoryError):
            raise
        except Exception:
            raise FileRefused("file.malformed") from None


def _check_pdf_structure(pdf) -> None:
    import pikepdf

    declared_objects = pdf.trailer.get("/Size", 0)
    if not isinstance(declared_objects, int) or declared_objects > MAX_PDF_OBJECTS:
        raise FileRefused("file.pdf_too_complex", max_pages=MAX_PDF_PAGES)
    if pdf.Root.get("/Type") != pikepdf.Name.Catalog:
        raise FileRefused("file.malformed")
    pages = len(pdf.pages)
    if pages == 0:
        raise FileRefused("file.malformed")
    if pages > MAX_PDF_PAGES:
        raise FileRefused("file.pdf_too_complex", max_pages=MAX_PDF_PAGES)
    active, embedded = _pdf_findings(pdf)
    if active:
        raise FileRefused("file.pdf_active_content")
    if embedded:
        raise FileRefused("file.pdf_embedded_files")


def _pdf_findings(pdf) -> tuple[bool, bool]:
    """Whether any object, referenced or not, carries active content or embedded files.

    Every indirect object is visited once, and the direct dictionaries and arrays inside it; references are not
    followed (their targets are indirect objects, visited in their own turn), so cycles cannot loop.
    """
    import pikepdf

    active = embedded = False
    stack = list(pdf.objects)
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > MAX_PDF_NODES:
            raise FileRefused("file.pdf_too_complex", max_pages=MAX_PDF_PAGES)
        if isinstance(obj, pikepdf.Stream):
            obj = obj.stream_dict
        if isinstance(obj, pikepdf.Dictionary):
            for key, value in obj.items():
                if key in _ACTIVE_KEYS or (key == "/OpenAction" and not _is_plain_destination(value)):
                    active = True
                elif key in _EMBEDDED_KEYS:
                    embedded = True
                elif key in ("/S", "/Type", "/Subtype") and isinstance(value, pikepdf.Name):
                    name = str(value)
                    active = active or name in _ACTIVE_TYPES or (key == "/S" and name in _RISKY_ACTIONS)
                    embedded = embedded or name in _EMBEDDED_TYPES
                if _is_direct_container(value):
                    stack.append(value)
        elif isinstance(obj, pikepdf.Array):
            stack.extend(item for item in obj if _is_direct_container(item))
        if active and embedded:
            break
    return active, embedded


def _is_direct_container(value) -> bool:
    import pikepdf

    # Numbers, booleans and null come back as Python values, which have no is_indirect.
    return isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect


def _is_plain_destination(value) -> bool:
    """/OpenAction that only says where to open (LibreOffice writes one into every export) is harmless;
    any other action run on opening is not."""
    import pikepdf

    if isinstance(value, pikepdf.Array):
        return True
    return isinstance(value, pikepdf.Dictionary) and value.get("/S") == pikepdf.Name.GoTo and "/Next" not in value


# ---------------------------------------------------------------- images

def _reencode_image(data: bytes, content_type: str) -> bytes:
    from PIL import Image, ImageOps

    fmt = "JPEG" if content_type == JPEG else "PNG"
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise FileRefused("file.image_too_large", width=width, height=height, max=MAX_IMAGE_PIXELS)
            image.load()
            options = _encoder_options(image, fmt)
            # Turned upright as the phone meant it, so the orientation tag can go with the rest of the metadata.
            upright = ImageOps.exif_transpose(image)
        # Pillow's encoders carry EXIF, comments and ICC profiles over from `info`: emptied, nothing rides along.
        upright.info = {}
        out = io.BytesIO()
        upright.save(out, fmt, **options)
        return out.getvalue()
    except Image.DecompressionBombError:  # Pillow's own, far larger, limit: hit while reading the header
        raise FileRefused("file.image_too_large", max=MAX_IMAGE_PIXELS) from None
    except (FileRefused, MemoryError):
        raise
    except Exception:  # Pillow reports broken files as OSError, SyntaxError, ValueError, struct.error...
        raise FileRefused("file.malformed") from None


def _encoder_options(image, fmt: str) -> dict:
    options: dict = {}
    dpi = image.info.get("dpi")
    if dpi:  # a scan's resolution decides its printed size: keep it
        options["dpi"] = tuple(round(float(d)) for d in dpi)
    if fmt == "JPEG":
        from PIL import JpegImagePlugin

        # The original's own quantisation tables and chroma subsampling: same quality, about the same size.
        if getattr(image, "quantization", None):
            options["qtables"] = image.quantization
        options["subsampling"] = JpegImagePlugin.get_sampling(image)
    elif "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    return options


# ---------------------------------------------------------------- polyglots

def _refuse_polyglot(data: bytes, trailer: bytes, text_is_foreign: bool) -> None:
    """`trailer` is what follows the file's own end (an image's last marker or chunk, a PDF's last %%EOF):
    another format there, or markup anywhere, makes the file a second document too."""
    if _MARKUP.search(data) or _has_zip_directory(data) or (not data.startswith(b"%PDF-") and b"%PDF-" in data):
        raise FileRefused("file.polyglot")
    if any(sig in trailer for sig in _FOREIGN_SIGNATURES) or (text_is_foreign and _looks_like_text(trailer)):
        raise FileRefused("file.polyglot")


def _looks_like_text(chunk: bytes) -> bool:
    """A script needs no tags: a trailer that is mostly printable text is one (padding is not)."""
    meaningful = chunk.strip(b"\x00 \t\r\n")
    if len(meaningful) < 8:
        return False
    sample = meaningful[:4096]
    return sum(b in _TEXT_BYTES for b in sample) >= 0.9 * len(sample)


def _has_zip_directory(data: bytes) -> bool:
    """An unzip tool reads a file from its end: a ZIP end record there, closing a real central directory,
    is an archive whatever the first bytes say. The checks keep chance matches in compressed data out."""
    window_start = max(0, len(data) - 22 - 0xFFFF)
    position = data.rfind(b"PK\x05\x06", window_start)
    while position >= 0:
        record = data[position:position + 22]
        if len(record) == 22:
            directory_size = int.from_bytes(record[12:16], "little")
            comment_length = int.from_bytes(record[20:22], "little")
            directory_start = position - directory_size
            if (position + 22 + comment_length == len(data) and 0 < directory_size <= position
                    and data[directory_start:directory_start + 4] == b"PK\x01\x02"):
                return True
        position = data.rfind(b"PK\x05\x06", window_start, position)
    return False


def _jpeg_end(data: bytes) -> int | None:
    """Offset just past the JPEG's end-of-image marker, walking its segments and entropy-coded scans;
    None when the structure cannot be followed (Pillow has already judged the picture itself)."""
    n, i = len(data), 2
    while i < n:
        if data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            continue
        if i + 2 > n:
            return None
        length = int.from_bytes(data[i:i + 2], "big")
        if length < 2:
            return None
        i += length
        if marker == 0xDA:  # start of scan: compressed data runs to the next real marker
            while True:
                i = data.find(b"\xff", i)
                if i < 0 or i + 1 >= n:
                    return None
                following = data[i + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte or restart marker
                    i += 2
                elif following == 0xFF:
                    i += 1
                else:
                    break
    return None


def _png_end(data: bytes) -> int | None:
    """Offset just past the PNG's IEND chunk, or None when its chunks do not chain up to one."""
    n, i = len(data), 8
    while i + 12 <= n:
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        i += 12 + length
        if kind == b"IEND":
            return i if i <= n else None
    return None
