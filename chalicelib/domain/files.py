"""What a stored file really is, judged by its bytes rather than by what the client declared."""

from __future__ import annotations

# Leading bytes of the formats procedures accept. Office documents are deliberately absent:
# procedures ask for scans (PDF or images), and a ZIP container could hold anything.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)

SNIFF_BYTES = 16


def sniff_content_type(head: bytes) -> str | None:
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime
    return None


def safe_file_name(name: str, limit: int = 120) -> str:
    """A file name fit for a Content-Disposition header and an S3 metadata value."""
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(" .")
    return (cleaned or "file")[:limit]
