"""Pure parts of search: query analysis, literal quoting, highlighting onto the original."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from civic.search import text
from civic.search.port import SearchQuery, doc_key, highlight, parse_key


def test_highlight_escapes_before_marking():
    out = highlight("<b>ขยะ</b> & ตลาด", [(3, 6)])
    assert isinstance(out, Markup)
    assert str(out) == "&lt;b&gt;<mark>ขยะ</mark>&lt;/b&gt; &amp; ตลาด"


def test_quote_lexeme_neutralises_tsquery_syntax():
    assert text.quote_lexeme("a'b\\c") == "'a''b\\\\c'"
    aq = text.analyse("ขยะ & | ! ( ) :*")
    assert "&" not in "".join(aq.terms)


def test_analyse_expands_synonyms_and_drops_stopwords():
    aq = text.analyse("ขยะ ที่")
    assert aq.groups and all("ที่" not in alt for g in aq.groups for alt in g)
    assert ["มูลฝอย"] in aq.groups[0]


def test_analyse_multi_token_synonym_group():
    aq = text.analyse("น้ำไม่ไหล")
    flat = {t for g in aq.groups for alt in g for t in alt}
    assert "ประปา" in flat or "น้ำประปาไม่ไหล" in flat


def test_a_compound_splits_into_two_dictionary_words():
    assert text.split_compound("สวนสาธารณะ") == ["สวน", "สาธารณะ"]
    assert text.split_compound("ป้ายรถเมล์") == ["ป้าย", "รถเมล์"]  # the longest head whose rest is a word
    assert text.split_compound("ถนน") is None  # no head of two letters or more leaves a word
    assert text.split_compound("wifi") is None


def test_with_compounds_split_adds_the_words_apart_as_one_more_alternative():
    aq = text.analyse("สวนสาธารณะ ถนน")
    split = text.with_compounds_split(aq)
    assert split.groups[0] == [*aq.groups[0], ["สวน", "สาธารณะ"]]
    assert split.groups[1] == aq.groups[1]
    assert {"สวน", "สาธารณะ"} <= set(split.terms)  # marked in the hits too
    assert split.tokens == aq.tokens  # typo tolerance still compares what was typed
    assert text.with_compounds_split(text.analyse("ถนน ตลาด")) is None
    # a concept typed as several words is not cut further
    assert text.with_compounds_split(text.analyse("ไฟส่องสว่าง")) is None


def test_find_spans_maps_repaired_word_onto_damaged_original():
    original = "เป็นที่พ่ึงของประชาชน"  # misordered marks, as extracted from a PDF
    spans = text.find_spans(original, ["พึ่ง"])
    assert [original[a:b] for a, b in spans] == ["พ่ึง"]


def test_find_spans_matches_thai_digits_and_case():
    original = "ซอยลาดพร้าว ๗๑ มี WiFi"
    spans = text.find_spans(original, ["71", "wifi"])
    assert [original[a:b] for a, b in spans] == ["๗๑", "WiFi"]


def test_like_patterns_escape_wildcards_and_fill_slots():
    aq = text.analyse("50%_off ขยะ")
    patterns = text.like_patterns(aq)
    assert len(patterns) == text.SUBSTRING_SLOTS
    real = [p for p in patterns if p]
    assert real and all(p.startswith("%") and p.endswith("%") for p in real)
    assert not any("%_" in p[1:-1] and "\\%" not in p for p in real)


def test_a_thai_run_cut_short_is_its_own_first_pattern():
    # Typed while the word is unfinished: the tokeniser splits it into fragments (หู|กรร|เชีย)
    # that are inside hundreds of words; the whole run is inside the word that was meant.
    aq = text.analyse("หูกรรเชีย")
    assert len(aq.tokens) > 1
    assert text.like_patterns(aq)[0] == "%หูกรรเชีย%"
    # Separate words are not glued into a pattern that no document would contain.
    assert text.like_patterns(text.analyse("ขยะ รถเมล์"))[:2] == ["%ขยะ%", "%รถเมล์%"]


def test_query_is_clamped():
    q = SearchQuery(q="ก" * 10_000, page=-5, per_page=10_000).clamped()
    assert len(q.q) == 200 and q.page == 1 and q.per_page == 50


def test_doc_keys_round_trip():
    assert doc_key("idea", 12) == "idea-12"
    assert parse_key("idea-12") == ("idea", 12)


def test_find_spans_folds_digits_and_case_with_and_without_zero_width_characters():
    from civic.search.text import find_spans

    # fast path (no zero-width characters): positions are the original's
    assert find_spans("ซอย ๑๒ WiFi", ["12", "wifi"]) == [(4, 6), (7, 11)]
    # slow path: a zero-width space inside the word is skipped, the span covers it
    assert find_spans("ซอย ๑\u200b๒ WiFi", ["12", "wifi"]) == [(4, 7), (8, 12)]


@settings(max_examples=1000, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.sampled_from("ΣσςİIiẞßAaZz๐๑๙ทดสอบ \u0130\u03a3"),
            st.characters(blacklist_categories=("Cs",)),
        ),
        max_size=40,
    )
)
@example("ΟΔΟΣ WiFi ๑๒")  # a word-final capital sigma lowers to ς in context, σ alone
@example("İstanbul")  # lowers to two characters
def test_fold_is_the_per_character_fold(s: str) -> None:
    # the fast whole-string fold must agree with folding each character alone, or highlights
    # would land on the wrong characters
    assert text._fold(s) == s.translate(text._FOLD)
    assert len(text._fold(s)) == len(s)


def test_terms_for_document_keeps_only_near_spellings():
    from civic.search.text import analyse, terms_for_document

    terms = terms_for_document(analyse("อินเทอร์เน็ต"), ["อินเตอร์เน็ต", "ถนน", "เน็ต"])
    assert "อินเตอร์เน็ต" in terms and "ถนน" not in terms


def test_damage_far_apart_is_aligned_piece_by_piece_to_the_same_places():
    from civic import thai

    original = ("ประชาชน ต่างๆนานา ได้รับ " * 40) + "เป็นที่พ่ึงของ ทํา ให้ ดี ๆ  \nอื่น ๆ"
    repaired = thai.repair(original)
    whole = ([0] * len(repaired), [0] * len(repaired))
    text._align_piece(repaired, 0, len(repaired), original, 0, len(original), *whole)
    assert text._align(repaired, original) == whole
    spans = text.find_spans(original, ["พึ่ง", "ทำ"])
    assert [original[a:b] for a, b in spans] == ["พ่ึง", "ทํา"]


# the shapes of PDF damage: marks split off by a space, stacked out of order, ํา, เเ, ๆ spacing
_DAMAGE = st.lists(
    st.sampled_from(list("กขเแาะ\u0e48\u0e49\u0e34\u0e36\u0e4d\u0e32ๆ ab1\n") + ["  ", " \u0e48", "เเ"]),
    max_size=60,
).map("".join)


@given(_DAMAGE)
@settings(max_examples=300, deadline=None)
def test_alignment_maps_every_repaired_character_into_the_original_in_order(original):
    # Only the shape: which of two equal characters difflib picks in an ambiguous stretch is its call.
    from civic import thai

    repaired = thai.repair(original)
    align = text._align(repaired, original)
    if align is None:
        assert repaired == original
        return
    starts, ends = align
    assert len(starts) == len(ends) == len(repaired)
    assert all(0 <= s <= e <= len(original) for s, e in zip(starts, ends, strict=True))
    assert starts == sorted(starts)


@given(st.text(alphabet="กขๆ\u0e48\u0e34a1 \t", max_size=40), st.lists(st.integers(0, 40), max_size=6))
@settings(max_examples=300, deadline=None)
def test_a_spacing_only_repair_maps_every_character_onto_itself(source, insert_at):
    # what repair does to ๆ and to split marks: spaces added and dropped, nothing else
    piece = source.replace(" ", "")
    for k in sorted(insert_at, reverse=True):
        piece = piece[:k] + " " + piece[k:]
    starts, ends = [-1] * len(piece), [-1] * len(piece)
    assert text._align_spacing(piece, source, 0, 0, starts, ends)
    for i, c in enumerate(piece):
        if c in " \t":  # added (an empty span) or kept
            assert starts[i] == ends[i] or source[starts[i]] == c
        else:
            assert (source[starts[i]], ends[i]) == (c, starts[i] + 1)
    assert starts == sorted(starts) and all(0 <= s <= len(source) for s in starts)


def test_spacing_alignment_gives_way_to_difflib_for_any_other_change():
    starts, ends = [0] * 3, [0] * 3
    assert not text._align_spacing("ก่ิ", "กิ่", 0, 0, starts, ends)  # marks reordered
    assert not text._align_spacing("กา", "ก ", 0, 0, starts, ends)  # a letter where a space was
