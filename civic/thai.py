"""Thai text: repair, normalise, tokenise, Buddhist-era dates, Thai digits.

Pure module: no web framework, no database. Everything here is a function of
its arguments, plus read-only caches (the word list, stop words, synonym groups).

Pipeline for search:

    original text (kept for display)
      -> repair()        fix PDF-extraction damage, still readable Thai
      -> normalise()     + no zero-width, casefold, NFC, Thai digits -> 0-9,
                           single spaces
      -> tokenise()      pythainlp word_tokenize(engine=TOKENISER_ENGINE),
                           punctuation and whitespace tokens dropped
      -> tokens_for_index()  space-joined, for a 'simple' tsvector or
                           Meilisearch

Documents and queries must go through the same functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib.resources import files
from typing import TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")

__all__ = [
    "BANGKOK",
    "TOKENISER_ENGINE",
    "dictionary",
    "format_date",
    "format_date_short",
    "has_base",
    "load_synonyms",
    "mask_thai_ids",
    "normalise",
    "orphan_mark",
    "parse_int_strict",
    "repair",
    "stopwords",
    "synonyms_of",
    "to_arabic_digits",
    "to_thai_digits",
    "tokenise",
    "thai_sorted",
    "tokens_for_index",
    "valid_thai_id",
]

# ---------------------------------------------------------------------------
# Character classes
# ---------------------------------------------------------------------------

# Combining (non-spacing) marks that sit on a base consonant and can never
# start a word: mai han-akat, sara i/ii/ue/uee, sara u/uu, phinthu,
# mai taikhu, tone marks, thanthakhat, nikhahit, yamakkan.
_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
# Characters a mark may hang on: consonants (incl. ฤ ฦ) and other marks.
_MARK_HOSTS = "\u0e01-\u0e2e" + _MARKS
_MAI_YAMOK = "\u0e46"  # ๆ

# (a) A mark split off its base by horizontal spaces: "ที ่ด ี" -> "ที่ดี".
# Newlines are deliberately not crossed: in the gov40 fixture every split
# mark is on the same line as its base, and a line break is layout the
# author may want kept.  normalise() collapses newlines first, so the index
# still gets the joined word.
_RE_SPACE_BEFORE_MARK = re.compile(f"(?<=[{_MARK_HOSTS}])[ \\t\u00a0]+(?=[{_MARKS}])")

# (b) Canonical order inside a run of marks: phinthu, then above/below vowels
# (incl. nikhahit and mai taikhu), then tone marks, thanthakhat, yamakkan;
# a stable sort, so marks of one kind keep their order.  This order agrees
# with Unicode canonical ordering (phinthu ccc 9 < sara u/uu 103 < tones 107),
# so NFC never undoes it.
# pythainlp.util.reorder_vowels has the vowel/tone rule (and (c)), but one
# pass is not idempotent on stacked marks ("ก่ิ่ิ"), and looping it to a fixed
# point is quadratic: 4,000 alternating marks took 23 s.  This is linear.
_MARK_RANK = {c: 1 for c in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e4d"}
_MARK_RANK["\u0e3a"] = 0  # phinthu
_TONES = "\u0e48-\u0e4b"
_RE_MARK_RUN = re.compile(f"[{_MARKS}]{{2,}}")
# (c) nikhahit + optional tone + sara aa -> optional tone + sara am.
_RE_SARA_AM = re.compile(f"\u0e4d([{_TONES}]*)\u0e32")
# Also as in reorder_vowels: a tone mark typed after a follow vowel belongs
# before it ("กา่" -> "ก่า"), and sara e + sara e is sara ae (PDF fonts often
# draw แ as two เ).
_RE_FOLLOW_THEN_TONE = re.compile(f"([\u0e30\u0e32\u0e33\u0e45]+)([{_TONES}]+)")
_SARA_E_E = "\u0e40\u0e40"
_SARA_AE = "\u0e41"

# (d) Mai yamok: exactly one space before (after a word), exactly one after
# (before a word), none at line end.  "Word" = a letter or digit in any
# script (ๆ itself is a letter) or a Thai mark.
_SP = "[ \\t\u00a0]"
_RE_BEFORE_YAMOK = re.compile(f"(?:(?<=[^\\W_])|(?<=[{_MARKS}])){_SP}*{_MAI_YAMOK}")
_RE_AFTER_YAMOK_WORD = re.compile(f"{_MAI_YAMOK}{_SP}*(?=[^\\W_]|[{_MARKS}])")
_RE_AFTER_YAMOK_EOL = re.compile(f"{_MAI_YAMOK}{_SP}+(?=\\r?\\n|$)")

# Zero-width and invisible format characters that break matching:
# ZWSP, ZWNJ, ZWJ, word joiner, BOM/ZWNBSP, soft hyphen.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_RE_WHITESPACE = re.compile(r"\s+")

_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_ASCII_DIGITS = "0123456789"
_TO_ARABIC = str.maketrans(_THAI_DIGITS, _ASCII_DIGITS)
_TO_THAI = str.maketrans(_ASCII_DIGITS, _THAI_DIGITS)
_STRICT_DIGITS = frozenset(_THAI_DIGITS + _ASCII_DIGITS)


# ---------------------------------------------------------------------------
# Repair and normalise
# ---------------------------------------------------------------------------


def _mark_rank(c: str) -> int:
    return _MARK_RANK.get(c, 2)


def _sort_marks(match: re.Match[str]) -> str:
    return "".join(sorted(match.group(), key=_mark_rank))


def _reorder(text: str) -> str:
    text = text.replace(_SARA_E_E, _SARA_AE)
    # A run is out of order only where a mark is followed by one of lower rank: a tone before a
    # vowel, or anything before phinthu. Sorting the others (most Thai words have a vowel then a
    # tone) changes nothing and cost a Python call each.
    if "\u0e3a" in text or _RE_TONE_BEFORE_VOWEL.search(text):
        text = _RE_MARK_RUN.sub(_sort_marks, text)
    if "\u0e4d" in text:
        text = _RE_SARA_AM.sub("\\1\u0e33", text)
    return _RE_FOLLOW_THEN_TONE.sub("\\2\\1", text)


def _yamok(text: str) -> str:
    if _MAI_YAMOK not in text:  # the first pattern starts with a look-behind: a slow scan
        return text
    text = _RE_BEFORE_YAMOK.sub(" " + _MAI_YAMOK, text)
    text = _RE_AFTER_YAMOK_WORD.sub(_MAI_YAMOK + " ", text)
    return _RE_AFTER_YAMOK_EOL.sub(_MAI_YAMOK, text)


_RANK1 = "".join(c for c, r in _MARK_RANK.items() if r == 1)
# The marks ranked after the vowels (tone marks, thanthakhat, yamakkan): the default rank 2.
_RANK2 = "".join(
    c for c in map(chr, range(0x0E31, 0x0E4F)) if re.fullmatch(f"[{_MARKS}]", c) and c not in _MARK_RANK
)
# Everything repair() would change matches one of these; most text matches none, and these
# searches are far cheaper than the seven substitutions (a page of search hits repairs 20 texts).
# Each starts with a character class, which the regex engine scans for quickly; one alternation
# of the exact patterns cost 50 ns a character. The last is wider than the damage it stands for
# (no base consonant is required before a split mark, and any mark after a tone or follow vowel
# counts): a false alarm only costs one full repair, which then changes nothing.
_RE_TONE_BEFORE_VOWEL = re.compile(f"[{_RANK2}][{_RANK1}]")
_RE_SPACE_THEN_MARK = re.compile(f"[ \\t\\u00a0][{_MARKS}]")
_NEEDS_REPAIR = (
    re.compile("[\u0e4d\u0e3a" + _MAI_YAMOK + "]"),  # nikhahit (sara am in two parts), phinthu, mai yamok
    re.compile(_SARA_E_E),
    # a mark split off by a space; a tone before a vowel; a follow vowel before a tone mark
    re.compile(f"[ \t\u00a0{_RANK2}\u0e30\u0e32\u0e33\u0e45][{_MARKS}]"),
)


def repair(text: str) -> str:
    """Fix PDF-extraction damage in Thai text; leave everything else alone.

    * a combining mark split from its base by spaces is re-attached
      (``ที ่ด ี`` -> ``ที่ดี``, ``ความรู ้ เข้า`` -> ``ความรู้ เข้า``);
    * stacked marks go back to canonical order, vowel before tone mark
      (``พ่ึง`` -> ``พึ่ง``), and a follow vowel written before a tone mark is
      put after it;
    * nikhahit + sara aa becomes sara am, also with a tone mark between
      (``จําเป็น`` -> ``จำเป็น``, ``นํ้า`` -> ``น้ำ``), double sara e becomes
      sara ae, and lakkhangyao outside ฤๅ/ฦๅ becomes sara aa (the last three
      via ``pythainlp.util.reorder_vowels``);
    * spaces around mai yamok become exactly one on each side
      (``ต่าง  ๆสามารถ`` -> ``ต่าง ๆ สามารถ``), none at line end.

    Text without Thai characters is returned unchanged.  Newlines are never
    removed or added.  ``repair(repair(x)) == repair(x)``.
    """
    return _repair_all(text) if any(p.search(text) for p in _NEEDS_REPAIR) else text


def _repair_all(text: str) -> str:
    for _ in range(8):
        # the split-mark pattern starts with a look-behind, a slow scan: look for its core first
        joined = _RE_SPACE_BEFORE_MARK.sub("", text) if _RE_SPACE_THEN_MARK.search(text) else text
        fixed = _yamok(_reorder(joined))
        if fixed == text:
            break
        text = fixed
    return text


def normalise(text: str) -> str:
    """The form used for indexing and for matching queries.

    Zero-width characters removed, whitespace collapsed to single spaces
    (so repair can also join a mark split across a line break), case-folded,
    ``repair`` and NFC, Thai digits to 0-9, stripped.

    NFKC is deliberately not used: it decomposes sara am (ำ) into
    nikhahit + sara aa, the very damage repair() undoes.
    """
    text = text.translate(_ZERO_WIDTH)
    text = _RE_WHITESPACE.sub(" ", text).strip()
    # Case-fold first: it can change what precedes a Thai mark or ๆ
    # ("ß" -> "ss"), and it never touches Thai.  Folding the NFD form is
    # Unicode's canonical caseless matching (D145), stable when repeated.
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).casefold())
    # NFC can make Thai marks adjacent that a non-Thai mark kept apart; a
    # second round settles it (real text needs one).
    for _ in range(4):
        fixed = unicodedata.normalize("NFC", repair(text))
        if fixed == text:
            break
        text = fixed
    text = text.translate(_TO_ARABIC)
    return _RE_WHITESPACE.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# Tokenising
# ---------------------------------------------------------------------------

# newmm, pythainlp's own engine, over pythainlp's word list held in a marisa trie. Measured with
# bench/bench_tokeniser.py (gov40 fixture, normalised, as 100 documents of 2,728 chars): nlpo3, its
# Rust port, is about 5x faster on documents, but it adds 62 MB to every web worker (newmm with
# pythainlp's own Python trie, 73 MB), and newmm over the marisa trie 16 MB, 10 of them the word
# list that pythainlp keeps. Every worker holds that memory for its whole life, and nlpo3's was a
# third of a worker's RSS; the speed counts where documents are indexed, in the background. A query
# of a few words takes 17 us against nlpo3's 8.
# Same engine for documents and queries, always: changing it needs a reindex (migration 0197
# queues one).
TOKENISER_ENGINE = "newmm"


class _Words:
    """pythainlp's Thai word list in a marisa trie, in the shape newmm asks of its dictionary:
    ``prefixes(text, start)`` and ``in``."""

    def __init__(self, words: Iterable[str]) -> None:
        import marisa_trie

        self._trie = marisa_trie.Trie(words)
        # a prefix search needs no more of the text than the longest word
        self._longest = max(map(len, self._trie.keys()), default=0)

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        return self._trie.prefixes(text[start : start + self._longest])

    def __contains__(self, word: object) -> bool:
        return word in self._trie

    def __len__(self) -> int:
        return len(self._trie)


@lru_cache(maxsize=1)
def dictionary() -> _Words:
    """pythainlp's Thai word list (about 62,000 words): what newmm segments with, and what
    search looks words up in."""
    from pythainlp.corpus import thai_words

    return _Words(thai_words())


def words_for(engine: str) -> _Words | None:
    """The dictionary word_tokenize is given: ours for newmm; other engines bring their own."""
    return dictionary() if engine == "newmm" else None


_DROP_TOKENS = frozenset({_MAI_YAMOK})


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _clean_token(token: str) -> str:
    # Strip edge punctuation so "กทม." and "กทม" index alike; keep inner
    # punctuation ("4.0", "wi-fi", "1,234.5", "รพ.สต").
    start, end = 0, len(token)
    while start < end and (_is_punct(token[start]) or token[start].isspace()):
        start += 1
    while end > start and (_is_punct(token[end - 1]) or token[end - 1].isspace()):
        end -= 1
    token = token[start:end]
    if token in _DROP_TOKENS:
        return ""
    # Symbols-only tokens (e.g. "&", "+", "→") carry nothing to search for.
    if token and all(unicodedata.category(c)[0] in "PSZ" for c in token):
        return ""
    return token


def tokenise(text: str, *, engine: str = TOKENISER_ENGINE) -> list[str]:
    """Normalise then segment into words.

    Whitespace-only and punctuation-only tokens, and lone ``ๆ``, are dropped;
    numbers are kept.  ``engine`` exists for the benchmark: index and query
    must use the same one, so leave it at the default everywhere else.
    """
    from pythainlp.tokenize import word_tokenize

    norm = normalise(text)
    if not norm:
        return []
    out: list[str] = []
    for raw in word_tokenize(norm, custom_dict=words_for(engine), engine=engine, keep_whitespace=False):
        token = _clean_token(raw)
        if token:
            out.append(token)
    return out


def tokens_for_index(text: str) -> str:
    """Space-joined tokens, for a 'simple' tsvector or a search backend."""
    return " ".join(tokenise(text))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """PyThaiNLP's Thai stop-word list (about a thousand words)."""
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())


