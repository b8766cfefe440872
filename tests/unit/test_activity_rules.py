from civic.activity import rules


def test_receipt_reference_names_the_consultation_and_the_response():
    assert rules.receipt_reference(12, 345) == "C12-R345"


def test_answers_can_be_changed_only_while_open():
    assert rules.answer_edit_url(7, "open") == "/consultations/7#respond"
    for status in ("draft", "scheduled", "closed", "outcome_published"):
        assert rules.answer_edit_url(7, status) is None
