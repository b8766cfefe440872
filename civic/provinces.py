"""Thailand's 77 provinces, from pythainlp's corpus (never typed by hand).

Codes are the corpus's English abbreviations (BKK, CMI, ...), stable and URL-friendly.
"""

from __future__ import annotations

from functools import lru_cache

from pythainlp.corpus.common import provinces as _corpus_provinces

from civic.thai import thai_sorted


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    rows = _corpus_provinces(details=True)
    return {r["abbr_en"]: r for r in thai_sorted(rows, key=lambda r: r["name_th"])}


def codes() -> frozenset[str]:
    return frozenset(_table())


def is_valid(code: str | None) -> bool:
    return code in _table()


def name(code: str | None, lang: str = "th") -> str:
    row = _table().get(code or "")
    if row is None:
        return ""
    return row["name_th"] if lang == "th" else row["name_en"]


@lru_cache(maxsize=2)
def choices(lang: str = "th") -> tuple[tuple[str, str], ...]:
    """(code, name) pairs in the reader's language, in its dictionary order."""
    key = "name_th" if lang == "th" else "name_en"
    return tuple(thai_sorted(((c, r[key]) for c, r in _table().items()), key=lambda p: p[1]))


@lru_cache(maxsize=2)
def order(lang: str = "th") -> dict[str, int]:
    """Each code's place in `choices(lang)`: sorting provinces by it costs no collation."""
    return {code: i for i, (code, _name) in enumerate(choices(lang))}


def code_for_name(text: str) -> str | None:
    """The code of a province as people write it in imports: a code (cmi, CMI), its Thai or
    English name, a short form (กทม., กรุงเทพฯ, อยุธยา), or a name after จ. or จังหวัด."""
    text = " ".join((text or "").split())
    for prefix in PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :].strip()
            break
    if text.upper() in _table():
        return text.upper()
    folded = text.casefold()
    for code in _table():
        if folded in (name.casefold() for name in names(code)):
            return code
    return None


# Short forms people write for a province, besides the corpus's Thai and English names. Typed
# by hand (the corpus has none), and only forms that name nothing else: the corpus's two-letter
# plate codes (กบ, ชม) are left out, as they are ordinary words.
ALIASES: dict[str, tuple[str, ...]] = {
    "BKK": ("กทม.", "กรุงเทพฯ", "กรุงเทพ", "Krung Thep"),
    "AYA": ("อยุธยา", "กรุงศรีอยุธยา", "Ayutthaya", "Ayuthaya"),
    "NMA": ("โคราช", "Korat", "Khorat"),
    "NRT": ("นครศรีฯ", "Nakhon Si"),
    "UBN": ("อุบลฯ", "อุบล", "Ubon"),
    "UDN": ("อุดร", "Udon"),
    "SNI": ("สุราษฎร์ฯ", "สุราษฎร์", "Surat"),
    "PKN": ("ประจวบฯ", "ประจวบ"),
    "PTE": ("ปทุมฯ",),
    "SPB": ("สุพรรณฯ", "สุพรรณ"),
    "KRI": ("กาญจน์",),
    "CCO": ("แปดริ้ว",),
    "SPK": ("ปากน้ำ",),
    "CMI": ("Chiangmai",),
    "CRI": ("Chiangrai",),
    "KKN": ("Khonkaen",),
    "CBI": ("Chonburi",),
    "LRI": ("Lopburi",),
    "BRM": ("Buriram",),
    "PNA": ("Phang Nga",),
}
# Written before a province's name: จ.เชียงใหม่, จังหวัดเชียงใหม่ mean เชียงใหม่.
PREFIXES: tuple[str, ...] = ("จ.", "จังหวัด")


def names(code: str | None) -> tuple[str, ...]:
    """Every name of a province for search: Thai, English, then the short forms (empty for an
    unknown code)."""
    row = _table().get(code or "")
    if row is None:
        return ()
    return (row["name_th"], row["name_en"], *ALIASES.get(code, ()))
