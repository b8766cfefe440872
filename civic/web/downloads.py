"""How every user-uploaded file is served: as a download, never rendered by the browser.

Content-Disposition: attachment, nosniff and a sandboxing CSP together mean that even a file
that is also a web page (a PDF+HTML or PNG+HTML polyglot) is saved, not run on this origin:
the browser may not guess another type, does not display it in place, and if it ever did, the
document would have no origin, no scripts and could load nothing."""

from __future__ import annotations

from pathlib import Path

from litestar.response import File

UPLOAD_CSP = "sandbox; default-src 'none'"


def upload_response(path: Path, filename: str, media_type: str) -> File:
    return File(
        path=path,
        filename=filename,
        media_type=media_type,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": UPLOAD_CSP},
    )
