"""The dictionary words inside a Thai token, which the Meilisearch documents carry so that a
word typed alone finds the compound it is part of."""

from civic.search.meili import parts_of


def test_the_words_inside_a_compound_are_found_wherever_they_start() -> None:
    assert parts_of("ป้ายรถเมล์") == ("ป้าย", "รถเมล์", "เมล", "เมล์")
    assert "ราชการ" in parts_of("ระบบราชการ") and "ระบบ" in parts_of("ระบบราชการ")


def test_the_token_itself_short_words_and_latin_are_left_out() -> None:
    assert "ระบบราชการ" not in parts_of("ระบบราชการ")
    assert all(len(w) >= 3 for w in parts_of("โรงพยาบาลส่งเสริมสุขภาพตำบล"))
    assert parts_of("ถนน") == ()  # too short to hold another word
    assert parts_of("digitalization") == ()
