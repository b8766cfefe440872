"""civic.uploads.inspect: every upload is parsed in a child process under limits (pages, decoded
bytes, pixels, wall-clock time) and comes back clean or refused with a status and a message."""

import io

import pytest
from PIL import Image

from civic.uploads import Limits, UploadRejected, inspect
from tests import files


async def refused(data: bytes, kind: str, **kw) -> UploadRejected:
    with pytest.raises(UploadRejected) as exc:
        await inspect(data, kind, **kw)
    return exc.value


async def test_plain_pdf_is_kept_byte_for_byte_with_its_text():
    data = files.plain(b"Hello civic")
    got = await inspect(data, "pdf", want_text=True)
    assert got.data == data and got.text == "Hello civic"
    assert (await inspect(data, "pdf")).text == ""


async def test_bomb_is_refused_by_its_decoded_size():
    exc = await refused(files.bomb(), "pdf", want_text=True)
    assert exc.status == 413 and exc.params == {"max": 32}


async def test_bomb_is_refused_by_the_clock_when_the_size_limit_is_not_reached():
    exc = await refused(files.bomb(), "pdf", want_text=True, limits=Limits(max_content_bytes=10**9, seconds=2))
    assert exc.status == 422 and exc.msgid.startswith("This file took too long")


async def test_page_limit():
    exc = await refused(files.bomb(stream_bytes=100, pages=10), "pdf", limits=Limits(max_pages=5))
    assert exc.status == 413 and exc.params == {"max": 5}


@pytest.mark.parametrize("make", [files.open_action_script, files.html_polyglot])
async def test_active_pdfs_are_refused(make):
    exc = await refused(make(), "pdf")
    assert exc.status == 422


async def test_a_link_and_a_go_to_open_action_are_not_active():
    data = files.pages_pdf(b"BT ET", catalog_extra=b"/OpenAction << /S /GoTo /D [5 0 R /Fit] >> ")
    assert (await inspect(data, "pdf")).data == data


async def test_damaged_pdf_is_refused():
    exc = await refused(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n", "pdf")
    assert exc.status == 422


async def test_png_polyglot_comes_back_as_pixels_only():
    got = await inspect(files.png_polyglot(), "png")
    assert b"<html" not in got.data and b"script" not in got.data
    with Image.open(io.BytesIO(got.data)) as im:
        assert im.size == (4, 3) and im.getpixel((0, 0)) == (30, 120, 200)


@pytest.mark.parametrize("kind", ["JPEG", "WEBP"])
async def test_jpeg_and_webp_are_reencoded(kind):
    got = await inspect(files.image(kind) + files.HTML, kind.lower())
    assert files.HTML not in got.data
    with Image.open(io.BytesIO(got.data)) as im:
        assert im.format == kind and im.size == (4, 3)


async def test_pixel_bomb_is_refused():
    exc = await refused(files.image("PNG", (5000, 5000)), "png", limits=Limits(max_pixels=1_000_000))
    assert exc.status == 413 and exc.params == {"max": 1}


async def test_bytes_that_are_not_an_image_are_refused():
    exc = await refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "png")
    assert exc.status == 422
