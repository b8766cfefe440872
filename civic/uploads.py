"""Uploads shared by every domain: the type is decided by the bytes, never by the file name.

    kind = check_upload(data, filename, allowed=("pdf", "png"), max_bytes=settings.max_upload_bytes)
    rel = store_upload(settings.upload_dir, data, kind)   # "ab/abcdef....pdf"

`check_upload` raises `UploadRejected(msgid, params)`; the web layer translates the msgid
(Thai in civic/locale/th/LC_MESSAGES/consultations.po) and answers 413 for size, 415 for type.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

KINDS = ("pdf", "png", "jpeg", "webp")
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "webp": "webp"}
MEDIA_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
# Names a user may give each kind; a file whose name says something else is refused too, so a
# PNG called report.pdf never reaches a PDF parser.
NAME_SUFFIXES = {"pdf": {".pdf"}, "png": {".png"}, "jpeg": {".jpg", ".jpeg"}, "webp": {".webp"}}


class UploadRejected(ValueError):
    """msgid + params for the reader; `status` is the HTTP status the web layer should use."""

    def __init__(self, msgid: str, params: dict[str, object] | None = None, *, status: int = 415) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params or {}
        self.status = status


def sniff(data: bytes) -> str | None:
    """The kind the bytes themselves declare, from their magic numbers, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _puremagic_agrees(data: bytes, kind: str) -> bool:
    """A second opinion from puremagic's signature table; it must not name another type."""
    try:
        import puremagic

        ext = puremagic.from_string(data[:8192])
    except Exception:  # puremagic raises when nothing matches; our own sniff already decided
        return True
    ext = (ext or "").lower().lstrip(".")
    if not ext:
        return True
    return {"jpg": "jpeg", "jpe": "jpeg", "jfif": "jpeg", "jfi": "jpeg", "jif": "jpeg"}.get(ext, ext) == kind


def check_upload(
    data: bytes,
    filename: str,
    *,
    allowed: tuple[str, ...] = KINDS,
    max_bytes: int,
) -> str:
    """The detected kind ('pdf', 'png', 'jpeg', 'webp'), or UploadRejected."""
    if len(data) > max_bytes:
        raise UploadRejected(
            "The file is too large (at most %(max)s MB).",
            {"max": max(1, max_bytes // (1024 * 1024))},
            status=413,
        )
    if not data:
        raise UploadRejected("The file is empty.", status=400)
    allowed_names = ", ".join(k.upper() for k in allowed)
    kind = sniff(data)
    if kind is None or kind not in allowed or not _puremagic_agrees(data, kind):
        raise UploadRejected(
            "This file type is not accepted. Upload one of: %(kinds)s.", {"kinds": allowed_names}
        )
    suffix = Path(filename or "").suffix.lower()
    if suffix and suffix not in NAME_SUFFIXES[kind]:
        raise UploadRejected(
            "The file's name does not match its content. Upload one of: %(kinds)s.", {"kinds": allowed_names}
        )
    return kind


def store_upload(upload_dir: Path | str, data: bytes, kind: str) -> str:
    """Write once under a content-addressed name (sha256) and return the path relative to
    upload_dir, e.g. 'ab/ab12...ef.pdf'. The same bytes always land on the same file."""
    if kind not in EXTENSIONS:
        raise ValueError(f"unknown upload kind {kind!r}")
    digest = hashlib.sha256(data).hexdigest()
    rel = f"{digest[:2]}/{digest}.{EXTENSIONS[kind]}"
    target = Path(upload_dir) / rel
    if target.exists():
        return rel
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file and rename, so a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rel


def resolve(upload_dir: Path | str, rel: str) -> Path | None:
    """The file for a stored relative path, or None if the path tries to leave upload_dir."""
    base = Path(upload_dir).resolve()
    path = (base / rel).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path
