"""Every message id in code and templates has a Thai translation and an English entry.

Msgids are found with Babel: its jinja2 extractor for templates, and for Python a Babel
extraction method that knows this project's call shapes (`gettext(lang, msgid)`,
`Problem(msgid)`, `ClientError(status, code, msgid)`, `flash=(level, msgid)`, `N_(msgid)`...),
which Babel's plain python extractor cannot see because the msgid is not always the first
argument. Every domain's catalogues are covered, so a forgotten msgid anywhere fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from civic.web.i18n import LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]

# Call name -> 0-based positions of msgid arguments. `gettext`/`ngettext` here are civic.web.i18n's,
# which take the language first; a one-argument gettext(...) is the plain gettext shape.
_CALLS: dict[str, tuple[int, ...]] = {
    "_": (0,),
    "N_": (0,),
    "gettext_noop": (0,),
    "gettext": (1,),
    "ngettext": (1, 2),
    "Problem": (0,),
    "UploadRejected": (0,),
    "forbid": (0,),
    "not_found": (0,),
    "ClientError": (2,),
    # The DomainError family that actions raise: the message id comes first.
    "DomainError": (0,),
    "NotFound": (0,),
    "Forbidden": (0,),
    "Conflict": (0,),
    "TooMany": (0,),
}
_MSGID_KEYWORDS = {"message", "msgid"}

JINJA_KEYWORDS = {"_": None, "N_": None, "gettext": None, "_t": None, "ngettext": (1, 2)}
JINJA_OPTIONS = {"trim_blocks": "true", "lstrip_blocks": "true"}


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract_civic_python(fileobj, keywords, comment_tags, options):
    """A Babel extraction method: yields (lineno, funcname, message, comments); funcname is
    None because the message is already picked out."""
    tree = ast.parse(fileobj.read().decode("utf-8"))
    for node in ast.walk(tree):
        # class SomeRefusal(Conflict): default_msgid = "..."
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "default_msgid" for t in node.targets):
            if (text := _string(node.value)) is not None:
                yield node.lineno, None, text, []
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        positions = _CALLS.get(name or "", ())
        if name == "gettext" and len(node.args) == 1:
            positions = (0,)
        if name == "n" and isinstance(node.func, ast.Attribute) and len(node.args) >= 3:
            positions = (0, 1)  # Translator.n(singular, plural, n)
        for pos in positions:
            if pos < len(node.args) and (text := _string(node.args[pos])) is not None:
                yield node.lineno, None, text, []
        for kw in node.keywords:
            if positions and kw.arg in _MSGID_KEYWORDS and (text := _string(kw.value)) is not None:
                yield node.lineno, None, text, []
            # redirect("/x", flash=("success", "msgid"))
            if kw.arg == "flash" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
                if (text := _string(kw.value.elts[1])) is not None:
                    yield node.lineno, None, text, []


def extract_all(root: Path = ROOT) -> dict[str, list[str]]:
    """msgid -> ["path:line", ...] for civic/**/*.py and templates/**/*.html."""
    found: dict[str, list[str]] = {}
    sources = [(p, extract_civic_python, {}, {}) for p in sorted(root.glob("civic/**/*.py"))]
    sources += [
        (p, "jinja2.ext.babel_extract", JINJA_KEYWORDS, JINJA_OPTIONS)
        for p in sorted(root.glob("templates/**/*.html"))
    ]
    for path, method, keywords, options in sources:
        for lineno, message, _comments, _context in extract_from_file(
            method, str(path), keywords=keywords, options=options
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    found.setdefault(msgid, []).append(f"{path.relative_to(root)}:{lineno}")
    return found


def catalogue(lang: str) -> dict[str, str]:
    """msgid -> msgstr over every domain's .po for one language (plural: the first form)."""
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=lang)
        for message in cat:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgid in ids:
                if strings[0] or msgid not in merged:
                    merged[msgid] = strings[0] or ""
    return merged


@pytest.mark.parametrize("lang", ["th", "en"])
def test_no_message_is_translated_two_ways(lang):
    # The domain catalogues are merged into one, so a msgid translated differently in two of them
    # would read one way on every page, whichever file happened to win.
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                if not msgid or not strings[0]:
                    continue
                first = seen.setdefault(msgid, (path.name, strings[0]))
                if first[1] != strings[0]:
                    clashes.append(f"{msgid!r}: {first[0]} {first[1]!r} vs {path.name} {strings[0]!r}")
    assert clashes == []


def _report(missing: dict[str, list[str]]) -> str:
    return "\n".join(f"  {msgid!r}  ({', '.join(places)})" for msgid, places in sorted(missing.items()))


def test_extraction_finds_the_known_shapes():
    found = extract_all()
    # One per extraction shape, so a broken extractor cannot pass silently.
    for msgid in (
        "Log in",  # template _()
        "There is a problem",  # _macros.html _t()
        "The email or password is not correct.",  # default_msgid = msgid
        "Only platform administrators can verify partner organisations.",  # Forbidden(msgid)
        "Enter an email address like name@example.com.",  # Problem(msgid)
        "We could not find that token.",  # NotFound(msgid)
        "You are logged in.",  # flash=(level, msgid)
        "The request could not be understood.",  # N_(msgid) in STATUS_MESSAGES
    ):
        assert msgid in found, msgid
    assert len(found) > 80


def test_every_msgid_has_a_thai_translation():
    th = catalogue("th")
    missing = {m: places for m, places in extract_all().items() if not th.get(m)}
    assert not missing, f"{len(missing)} msgids have no Thai translation in any th .po:\n" + _report(missing)


def test_every_msgid_has_an_english_entry():
    en = catalogue("en")
    missing = {m: places for m, places in extract_all().items() if m not in en}
    assert not missing, f"{len(missing)} msgids have no entry in any en .po:\n" + _report(missing)


def test_thai_and_english_catalogues_have_the_same_msgids():
    th, en = set(catalogue("th")), set(catalogue("en"))
    assert th - en == set(), f"only in th: {sorted(th - en)}"
    assert en - th == set(), f"only in en: {sorted(en - th)}"


def test_thai_translations_keep_their_placeholders():
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    th = catalogue("th")
    wrong = {m: s for m, s in th.items() if s and set(placeholder.findall(m)) != set(placeholder.findall(s))}
    assert not wrong, wrong


def test_thai_is_served_from_the_catalogues():
    from civic.web.i18n import gettext

    assert gettext("th", "Log in") == "เข้าสู่ระบบ"
    assert gettext("en", "Log in") == "Log in"
    assert gettext("th", "This is too long (at most %(max)s characters).", max=100).count("100") == 1
