"""Uploads shared by every domain: the type is decided by the bytes, never by the file name.

    kind = check_upload(data, filename, allowed=("pdf", "png"), max_bytes=settings.max_upload_bytes)
    clean = await inspect(data, kind)                     # parsed in a child process, with limits
    rel = store_upload(settings.upload_dir, clean.data, kind)   # "ab/abcdef....pdf"

`check_upload` raises `UploadRejected(msgid, params)`; the web layer translates the msgid
(Thai in civic/locale/th/LC_MESSAGES/uploads.po and web.po) and answers 413 for size, 415 for
type, 422 for a file that is too complex, unreadable or carries active content.

`inspect` never parses in the server's process: a PDF or an image is read by `python -m
civic.uploads` under an address-space and CPU rlimit and a wall-clock timeout, so a
decompression bomb costs one killed child, never the event loop (a 32 KB PDF once froze every
request for 9 s). Images come back re-encoded by Pillow, so nothing after or around the pixels
survives (a PNG+HTML polyglot, EXIF with a location); PDFs are kept byte for byte (re-writing
would break a signed government document) but refused when they carry scripts or actions a
viewer runs by itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
import os
import resource
import sys
import tempfile
from pathlib import Path

import msgspec

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


class Limits(msgspec.Struct, frozen=True):
    """What one file may cost to read."""

    max_pages: int = 300
    # Decoded page content, counted per page: a stream shared by ten pages is read ten times.
    max_content_bytes: int = 32 * 1024 * 1024
    max_pixels: int = 40_000_000
    seconds: float = 10.0
    memory_bytes: int = 1024 * 1024 * 1024


LIMITS = Limits()


class Inspected(msgspec.Struct, frozen=True):
    """What to store (an image re-encoded, a PDF as sent) and a PDF's text when it was asked for."""

    data: bytes
    text: str = ""


class _Job(msgspec.Struct, frozen=True):
    kind: str
    data: bytes
    want_text: bool
    limits: Limits


class _Reply(msgspec.Struct, frozen=True):
    data: bytes = b""
    text: str = ""
    msgid: str = ""
    params: dict[str, int] = {}
    status: int = 422


TOO_SLOW = "This file took too long to read. Upload a simpler file, or paste the text."
TOO_COMPLEX = "This file is too complex to read safely. Upload a simpler file, or paste the text."


async def inspect(data: bytes, kind: str, *, want_text: bool = False, limits: Limits = LIMITS) -> Inspected:
    """Read the file in a child process: an image re-encoded, a PDF checked (and its text when
    want_text). UploadRejected (422) for a file over a limit, unreadable or with active content."""
    job = msgspec.msgpack.encode(_Job(kind, data, want_text, limits))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "civic.uploads",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(proc.communicate(job), limits.seconds)
    except TimeoutError:
        raise UploadRejected(TOO_SLOW, status=422) from None
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    if proc.returncode != 0 or not out:  # killed by its CPU or memory limit
        raise UploadRejected(TOO_COMPLEX, status=422)
    reply = msgspec.msgpack.decode(out, type=_Reply)
    if reply.msgid:
        raise UploadRejected(reply.msgid, reply.params, status=reply.status)
    return Inspected(reply.data, reply.text)


# ------------------------------------------------------------------ the child process

# Actions a viewer may run on its own or on a click; links (/URI) and jumps (/GoTo) are fine.
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE", "/Rendition"}
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/XFA", "/RichMedia"}
# Markup a browser would render if it ever sniffed the file as HTML (a PDF+HTML polyglot).
_MARKUP = (b"<html", b"<script", b"<svg", b"<iframe", b"<body")
_MAX_OBJECTS = 500_000


def _active_content(reader) -> bool:
    """Whether any object reachable from the trailer is a script or a self-running action."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            if len(seen) > _MAX_OBJECTS:
                raise UploadRejected(TOO_COMPLEX, status=422)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if _ACTIVE_KEYS.intersection(obj.keys()):
                return True
            if isinstance(action := obj.get("/S"), NameObject) and action in _ACTIVE_ACTIONS:
                return True
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return False


def _content_bytes(page) -> int:
    from pypdf.generic import ArrayObject

    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = [c.get_object() for c in contents] if isinstance(contents, ArrayObject) else [contents]
    return sum(len(s.get_data()) for s in streams)


def _read_pdf(data: bytes, want_text: bool, limits: Limits) -> _Reply:
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    unreadable = UploadRejected("This PDF could not be read. Check the file, or paste the text.", status=422)
    lowered = data.lower()
    if any(tag in lowered for tag in _MARKUP):
        raise UploadRejected("This PDF also contains web page markup, which is not accepted.", status=422)
    cap = limits.max_content_bytes
    decoders = {
        name: cap
        for name in (
            "zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
            "brotli_maximum_output_length", "array_based_stream_maximum_output_length",
            "jbig2_maximum_output_length", "stream_decoding_work_maximum_length",
        )
    }  # fmt: skip
    try:
        with apply_configuration(**decoders):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise UploadRejected(
                    "This PDF is protected with a password. Upload it unprotected.", status=422
                )
            if len(reader.pages) > limits.max_pages:
                raise UploadRejected(
                    "This PDF has more than %(max)s pages.", {"max": limits.max_pages}, status=413
                )
            if _active_content(reader):
                raise UploadRejected(
                    "This PDF contains scripts or actions that run by themselves, which are not accepted.",
                    status=422,
                )
            total = 0
            for page in reader.pages:
                total += _content_bytes(page)
                if total > cap:
                    raise UploadRejected(
                        "This PDF unpacks to more than %(max)s MB of page content. Upload a simpler file, "
                        "or paste the text.",
                        {"max": cap // (1024 * 1024)},
                        status=413,
                    )
            pages = (p.extract_text() or "" for p in reader.pages) if want_text else ()
            text = "\n\n".join(t.strip() for t in pages if t.strip())
    except UploadRejected:  # a ValueError, which the last clause would take for a damaged file
        raise
    except LimitReachedError:
        raise UploadRejected(TOO_COMPLEX, status=422) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise unreadable from None
    return _Reply(data=data, text=text)


_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


def _reencode_image(data: bytes, kind: str, limits: Limits) -> _Reply:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = limits.max_pixels
    unreadable = UploadRejected("This image could not be read. Check the file.", status=422)
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]]) as im:
            if im.width * im.height > limits.max_pixels:
                raise Image.DecompressionBombError
            im.seek(0)  # an animation keeps its first frame
            # The orientation lives in EXIF, which is not copied: apply it to the pixels.
            image = ImageOps.exif_transpose(im)
            if kind == "jpeg" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            elif kind == "webp" and image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, _PIL_FORMATS[kind], **({"quality": 90} if kind != "png" else {}))
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise UploadRejected(
            "This image is too large (at most %(max)s million pixels).",
            {"max": limits.max_pixels // 1_000_000},
            status=413,
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError, KeyError, IndexError):
        raise unreadable from None
    return _Reply(data=out.getvalue())


def _child() -> None:
    job = msgspec.msgpack.decode(sys.stdin.buffer.read(), type=_Job)
    limits = job.limits
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    try:
        if job.kind == "pdf":
            reply = _read_pdf(job.data, job.want_text, limits)
        else:
            reply = _reencode_image(job.data, job.kind, limits)
    except UploadRejected as exc:
        reply = _Reply(msgid=exc.msgid, params=exc.params, status=exc.status)
    except MemoryError:
        reply = _Reply(msgid=TOO_COMPLEX)
    sys.stdout.buffer.write(msgspec.msgpack.encode(reply))


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


if __name__ == "__main__":
    _child()
