"""Thai query analysis and highlighting shared by every backend.

Query analysis (same functions as indexing, so documents and queries always agree):
  query -> cut to MAX_QUERY_CHARS -> civic.thai.tokenise (repair, normalise, segment)
  -> synonym groups (synonyms_of on runs of 1-6 adjacent tokens, so "น้ำไม่ไหล",
     segmented as น้ำ|ไม่|ไหล, still finds its group) -> stop words dropped unless that
     leaves nothing.
  The groups (synonym_groups) are civic/data/synonyms_th.txt's and one per province: its Thai
  and English names and short forms (civic.provinces.names), so กรุงเทพมหานคร, Bangkok, กทม.
  and กรุงเทพฯ are one concept; "จ.เชียงใหม่" and "จังหวัดเชียงใหม่" find เชียงใหม่'s group.
  Documents carry those names (place_text: the province's names and the agency's), which both
  backends index after the title and body, with a lower weight.

Highlighting maps matched tokens back onto the ORIGINAL text the author wrote:
  1. repaired = thai.repair(original). repair only joins split marks, reorders stacked marks,
     composes sara am and tidies spacing around ๆ, so the two strings are equal except near
     those marks. difflib aligns them (skipped when they are identical, the usual case);
     characters inside a changed block map to the whole block in the original.
  2. In the repaired text each character is folded the way normalise() folds it (Thai digits
     to 0-9, lower case, zero-width characters skipped) while remembering its position, and
     every term is found as a substring, so a word in the middle of a Thai run (no spaces)
     is found too.
  3. Terms are the query tokens, their synonyms' tokens, and document tokens whose trigram
     similarity to a query token is at least FUZZY_MARK (typos such as อินเตอร์เน็ต).
"""

from __future__ import annotations

import difflib
import functools
import html
import re
import unicodedata

from markupsafe import Markup, escape
from pythainlp.util import is_thai

from civic import provinces, thai
from civic.search.port import MAX_QUERY_CHARS, SearchDocument, highlight, merge_spans

MAX_TOKENS = 10
FUZZY_MARK = 0.45
SNIPPET_CHARS = 180
ALIGN_LIMIT = 20_000  # longer bodies are cut before aligning: a snippet needs only one window
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Regex searches for one character class: a frozenset's isdisjoint(str) made a string object per
# Thai character, 30 ns each.
_HAS_ZERO_WIDTH = re.compile("[" + "".join(sorted(_ZERO_WIDTH)) + "]")
_HAS_THAI_DIGIT = re.compile("[\u0e50-\u0e59]")


class AnalysedQuery:
    __slots__ = ("tokens", "groups", "terms", "phrase", "one_run", "_query_trigrams", "_variants")

    def __init__(
        self, tokens: list[str], groups: list[list[list[str]]], phrase: str = "", one_run: bool = False
    ) -> None:
        self.tokens = tokens  # query tokens kept for matching (no stop words)
        self.groups = groups  # per query concept: alternatives, each a list of tokens (AND)
        self.terms = sorted({t for g in groups for alt in g for t in alt}, key=len, reverse=True)
        self.phrase = phrase  # the whole query, segmented tokens re-joined: highlighted as one run
        self.one_run = one_run  # the query was typed as one word (no white space)
        self._query_trigrams = [_trigrams(t) for t in tokens if len(t) >= 3]
        # document token -> is it a near miss of a query token; a page of hits shares most words
        self._variants: dict[str, bool] = {}

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def fuzzy_text(self) -> str:
        return " ".join(self.tokens)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control(value: str) -> str:
    """NUL and other control characters: PostgreSQL text cannot hold NUL, and none means anything."""
    return _CONTROL.sub("", value or "")


def _keys(term: str) -> set[str]:
    """What a term is found by: its normalised form, and its tokens joined (as civic.thai does for
    the synonym file), so "กทม." is found as typed and as the query tokens กทม glued together."""
    keys = {thai.normalise(term), "".join(thai.tokenise(term))}
    keys.discard("")
    return keys


