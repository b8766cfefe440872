"""Translations: gettext catalogues per language, one .po file per domain.

Each domain keeps its own `civic/locale/<lang>/LC_MESSAGES/<domain>.po`, so teams working on
different domains never edit the same catalogue. They are compiled in memory at start-up,
which keeps .mo build artefacts out of the repository.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("th", "en")
DEFAULT_LANG = "th"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def po_files(lang: str) -> list[Path]:
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> Translations:
    merged = Translations()
    for path in po_files(lang):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        merged.merge(Translations(buf))
    return merged


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is stored now and translated later."""
    return message


def normalise_lang(value: str | None) -> str:
    return value if value in LANGUAGES else DEFAULT_LANG


def gettext(lang: str, message: str, **params: object) -> str:
    text = translations(normalise_lang(lang)).gettext(message)
    return text % params if params else text


def ngettext(lang: str, singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(normalise_lang(lang)).ngettext(singular, plural, n)
    return text % ({"num": n} | params)


class Translator:
    """Bound to one language; templates call it as `_("...")`, 150 times for some pages, so it
    holds its catalogue's gettext rather than finding the catalogue on every call."""

    __slots__ = ("lang", "_gettext")

    def __init__(self, lang: str) -> None:
        self.lang = normalise_lang(lang)
        self._gettext = translations(self.lang).gettext

    def __call__(self, message: str, **params: object) -> str:
        text = self._gettext(message)
        return text % params if params else text

    def n(self, singular: str, plural: str, n: int, **params: object) -> str:
        return ngettext(self.lang, singular, plural, n, **params)