# ---------------------------------------------------------------------------
# Synonyms
# ---------------------------------------------------------------------------


def _parse_synonyms(lines: Iterable[str]) -> list[frozenset[str]]:
    groups: list[frozenset[str]] = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        terms = frozenset(t.strip() for t in line.split("|") if t.strip())
        if len(terms) >= 2:
            groups.append(terms)
    return groups


@lru_cache(maxsize=1)
def load_synonyms() -> list[frozenset[str]]:
    """Synonym groups from ``civic/data/synonyms_th.txt`` (terms as written).

    Returns the cached list itself: do not mutate it.
    """
    text = files("civic.data").joinpath("synonyms_th.txt").read_text(encoding="utf-8")
    return _parse_synonyms(text.splitlines())


def _synonym_keys(term: str) -> set[str]:
    # The normalised form, and the tokens joined without spaces, so a term is
    # found whether it is looked up as typed ("กทม.", "ฝุ่น PM2.5") or as a
    # run of index tokens glued together ("กทม", "ฝุ่น"+"pm"+"2.5").
    keys = {normalise(term), "".join(tokenise(term))}
    keys.discard("")
    return keys


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in load_synonyms():
        for term in group:
            for key in _synonym_keys(term):
                index.setdefault(key, set()).update(group)
    return {k: frozenset(v) for k, v in index.items()}


