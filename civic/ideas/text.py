"""Plain text to safe HTML: escape first, then add paragraphs and links built from escaped parts."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

# Matched on the raw text; every piece that reaches the output goes through escape().
URL_RE = re.compile(r"https?://[^\s<>\"'()]+[^\s<>\"'().,;:!?]", re.IGNORECASE)


def _linkify_line(line: str) -> Markup:
    out = Markup("")
    pos = 0
    for match in URL_RE.finditer(line):
        out += escape(line[pos : match.start()])
        url = match.group(0)
        out += Markup('<a href="{0}" rel="nofollow ugc noopener" target="_blank">{0}</a>').format(url)
        pos = match.end()
    return out + escape(line[pos:])


def paragraphs(text: str | None) -> Markup:
    """Blank lines split paragraphs; single newlines become <br>."""
    if not text:
        return Markup("")
    blocks = [b for b in re.split(r"\r?\n\s*\r?\n", text.strip()) if b.strip()]
    html = Markup("")
    for block in blocks:
        lines = [_linkify_line(line) for line in block.splitlines()]
        html += Markup("<p>") + Markup("<br>").join(lines) + Markup("</p>")
    return html
