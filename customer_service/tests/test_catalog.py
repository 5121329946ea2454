"""Catalog answers checked one by one as a customer gives them, and a request numbered with all its answers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customer_service.errors import InputRefused
from customer_service.models import QuestionKind
from customer_service.services.catalog import submit_request, validate_answer
from customer_service.tests.factories import CatalogItemFactory, question
from tests.factories import ChannelUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair():
    item = CatalogItemFactory(name="Replacement part")
    question(item, QuestionKind.CHOICE, label="Which part?", choices=["Armrest", "Wheel", "Gas lift"])
    question(item, QuestionKind.NUMBER, label="How many?", min_value=1, max_value=5)
    question(item, QuestionKind.DATE, label="Delivery date?", min_days_ahead=2, max_days_ahead=60)
    question(item, QuestionKind.YES_NO, label="Should we take the old part away?")
    question(item, QuestionKind.TEXT, label="Anything else?", required=False, max_length=20)
    return item


@pytest.mark.parametrize(
    ("kind", "fields", "raw", "value"),
    [
        (QuestionKind.CHOICE, {"choices": ["Armrest", "Wheel"]}, "2", "Wheel"),
        (QuestionKind.CHOICE, {"choices": ["Armrest", "Wheel"]}, "armrest", "Armrest"),
        (QuestionKind.CHOICE, {"choices": ["Armrest", "Wheel"]}, "whe", "Wheel"),
        (QuestionKind.NUMBER, {"min_value": 1, "max_value": 5}, "5", "5"),
        (QuestionKind.NUMBER, {"min_value": 1, "max_value": 5}, "2,5", "2.5"),
        (QuestionKind.YES_NO, {}, "Ja", "yes"),
        (QuestionKind.YES_NO, {}, "no.", "no"),
        (QuestionKind.TEXT, {"max_length": 5}, "  hello  ", "hello"),
    ],
)
def test_a_valid_answer_comes_back_in_its_canonical_form(kind, fields, raw, value):
    check = validate_answer(question(CatalogItemFactory(), kind, **fields), raw)

    assert (check.ok, check.value) == (True, value)
    assert validate_answer(question(CatalogItemFactory(), kind, **fields), check.value).value == value


@pytest.mark.parametrize(
    ("kind", "fields", "raw", "reason"),
    [
        (QuestionKind.CHOICE, {"choices": ["Armrest", "Wheel"]}, "3", "Please choose one of: 1 Armrest, 2 Wheel"),
        (QuestionKind.CHOICE, {"choices": ["Armrest", "Wheel"]}, "a photo", "Please choose one of"),
        (QuestionKind.NUMBER, {"min_value": 1, "max_value": 5}, "6", "Please give a number from 1 to 5."),
        (QuestionKind.NUMBER, {"min_value": 1, "max_value": 5}, "0.99", "Please give a number from 1 to 5."),
        (QuestionKind.NUMBER, {}, "lots", "Please answer with a number"),
        (QuestionKind.NUMBER, {}, "NaN", "Please answer with a number"),
        (QuestionKind.YES_NO, {}, "maybe", "Please answer yes or no."),
        (QuestionKind.TEXT, {"max_length": 5}, "too long", "please keep it to 5"),
        (QuestionKind.DATE, {}, "next full moon", "Please write a date as day/month/year"),
        (QuestionKind.TEXT, {}, "   ", "Please answer: Question 1?"),
        (QuestionKind.CHOICE, {"choices": ["Armrest", "Wheel"]}, "²", "Please choose one of"),
        (QuestionKind.CHOICE, {"choices": ["Armrest", "Wheel"]}, "①", "Please choose one of"),
        (QuestionKind.NUMBER, {}, "²", "Please answer with a number"),
        (QuestionKind.NUMBER, {}, "1e999999999", "Please answer with a number"),
        (QuestionKind.NUMBER, {}, "1e999999", "Please answer with a number"),
        (QuestionKind.NUMBER, {}, "1" * 31, "That number is too long; please use at most 30 digits."),
    ],
)
def test_an_invalid_answer_says_what_would_be_valid(kind, fields, raw, reason):
    check = validate_answer(question(CatalogItemFactory(), kind, **fields), raw)

    assert not check.ok
    assert reason in check.reason


def test_a_date_must_fall_in_its_window_counted_from_today():
    date_question = question(CatalogItemFactory(), QuestionKind.DATE, min_days_ahead=2, max_days_ahead=60)
    today = timezone.localdate()

    assert not validate_answer(date_question, (today + timedelta(days=1)).strftime("%d/%m/%Y")).ok
    assert validate_answer(date_question, (today + timedelta(days=2)).strftime("%d.%m.%Y")).ok
    assert validate_answer(date_question, (today + timedelta(days=60)).isoformat()).ok
    too_late = validate_answer(date_question, (today + timedelta(days=61)).isoformat())
    assert "The latest date possible is" in too_late.reason


def test_a_request_is_numbered_and_keeps_every_answer(chair):
    questions = list(chair.questions.all())
    in_a_week = (timezone.localdate() + timedelta(days=7)).isoformat()
    answers = dict(zip(questions, ["1", "2", in_a_week, "yes", ""], strict=True))

    request = submit_request(item=chair, answers=answers, channel_user=ChannelUserFactory())

    assert request.number == "REQ0001001"
    assert [(answer.label, answer.value) for answer in request.answers.all()] == [
        ("Which part?", "Armrest"),
        ("How many?", "2"),
        ("Delivery date?", in_a_week),
        ("Should we take the old part away?", "yes"),
        ("Anything else?", ""),
    ]


def test_a_request_with_wrong_answers_names_each_problem_and_writes_nothing(chair):
    which, how_many, *_ = chair.questions.all()

    with pytest.raises(InputRefused) as refusal:
        submit_request(item=chair, answers={which.pk: "Seat", how_many.pk: "9"}, channel_user=ChannelUserFactory())

    assert refusal.value.problems[:2] == [
        "Which part?: Please choose one of: 1 Armrest, 2 Wheel, 3 Gas lift (its number or its name).",
        "How many?: Please give a number from 1 to 5.",
    ]
    assert len(refusal.value.problems) == 4  # the date and the yes/no are missing too; the text is optional
    assert chair.requests.count() == 0