def synonyms_of(term: str) -> set[str]:
    """All terms equivalent to ``term``, including ``term`` itself.

    Matching is on the normalised form, or on the tokens joined without
    spaces: ``เว็ปไซด์``, ``WEBSITE`` and ``เว็บไซต์`` find the same group,
    and so do ``กทม.`` and ``กทม``.  Returned terms are as written in the
    data file (run them through tokenise/normalise before searching).
    """
    found: set[str] = {term}
    index = _synonym_index()
    for key in _synonym_keys(term):
        found.update(index.get(key, ()))
    return found


# ---------------------------------------------------------------------------
# Names and titles: more than marks
# ---------------------------------------------------------------------------


def _is_base(ch: str) -> bool:
    """A letter of any script (Thai consonants and vowels that stand on their own included) or a
    decimal digit: what a combining mark can sit on, and what a name must hold."""
    cat = unicodedata.category(ch)
    return cat[0] == "L" or cat == "Nd"


def has_base(text: str) -> bool:
    """Whether the text holds at least one letter or decimal digit, in any script. A name made
    of marks (``"์"``), punctuation or symbols alone has nothing to read."""
    return any(_is_base(ch) for ch in text)


def orphan_mark(text: str) -> int | None:
    """The index of the first combining mark with no letter or digit under it (at the start, or
    after a space, punctuation or a symbol, possibly past other marks), or None.

    Counting code points lets ``"ัิ้็"`` pass as four characters, though it shows as marks
    stacked on nothing."""
    based = False
    for i, ch in enumerate(text):
        if unicodedata.category(ch)[0] == "M":
            if not based:
                return i
        else:
            based = _is_base(ch)
    return None


