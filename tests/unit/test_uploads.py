import hashlib

import pytest

from civic.uploads import UploadRejected, check_upload, resolve, sniff, store_upload

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
MB = 1024 * 1024


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (PDF, "ร่าง.pdf", "pdf"),
        (PNG, "a.png", "png"),
        (JPEG, "a.JPG", "jpeg"),
        (JPEG, "a.jpeg", "jpeg"),
        (WEBP, "a.webp", "webp"),
        (PDF, "", "pdf"),
    ],
)
def test_accepts_by_content(data, name, kind):
    assert check_upload(data, name, max_bytes=MB) == kind


def test_executable_renamed_pdf_is_refused():
    with pytest.raises(UploadRejected) as exc:
        check_upload(ELF, "report.pdf", max_bytes=MB)
    assert exc.value.status == 415
    assert exc.value.params["kinds"] == "PDF, PNG, JPEG, WEBP"


def test_script_and_html_refused():
    for data in (b"#!/bin/sh\nrm -rf /\n", b"<html><script>alert(1)</script>", b"MZ\x90\x00" + b"\x00" * 60):
        with pytest.raises(UploadRejected):
            check_upload(data, "x.pdf", max_bytes=MB)


def test_png_named_pdf_is_refused():
    with pytest.raises(UploadRejected):
        check_upload(PNG, "x.pdf", max_bytes=MB)


def test_kind_outside_allowed_is_refused():
    with pytest.raises(UploadRejected):
        check_upload(PNG, "x.png", allowed=("pdf",), max_bytes=MB)


def test_too_large_is_413():
    with pytest.raises(UploadRejected) as exc:
        check_upload(PDF + b"\x00" * (2 * MB), "x.pdf", max_bytes=2 * MB)
    assert exc.value.status == 413
    assert exc.value.params == {"max": 2}


def test_empty_refused():
    with pytest.raises(UploadRejected):
        check_upload(b"", "x.pdf", max_bytes=MB)


def test_store_is_content_addressed(tmp_path):
    rel = store_upload(tmp_path, PDF, "pdf")
    digest = hashlib.sha256(PDF).hexdigest()
    assert rel == f"{digest[:2]}/{digest}.pdf"
    assert (tmp_path / rel).read_bytes() == PDF
    assert store_upload(tmp_path, PDF, "pdf") == rel
    assert resolve(tmp_path, rel) == (tmp_path / rel).resolve()
    assert resolve(tmp_path, "../../etc/passwd") is None
    assert sniff(ELF) is None
