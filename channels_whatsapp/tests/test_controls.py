"""The virtual agent's controls as WhatsApp messages: reply buttons up to 3 choices, a list picker up to 10, a paged
list beyond; every rendering within Meta's limits (the same checks an agent's message passes)."""

import pytest

from channels_whatsapp.controls import render_control
from channels_whatsapp.message_limits import content_problems
from interactions.controls import Choice, Control, ControlKind, requested_page
from interactions.models import MessageKind


def choice_control(count: int, *, title_length: int = 10, body: str = "Pick one") -> Control:
    return Control(
        kind=ControlKind.CHOICE,
        body=body,
        choices=tuple(Choice(id=f"c{n}", title=f"{n:02d} " + "x" * title_length) for n in range(1, count + 1)),
    )


@pytest.mark.parametrize(("count", "shape"), [(1, "buttons"), (3, "buttons"), (4, "list"), (10, "list")])
def test_few_choices_are_buttons_more_a_list(count, shape):
    [message] = render_control(choice_control(count))
    assert message.kind == MessageKind.INTERACTIVE
    assert message.content["type"] == shape
    assert content_problems(kind=message.kind, content=message.content) == []


def test_more_than_ten_choices_are_paged_nine_at_a_time_with_a_more_row():
    control = choice_control(23)
    pages = [render_control(control, page=page)[0].content for page in (1, 2, 3)]
    rows = [[row["title"] for row in page["sections"][0]["rows"]] for page in pages]
    assert [len(page) for page in rows] == [10, 10, 5]
    assert rows[0][0].startswith("1. 01") and rows[1][0].startswith("10. 10") and rows[2][-1].startswith("23. 23")
    more = pages[0]["sections"][0]["rows"][-1]
    assert (more["id"], more["title"]) == ("page:2", "More options")
    assert requested_page(more["id"]) == 2
    assert pages[2]["footer"] == "Page 3 of 3"
    for page in pages:
        assert content_problems(kind=MessageKind.INTERACTIVE, content=page) == []


def test_long_titles_and_bodies_are_cut_to_metas_limits_and_stay_unique():
    control = choice_control(3, title_length=40, body="b" * 2000)
    [buttons] = render_control(control)
    assert content_problems(kind=MessageKind.INTERACTIVE, content=buttons.content) == []
    assert buttons.content["body"].endswith("…") and len(buttons.content["body"]) == 1024
    twins = Control(kind=ControlKind.CHOICE, body="?", choices=tuple(
        Choice(id=str(n), title="Exactly the same long title") for n in range(3)))  # fmt: skip
    [message] = render_control(twins)
    assert content_problems(kind=MessageKind.INTERACTIVE, content=message.content) == []
    [wide] = render_control(choice_control(8, title_length=60))
    row = wide.content["sections"][0]["rows"][0]
    assert len(row["title"]) == 24 and row["description"].startswith("01 xxx")
    assert content_problems(kind=MessageKind.INTERACTIVE, content=wide.content) == []


def test_a_location_is_a_location_request_and_text_kinds_are_text():
    [location] = render_control(Control(kind=ControlKind.LOCATION, body="Where are you?"))
    assert location.content == {"type": "location_request", "body": "Where are you?"}
    [card] = render_control(Control(kind=ControlKind.CARD, title="Resetting", body="Hold 5 s.", url="https://x.test/a"))
    assert (card.kind, card.text) == (MessageKind.TEXT, "*Resetting*\nHold 5 s.\nhttps://x.test/a")
    [question] = render_control(Control(kind=ControlKind.NUMBER, body="How many?"))
    assert (question.kind, question.text) == (MessageKind.TEXT, "How many?")


def test_a_row_id_is_never_cut_so_a_tap_always_names_its_choice():
    long_id = "catalog-item:" + "x" * 250
    control = Control(kind=ControlKind.CHOICE, body="Pick one",
                      choices=tuple(Choice(id=f"{long_id}-{n}", title=f"Item {n}") for n in range(1, 5)))  # fmt: skip
    [message] = render_control(control)
    rows = message.content["sections"][0]["rows"]
    assert [row["id"] for row in rows] == [choice.id for choice in control.choices]
    # Too long for Meta: refused here, so the automated reply goes out as text (interactions/automated_replies.py).
    assert "the id is 265 characters long" in " ".join(content_problems(kind=message.kind, content=message.content))