@functools.lru_cache(maxsize=1)
def synonym_groups() -> tuple[frozenset[str], ...]:
    """The synonym file's groups and one group of names per province, merged where they share
    a term (the file's กทม. group and Bangkok's names become one). Sorted, so the Meilisearch
    settings made from them are the same on every run."""
    groups: list[set[str]] = [set(g) for g in thai.load_synonyms()]
    # a name that is also a stop word (เลย, Loei) would keep that word in every query: the
    # province is then found by its other names, and by จ.เลย / จังหวัดเลย
    stop = thai.stopwords()
    groups += [{n for n in provinces.names(code) if n not in stop} for code in sorted(provinces.codes())]
    owner: dict[str, int] = {}
    merged: list[set[str] | None] = []
    for group in groups:
        into = sorted({owner[k] for t in group for k in _keys(t) if k in owner})
        target = set(group)
        for i in into:
            target |= merged[i] or set()
            merged[i] = None
        merged.append(target)
        for t in target:
            for k in _keys(t):
                owner[k] = len(merged) - 1
    return tuple(sorted((frozenset(g) for g in merged if g and len(g) > 1), key=lambda g: sorted(g)))


@functools.lru_cache(maxsize=1)
def prefixed_names() -> dict[str, frozenset[str]]:
    """จ.เชียงใหม่ and จังหวัดเชียงใหม่ -> เชียงใหม่'s names: ways to look a group up, never terms of
    it (a document need not write the prefix)."""
    out: dict[str, frozenset[str]] = {}
    for code in sorted(provinces.codes()):
        thai_names = [n for n in provinces.names(code) if _THAI_LETTER.search(n)]
        for prefix in provinces.PREFIXES:
            for n in thai_names:
                out[prefix + n] = frozenset(provinces.names(code)) - thai.stopwords()
    return out


_THAI_LETTER = re.compile("[\u0e01-\u0e2e]")


@functools.lru_cache(maxsize=1)
def _synonym_index() -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for group in synonym_groups():
        for term in group:
            for key in _keys(term):
                index[key] = group
    for prefixed, names in prefixed_names().items():
        group = next((index[k] for n in names for k in _keys(n) if k in index), names)
        for key in _keys(prefixed):
            index.setdefault(key, group)
    return index


def synonyms_of(term: str) -> set[str]:
    """Every term equivalent to `term` (itself included): civic.thai.synonyms_of over
    synonym_groups(), so place names count too."""
    found = {term}
    index = _synonym_index()
    for key in _keys(term):
        found.update(index.get(key, ()))
    return found


def place_text(doc: SearchDocument) -> str:
    """The names a document is also found by: its province's (Thai, English, short forms) and
    its agency's. Indexed after the title and body, with a lower weight, by both backends."""
    return " | ".join([*provinces.names(doc.province), *(n for n in doc.agency_names if n)])


# Cached, as the synonym list is fixed once loaded: the same words recur across queries (search
# as you type, paging, facet clicks), and each lookup segments the term, and then every synonym.
@functools.lru_cache(maxsize=4096)
def _has_synonyms(term: str) -> bool:
    return len(synonyms_of(term)) > 1


@functools.lru_cache(maxsize=4096)
def _synonym_forms(term: str) -> tuple[tuple[str, ...], ...]:
    """The alternatives `term` and its synonyms give: each segmented, then as one lexeme (a
    document may have kept the term unsegmented)."""
    forms: list[tuple[str, ...]] = []
    for s in sorted(synonyms_of(term)):
        forms.append(tuple(thai.tokenise(s)))
        forms.append((thai.normalise(s).replace(" ", ""),))
    return tuple(f for f in forms if f and all(f))


def analyse(q: str) -> AnalysedQuery:
    try:
        raw = thai.tokenise(strip_control((q or "")[:MAX_QUERY_CHARS]))
    except Exception:  # a tokeniser failure must never become a 500
        return AnalysedQuery([], [])
    # a token of nothing but combining marks (orphan tone marks) can match nothing meaningful
    raw = [t for t in raw if any(not unicodedata.category(c).startswith("M") for c in t)]
    stop = thai.stopwords()
    groups: list[list[list[str]]] = []
    i = 0
    while i < len(raw) and len(groups) < MAX_TOKENS:
        for width in (6, 5, 4, 3, 2, 1):
            span = raw[i : i + width]
            if len(span) < width:
                continue
            # a longer span is one concept only when the synonym list has it: its forms are
            # segmented only then (most spans of a query are not in the list)
            if width == 1 or _has_synonyms("".join(span)):
                alts: list[list[str]] = [span]
                for form in _synonym_forms("".join(span)):
                    if list(form) not in alts:
                        alts.append(list(form))
                groups.append(alts)
                i += width
                break
    content = [g for g in groups if not (len(g) == 1 and len(g[0]) == 1 and g[0][0] in stop)]
    if content:
        groups = content
    tokens = [t for alt in (g[0] for g in groups) for t in alt]
    phrase = "".join(raw) if len(raw) > 1 else ""
    return AnalysedQuery(
        tokens, groups, phrase, one_run=bool(phrase) and not any(c.isspace() for c in q.strip())
    )


