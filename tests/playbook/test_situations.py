"""The playbook's situation rules: a table of messages, then properties of the text handling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpscout_app.playbook import Situation, classify_message
from helpscout_app.playbook.situations import NEGATIVE_SIGNALS, PHRASES, PRIORITY, normalize


@pytest.mark.parametrize(
    ("text", "situation", "phrase"),
    [
        # product problem, in each language, as text and as Help Scout's HTML
        ("The kettle arrived broken.", Situation.PRODUCT_PROBLEM, "broken"),
        (
            "<p>It&#39;s <b>not working</b> since Monday</p>",
            Situation.PRODUCT_PROBLEM,
            "not working",
        ),
        ("It’s not working", Situation.PRODUCT_PROBLEM, "not working"),
        ("Das Gerät ist DEFEKT", Situation.PRODUCT_PROBLEM, "defekt"),
        ("Je voudrais un remboursement", Situation.PRODUCT_PROBLEM, "remboursement"),
        ("La tapa llegó dañada, no funciona", Situation.PRODUCT_PROBLEM, "no funciona"),
        ("Il coperchio è rotto", Situation.PRODUCT_PROBLEM, "rotto"),
        # a product problem wins over a return: resolve now, no return instructions
        ("It arrived broken, I want to return it", Situation.PRODUCT_PROBLEM, "broken"),
        # returns and subscriptions
        ("How do I return this?", Situation.RETURN_OR_SUBSCRIPTION, "return"),
        (
            "Please cancel my Subscribe &amp; Save",
            Situation.RETURN_OR_SUBSCRIPTION,
            "subscribe & save",
        ),
        ("Ich möchte mein Spar-Abo ändern", Situation.RETURN_OR_SUBSCRIPTION, "spar-abo"),
        # educational material
        ("Is there a manual for the timer?", Situation.EDUCATIONAL_MATERIAL, "manual"),
        ("Haben Sie Rezepte dafür?", Situation.EDUCATIONAL_MATERIAL, "rezepte"),
        # happy buyer
        ("Thank you so much, love it!", Situation.HAPPY_BUYER, "thank you so much"),
        ("Sehr zufrieden, perfekt", Situation.HAPPY_BUYER, "sehr zufrieden"),
        # leaves alone
        ("Where is my package?", Situation.OTHER, None),
        ("", Situation.OTHER, None),
        # whole words only: "returned" is not "return", "broker" is not "broke"
        ("I returned from holiday and my broker called", Situation.OTHER, None),
        # a negated phrase does not count; the next one may
        ("Nothing was damaged, it works great!", Situation.HAPPY_BUYER, "works great"),
        ("It isn't broken, I just want to return it", Situation.RETURN_OR_SUBSCRIPTION, "return"),
        ("No refund needed. Thanks so much!", Situation.HAPPY_BUYER, "thanks so much"),
        ("Honestly not very happy with the colour", Situation.OTHER, None),
        (
            "Das Gerät ist nicht defekt, ich suche die Anleitung",
            Situation.EDUCATIONAL_MATERIAL,
            "anleitung",
        ),
        ("Il n'est pas cassé", Situation.OTHER, None),
        ("La tapa no está rota pero no funciona", Situation.PRODUCT_PROBLEM, "no funciona"),
        ("Non è rotto, grazie mille", Situation.HAPPY_BUYER, "grazie mille"),
        # product problems in the buyer's own words
        ("It arrived in pieces", Situation.PRODUCT_PROBLEM, "arrived in pieces"),
        ("This is not what I ordered", Situation.PRODUCT_PROBLEM, "not what i ordered"),
        (
            "Love it? No. Terrible product, I want my money back",
            Situation.PRODUCT_PROBLEM,
            "terrible product",
        ),
        # a complaint outweighs praise: never a review request for these
        ("Please stop sending me review requests, I love the product", Situation.OTHER, None),
        ("Love it, but I am disappointed with the delivery", Situation.OTHER, None),
        ("Sehr zufrieden? Nein, enttäuscht.", Situation.OTHER, None),
        ("Not disappointed at all, love it!", Situation.HAPPY_BUYER, "love it"),
        # a negator in another clause, or further back, turns nothing around
        ("No, it arrived broken", Situation.PRODUCT_PROBLEM, "broken"),
        ("I never thought the lid would be broken", Situation.PRODUCT_PROBLEM, "broken"),
    ],
)
def test_classify_message(text: str, situation: Situation, phrase: str | None) -> None:
    result = classify_message(text)

    assert (result.situation, result.phrase) == (situation, phrase)


def test_every_phrase_classifies_as_its_own_situation_or_a_higher_one() -> None:
    for situation in PRIORITY:
        for phrase in PHRASES[situation]:
            found = classify_message(f"Hello. {phrase}. Regards").situation
            assert PRIORITY.index(found) <= PRIORITY.index(situation), (phrase, found)


@given(st.text())
def test_classify_never_raises_and_the_phrase_is_in_the_normalized_text(text: str) -> None:
    result = classify_message(text)

    assert result.situation in Situation
    if result.phrase is None:
        assert result.situation is Situation.OTHER
    else:
        assert result.phrase in normalize(text)


@given(st.text(), st.text())
def test_a_product_problem_anywhere_wins(before: str, after: str) -> None:
    text = f"{before} \n the lid is broken \n {after}"

    assert classify_message(text).situation is Situation.PRODUCT_PROBLEM


@given(st.text())
def test_normalizing_twice_changes_nothing(text: str) -> None:
    once = normalize(text)

    assert normalize(once) == once
    assert classify_message(once) == classify_message(text)


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_case_does_not_matter(text: str) -> None:
    assert classify_message(text.upper()) == classify_message(text.lower())


@pytest.mark.parametrize("negator", ["not", "nicht", "pas", "no", "non", "never"])
def test_no_phrase_counts_right_after_a_negator(negator: str) -> None:
    for situation in PRIORITY:
        for phrase in PHRASES[situation]:
            result = classify_message(f"Hello. It is {negator} {phrase}. Regards")
            assert result.phrase != normalize(phrase), (negator, phrase, result)


_HAPPY_MESSAGES = st.builds(
    "{} {} {}".format,
    st.text(),
    st.sampled_from(PHRASES[Situation.HAPPY_BUYER]),
    st.text(),
).filter(lambda text: classify_message(text).situation is Situation.HAPPY_BUYER)


@given(
    _HAPPY_MESSAGES,
    st.sampled_from(PHRASES[Situation.PRODUCT_PROBLEM] + NEGATIVE_SIGNALS),
)
def test_a_problem_or_complaint_after_any_happy_message_is_never_a_happy_buyer(
    happy: str, problem: str
) -> None:
    """Whatever the praise, a product problem or a complaint added in a new sentence means no
    review request."""
    text = f"{happy}. {problem}"

    assert classify_message(text).situation is not Situation.HAPPY_BUYER