# ---------------------------------------------------------------------------
# Digits
# ---------------------------------------------------------------------------


def to_arabic_digits(s: str) -> str:
    """Thai digits ๐-๙ to 0-9; everything else untouched."""
    return s.translate(_TO_ARABIC)


def to_thai_digits(s: str) -> str:
    """ASCII digits 0-9 to ๐-๙; everything else untouched."""
    return s.translate(_TO_THAI)


def parse_int_strict(s: str) -> int | None:
    """A non-negative integer written only in ASCII or Thai digits, else None.

    Unlike ``int()``, rejects other scripts' digits (``"١٢"``), signs,
    spaces, underscores and the empty string.
    """
    if not s or not all(c in _STRICT_DIGITS for c in s):
        return None
    try:
        return int(s.translate(_TO_ARABIC))
    except ValueError:  # more digits than sys.get_int_max_str_digits()
        return None


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

BANGKOK = ZoneInfo("Asia/Bangkok")
_BE_OFFSET = 543

_TH_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
_TH_MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
# Fixed English names: calendar.month_name follows the process locale.
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _lang(lang: str) -> str:
    base = lang.replace("_", "-").split("-", 1)[0].lower()
    if base not in ("th", "en"):
        raise ValueError(f"unsupported language {lang!r}: use 'th' or 'en'")
    return base


