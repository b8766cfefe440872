"""Files for upload tests. PDFs are written byte by byte (with a correct xref table) because the
point is to control exactly what the parser meets: a decompression bomb, a PDF with an
OpenAction script, a PDF+HTML polyglot, and a plain one. Images are drawn by Pillow."""

from __future__ import annotations

import io
import zlib

from PIL import Image

HTML = b"<html><body><script>alert(document.domain)</script></body></html>\n"


def build(objects: list[bytes]) -> bytes:
    """objects[i] is the body of object i+1; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, *, compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def pages_pdf(content: bytes, *, pages: int = 1, compress: bool = False, catalog_extra: bytes = b"") -> bytes:
    """`pages` pages that all draw the same content stream (object 4)."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _stream(content, compress=compress),
    ] + [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Contents 4 0 R >>"
    ] * pages
    return build(objects)


def plain(text: bytes = b"Hello") -> bytes:
    return pages_pdf(b"BT /F1 12 Tf 72 712 Td (" + text + b") Tj ET")


def bomb(stream_bytes: int = 20 * 1024 * 1024, pages: int = 10) -> bytes:
    """One FlateDecode content stream of stream_bytes shared by every page: about 30 KB on disk."""
    line = b"BT /F1 12 Tf 72 712 Td (A) Tj ET\n"
    return pages_pdf((line * (stream_bytes // len(line) + 1))[:stream_bytes], pages=pages, compress=True)


def open_action_script() -> bytes:
    return pages_pdf(
        b"BT /F1 12 Tf 72 712 Td (Hi) Tj ET",
        catalog_extra=b"/OpenAction << /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >> ",
    )


def html_polyglot() -> bytes:
    """A valid PDF whose bytes also hold a web page with a script."""
    return plain() + HTML


def image(kind: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, kind)
    return out.getvalue()


def png_polyglot() -> bytes:
    """A PNG that a browser sniffing for HTML would render: markup after IEND and in a text chunk."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (30, 120, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue() + HTML