def split_compound(word: str) -> list[str] | None:
    """A Thai word that is two dictionary words joined (สวนสาธารณะ: สวน + สาธารณะ), split after its
    longest dictionary prefix whose rest is a word too, each part at least two characters; else
    None."""
    if not is_thai(word):
        return None
    words = thai.dictionary()
    for head in sorted(words.prefixes(word), key=len, reverse=True):
        rest = word[len(head) :]
        if 2 <= len(head) and 2 <= len(rest) and rest in words:
            return [head, rest]
    return None


def with_compounds_split(aq: AnalysedQuery) -> AnalysedQuery | None:
    """`aq` with one more alternative for each concept typed as one compound word: its two words
    apart, for documents that write them apart (สวน สาธารณะ) or that the tokeniser cut there.
    None when no word splits. Only for a query that finds almost nothing as typed, as Meilisearch
    splits words: the two words apart also match documents about something else."""
    groups = []
    for group in aq.groups:
        parts = split_compound(group[0][0]) if len(group[0]) == 1 else None
        groups.append(group + [parts] if parts and parts not in group else group)
    if groups == aq.groups:
        return None
    return AnalysedQuery(aq.tokens, groups, aq.phrase, aq.one_run)


def quote_lexeme(lexeme: str) -> str:
    """A tsquery/tsvector literal lexeme: quoted, with ' doubled and \\ escaped. Input text never
    reaches the tsquery parser unquoted, so & | ! ( ) : * in a query are just characters."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


SUBSTRING_SLOTS = 4


def substring_worthy(term: str) -> bool:
    """Three letters, or two letters with two marks (พึ่ง). A fragment typed mid-word such as
    "ร้อ" (two letters, one mark) would match half of any Thai corpus as a substring."""
    letters = sum(1 for c in term if not unicodedata.category(c).startswith("M"))
    return letters >= 3 or (letters == 2 and len(term) >= 4)


def like_patterns(aq: AnalysedQuery) -> list[str | None]:
    """Up to SUBSTRING_SLOTS `%term%` LIKE patterns (None for unused slots): a word inside a
    longer compound token (ป้ายรถเมล์ for รถเมล์). One pattern per slot, because pg_trgm's GIN
    index serves each LIKE precisely, while one regex alternation makes it give up and scan.
    The query's own words come first, then synonyms, longest first; terms under 3 characters are
    left out, counting letters without their marks (no useful trigram). %, _ and \\ are escaped, so a query is never a pattern."""
    # A Thai run typed whole but cut short (หูกรรเชีย for หูกรรเชียง) tokenises into fragments;
    # as one pattern it finds the word it starts, where its fragments would match hundreds.
    ordered = [aq.phrase] if aq.one_run and substring_worthy(aq.phrase) else []
    ordered += [t for t in aq.tokens if substring_worthy(t) and t not in ordered]
    ordered += [t for t in aq.terms if substring_worthy(t) and t not in ordered]
    patterns: list[str | None] = [
        "%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for t in ordered[:SUBSTRING_SLOTS]
    ]
    return patterns + [None] * (SUBSTRING_SLOTS - len(patterns))


def tsquery_all(aq: AnalysedQuery) -> str:
    """Every concept must match (one of its alternatives)."""
    return " & ".join("(" + " | ".join(_alt(a) for a in g) + ")" for g in aq.groups)


def tsquery_any(aq: AnalysedQuery) -> str:
    return " | ".join(sorted({quote_lexeme(t) for t in aq.terms}))


def _alt(tokens: list[str]) -> str:
    return "(" + " & ".join(quote_lexeme(t) for t in tokens) + ")"


def tsvector_literal(title_tokens: list[str], body_tokens: list[str], place_tokens: list[str] = ()) -> str:
    """Built here rather than by to_tsvector('simple', ...): PostgreSQL's parser knows no Thai
    and may split words at combining marks. Title positions carry weight A, body D, and the
    place and agency names (place_text) C, which migration 0070 weighs below the body."""
    parts = []
    pos = 1
    for tok in title_tokens:
        parts.append(f"{quote_lexeme(tok)}:{min(pos, 16383)}A")
        pos += 1
    for tok in body_tokens:
        parts.append(f"{quote_lexeme(tok)}:{min(pos, 16383)}")
        pos += 1
    for tok in place_tokens:
        parts.append(f"{quote_lexeme(tok)}:{min(pos, 16383)}C")
        pos += 1
    return " ".join(parts)


# ---------------------------------------------------------------- trigram similarity (pg_trgm's)


@functools.lru_cache(maxsize=65536)
def _trigrams(word: str) -> frozenset[str]:
    # cached: the same words recur in every page of hits (Zipf), and this ran ~100k times a page
    padded = "  " + word + " "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def terms_for_document(aq: AnalysedQuery, doc_tokens: list[str]) -> list[str]:
    """The strings to mark in a hit: the query's words, and those of doc_tokens that are near
    spellings of one, for a hit found by typo tolerance (the costly part: a trigram comparison
    per distinct word of the document). doc_tokens is empty for exact hits."""
    terms = set(aq.terms) | ({aq.phrase} if aq.phrase else set())
    for tok in set(doc_tokens):
        if tok in terms or len(tok) < 3:
            continue
        near = aq._variants.get(tok)
        if near is None:
            near = aq._variants[tok] = _near_miss(aq._query_trigrams, _trigrams(tok))
        if near:
            terms.add(tok)
    return sorted(terms, key=len, reverse=True)


def _near_miss(queries: list[frozenset[str]], tt: frozenset[str]) -> bool:
    a = len(tt)
    for tq in queries:
        b = len(tq)
        # |A & B| / |A | B| >= m needs min(|A|,|B|) >= m * max(|A|,|B|): skip the set work
        if a < FUZZY_MARK * b or b < FUZZY_MARK * a or tt.isdisjoint(tq):
            continue
        shared = len(tt & tq)
        if shared >= FUZZY_MARK * (a + b - shared):
            return True
    return False


# ---------------------------------------------------------------- mapping back to the original


# A single space between anything but white space or ๆ and a Thai consonant, a leading vowel,
# or an ASCII letter or digit, or a line break: repair() never joins, moves or adds anything
# across one, so both texts can be cut there and aligned piece by piece. difflib's cost grows
# faster than the length of what it compares, and a body of 600 characters took it 1.5 ms.
# (The look-behind comes after the space: a pattern that starts with a literal is scanned for
# that character; one that starts with a look-behind tries it at every position, ~1.7x slower.)
_STABLE_CUT = re.compile("(?: (?<=[^\\s\u0e46] )(?=[\u0e01-\u0e2e\u0e40-\u0e44A-Za-z0-9])|\n)")


def _align(repaired: str, original: str) -> tuple[list[int], list[int]] | None:
    """Per character of `repaired`: [start, end) in `original`. None when identical."""
    if repaired == original:
        return None
    starts = [0] * len(repaired)
    ends = [0] * len(repaired)
    r_cuts = [m.start() for m in _STABLE_CUT.finditer(repaired)]
    o_cuts = [m.start() for m in _STABLE_CUT.finditer(original)]
    if len(r_cuts) != len(o_cuts) or any(
        repaired[a] != original[b] for a, b in zip(r_cuts, o_cuts, strict=True)
    ):
        _align_piece(repaired, 0, len(repaired), original, 0, len(original), starts, ends)
        return starts, ends
    r0 = o0 = 0
    for r1, o1 in [*zip(r_cuts, o_cuts, strict=True), (len(repaired), len(original))]:
        _align_piece(repaired, r0, r1, original, o0, o1, starts, ends)
        if r1 < len(repaired):
            starts[r1], ends[r1] = o1, o1 + 1  # the cut character itself
        r0, o0 = r1 + 1, o1 + 1
    return starts, ends


def _align_piece(repaired: str, r0: int, r1: int, original: str, o0: int, o1: int, starts, ends) -> None:
    piece, source = repaired[r0:r1], original[o0:o1]
    if piece == source:
        starts[r0:r1] = range(o0, o1)
        ends[r0:r1] = range(o0 + 1, o1 + 1)
        return
    if _align_spacing(piece, source, r0, o0, starts, ends):
        return
    matcher = difflib.SequenceMatcher(None, piece, source, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(i1, i2):
            if tag == "equal":
                starts[r0 + k], ends[r0 + k] = o0 + j1 + k - i1, o0 + j1 + k - i1 + 1
            else:
                starts[r0 + k], ends[r0 + k] = o0 + j1, o0 + j2


_SPACING = frozenset(" \t\u00a0")


def _align_spacing(piece: str, source: str, r0: int, o0: int, starts, ends) -> bool:
    """The commonest repairs only add spaces (around ๆ) or drop them (before a split mark):
    walk both texts at once, an added space mapping to an empty span where it stands, as difflib
    maps an insertion. False at any other difference (what was written is then overwritten)."""
    i = j = 0
    while i < len(piece):
        if j < len(source) and piece[i] == source[j]:
            starts[r0 + i], ends[r0 + i] = o0 + j, o0 + j + 1
            i += 1
            j += 1
        elif piece[i] in _SPACING:
            starts[r0 + i] = ends[r0 + i] = o0 + j
            i += 1
        elif j < len(source) and source[j] in _SPACING:
            j += 1
        else:
            return False
    return _SPACING.issuperset(source[j:])


def _fold_char(c: str) -> str:
    """One character folded the way normalise() folds it (Thai digits to 0-9, lower case),
    kept as it is when folding would change the length (so positions stay aligned)."""
    f = thai.to_arabic_digits(c).lower()
    return f if len(f) == 1 else c


class _FoldTable(dict):
    """str.translate table computed on first sight of each character (find_spans' hot loop)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if code < 0x10000:  # bounded: at most the Basic Multilingual Plane is ever cached
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def _fold(text: str) -> str:
    """text.translate(_FOLD), a character for a character, about 6x faster: str.lower() is
    C code, where the table costs a lookup per character."""
    lowered = text.lower()
    # lower() of the whole string is lower() of each character alone, unless some character
    # lowers to two (İ) or a capital sigma takes its word-final form (Σ -> ς)
    if len(lowered) != len(text) or "\u03a3" in text:
        return text.translate(_FOLD)
    return thai.to_arabic_digits(lowered) if _HAS_THAI_DIGIT.search(lowered) else lowered


def find_spans(original: str, terms: list[str]) -> list[tuple[int, int]]:
    if not original or not terms:
        return []
    repaired = thai.repair(original)
    align = _align(repaired, original)
    if not _HAS_ZERO_WIDTH.search(repaired):
        # the usual case: folding maps character to character, so positions are unchanged
        folded = _fold(repaired)
        where: range | list[int] = range(len(repaired))
    else:
        chars: list[str] = []
        where = []
        for i, c in enumerate(repaired):
            if c in _ZERO_WIDTH:
                continue
            chars.append(_fold_char(c))
            where.append(i)
        folded = "".join(chars)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        start = folded.find(term)
        found = 0
        while start != -1 and found < 50:
            rs, re_ = where[start], where[start + len(term) - 1]
            if align is None:
                spans.append((rs, re_ + 1))
            else:
                spans.append((align[0][rs], align[1][re_]))
            found += 1
            start = folded.find(term, start + len(term))
    return merge_spans(spans)


def highlight_title(title: str, terms: list[str]) -> Markup:
    return highlight(title, find_spans(title, terms))


def snippet(body: str, terms: list[str], width: int = SNIPPET_CHARS) -> Markup:
    text = body[:ALIGN_LIMIT]
    spans = find_spans(text, terms)
    if not spans:
        cut = text[:width]
        return escape(cut) + ("…" if len(body) > width else "")
    # the window that holds the most matches, starting a little before the first of them
    # (spans are sorted and apart, so the matches inside [s, s + width] are spans[i:j])
    best, best_count, j = spans[0][0], 0, 0
    for i, (s, _) in enumerate(spans):
        j = max(j, i)
        while j < len(spans) and spans[j][1] <= s + width:
            j += 1
        if j - i > best_count:
            best, best_count = s, j - i
    start = max(0, best - width // 4)
    space = text.rfind(" ", max(0, start - 20), start + 1)
    if start > 0 and space != -1:
        start = space + 1
    end = min(len(text), start + width)
    inside = [(max(a, start) - start, min(b, end) - start) for a, b in spans if b > start and a < end]
    marked = highlight(text[start:end], inside)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    return escape(prefix) + marked + suffix


def plain(markup: str) -> str:
    """Text of a highlighted snippet (tests, logs)."""
    return html.unescape(markup.replace("<mark>", "").replace("</mark>", ""))
