"""Translations: gettext catalogues per language, one .po file per domain.

Each domain keeps its own `civic/locale/<lang>/LC_MESSAGES/<domain>.po`, so teams working on
different domains never edit the same catalogue. They are compiled in memory at start-up,
which keeps .mo build artefacts out of the repository.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from civic.validation import N_  # noqa: F401 (templates and pages take it from here)

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


# The language of the page being built (templating.render sets it, per request task). The
# templates' shared macros are imported without context, as one module per process rather than
# a reference cycle per page, so they translate through this, not through the page's context.
_page_language: ContextVar[str] = ContextVar("page_language", default=DEFAULT_LANG)


def use_page_language(lang: str) -> None:
    _page_language.set(normalise_lang(lang))


def page_language() -> str:
    return _page_language.get()


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


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str) -> Translator:
    return Translator(lang)


def translate(message: str, **params: object) -> str:
    """`_` in templates: `message` in the language of the page being built."""
    return translator(_page_language.get())(message, **params)