def _local(d: date | datetime) -> date | datetime:
    if isinstance(d, datetime):
        if d.tzinfo is None or d.utcoffset() is None:
            d = d.replace(tzinfo=UTC)
        return d.astimezone(BANGKOK)
    return d


def format_date(d: date | datetime, lang: str, with_time: bool = False) -> str:
    """Long date: ``24 พฤศจิกายน 2569`` / ``24 November 2026``.

    Thai uses the Buddhist era (CE + 543).  Datetimes are shown in
    Asia/Bangkok; a naive datetime is taken to be UTC.  ``with_time`` adds
    ``เวลา 10:30 น.`` / ``, 10:30``; it is ignored for a plain ``date``.
    """
    lang = _lang(lang)
    d = _local(d)
    if lang == "th":
        text = f"{d.day} {_TH_MONTHS[d.month - 1]} {d.year + _BE_OFFSET}"
        if with_time and isinstance(d, datetime):
            text += f" เวลา {d:%H:%M} น."
    else:
        text = f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"
        if with_time and isinstance(d, datetime):
            text += f", {d:%H:%M}"
    return text


def format_date_short(d: date | datetime, lang: str, with_time: bool = False) -> str:
    """Short date: ``24 พ.ย. 69`` (two-digit Buddhist year) / ``24 Nov 2026``."""
    lang = _lang(lang)
    d = _local(d)
    if lang == "th":
        text = f"{d.day} {_TH_MONTHS_ABBR[d.month - 1]} {(d.year + _BE_OFFSET) % 100:02d}"
        if with_time and isinstance(d, datetime):
            text += f" {d:%H:%M} น."
    else:
        text = f"{d.day} {_EN_MONTHS[d.month - 1][:3]} {d.year}"
        if with_time and isinstance(d, datetime):
            text += f", {d:%H:%M}"
    return text


