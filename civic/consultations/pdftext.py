"""Text out of a text-based PDF (pypdf). The caller repairs it with civic.thai.repair and keeps
the original; a scanned PDF yields no text and the caller asks for pasted text instead."""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)


def extract_text(data: bytes, *, max_pages: int = 300) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = []
        for page in reader.pages[:max_pages]:
            pages.append(page.extract_text() or "")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        log.info("could not read PDF text: %s", exc)
        return ""
    return "\n\n".join(p.strip() for p in pages if p.strip())
