"""What a person's activity page says about their consultation answers. Pure."""

from __future__ import annotations


def receipt_reference(consultation_id: int, response_id: int) -> str:
    """The number on an answer's receipt: which consultation, which response (C12-R345)."""
    return f"C{consultation_id}-R{response_id}"


def answer_edit_url(consultation_id: int, status: str) -> str | None:
    """Answers can be changed while the consultation is open, on its page."""
    return f"/consultations/{consultation_id}#respond" if status == "open" else None