# ---------------------------------------------------------------------------
# Thai national ID
# ---------------------------------------------------------------------------

_RE_ID_SEPARATORS = re.compile(r"[- ]")


def valid_thai_id(s: str) -> bool:
    """13 digits (ASCII or Thai; dashes and spaces allowed) with a valid
    mod-11 check digit: ``(11 - sum(d[i] * (13 - i) for i < 12) % 11) % 10``.
    """
    digits = _RE_ID_SEPARATORS.sub("", s)
    if len(digits) != 13 or not all(c in _STRICT_DIGITS for c in digits):
        return False
    n = [int(c) for c in digits.translate(_TO_ARABIC)]
    check = (11 - sum(n[i] * (13 - i) for i in range(12)) % 11) % 10
    return check == n[12]


# 13 digits, Thai or Arabic, with at most one dash or space between two of them, and no digit
# right before or after: part of a longer number is not an ID. A number written after it with a
# space ("... 2569") does not hide it.
_D = "0-9\u0e50-\u0e59"
_RE_ID_CANDIDATE = re.compile(f"(?<![{_D}])[{_D}](?:[- ]?[{_D}]){{12}}(?![{_D}])")


def _mask_id(match: re.Match[str]) -> str:
    written = match.group()
    if not valid_thai_id(written):
        return written
    digits = _RE_ID_SEPARATORS.sub("", written)
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}"


def mask_thai_ids(text: str) -> str:
    """Thai national ID numbers (13 digits with a valid check digit, in either script, with or
    without dashes or spaces) shown as ``x-xxxx-xxxxx-12-3``: the last three digits, as written,
    are enough for a person to recognise their own number and useless to anyone else."""
    return _RE_ID_CANDIDATE.sub(_mask_id, text)


def thai_sorted(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """The items in Thai dictionary order of ``key(item)`` (``pythainlp.util.collate``), where code
    point order puts อ่างทอง after อุบลราชธานี and every name starting with a leading vowel
    (เชียงใหม่, แม่ฮ่องสอน) at the end. Latin names sort among themselves as usual."""
    items = list(items)
    rank = _collation_ranks(frozenset(key(x) for x in items))
    return sorted(items, key=lambda x: rank[key(x)])


@lru_cache(maxsize=64)
def _collation_ranks(names: frozenset[str]) -> dict[str, int]:
    """Each name's place in dictionary order. Kept per set of names: pages sort the same agencies
    on every view (the board index's filter, the dashboard's table), and collating costs about
    7 microseconds a name; a changed set is a new key, so an order is never out of date."""
    from pythainlp.util import collate

    return {name: i for i, name in enumerate(collate(list(names)))}
