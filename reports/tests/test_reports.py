"""The report's figures against a small desk with known answers (reports/tests/dataset.py), its date range and time
zone, the page and its CSV exports for managers, and agents refused."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEntry
from reports.period import ReportPeriod, this_week
from reports.selectors import desk_report
from reports.tests.dataset import T, build_desk
from routing.models import Queue, WorkItem
from tests.factories import InteractionFactory, MessageFactory, agent, manager

pytestmark = pytest.mark.django_db

WEEK = {"from": "2026-11-30", "to": "2026-12-06"}


@pytest.fixture
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def desk(berlin):
    return build_desk()


def week_in(zone: str) -> ReportPeriod:
    return ReportPeriod(first_day=date(2026, 11, 30), last_day=date(2026, 12, 6), time_zone=zone)


def by_label(rows):
    return {row.label: row for row in rows}


def test_conversations_by_state_per_queue_agent_and_in_total(desk):
    report = desk_report(week_in("Europe/Berlin"))
    queues, agents = by_label(report.queues), by_label(report.agents)
    assert list(queues) == ["No queue (never routed to a person)", "Sales", "Support"]
    assert queues["Sales"].conversations == 4  # A, B, H, I
    assert queues["Sales"].states == {
        "new": 2, "work_in_progress": 1, "on_hold": 0, "closed_complete": 1, "closed_abandoned": 0
    }  # fmt: skip
    assert queues["Support"].states["closed_abandoned"] == 1 and queues["Support"].states["closed_complete"] == 1
    assert queues["No queue (never routed to a person)"].conversations == 2  # E, F
    assert report.total.conversations == 8
    assert report.total.states == {
        "new": 3, "work_in_progress": 1, "on_hold": 0, "closed_complete": 3, "closed_abandoned": 1
    }  # fmt: skip
    assert {name: row.conversations for name, row in agents.items()} == {"Alice Agent": 2, "Bob Agent": 1}
    assert agents["Alice Agent"].states["closed_complete"] == 2


def test_first_response_counts_the_virtual_agent_and_agents_but_not_notices(desk):
    report = desk_report(week_in("Europe/Berlin"))
    queues, agents = by_label(report.queues), by_label(report.agents)
    # Sales: A's agent 180 s, B's virtual agent 10 s (its waiting notice at 120 s is no reply); H and I unanswered.
    assert queues["Sales"].first_reply_seconds == pytest.approx(95)
    assert queues["Sales"].first_agent_reply_seconds == pytest.approx(270)  # A 180 s, B 360 s
    assert queues["Support"].first_reply_seconds == pytest.approx(240)  # D; C never answered
    assert queues["No queue (never routed to a person)"].first_reply_seconds == pytest.approx(6.5)  # E 5 s, F 8 s
    assert queues["No queue (never routed to a person)"].first_agent_reply_seconds is None
    assert report.total.first_reply_seconds == pytest.approx((180 + 10 + 240 + 5 + 8) / 5)
    assert report.total.first_agent_reply_seconds == pytest.approx((180 + 360 + 240) / 3)
    assert agents["Alice Agent"].first_agent_reply_seconds == pytest.approx(210)  # A 180 s, D 240 s
    assert agents["Bob Agent"].first_agent_reply_seconds == pytest.approx(360)


def test_handle_time_runs_from_the_first_acceptance_to_the_close(desk):
    report = desk_report(week_in("Europe/Berlin"))
    queues, agents = by_label(report.queues), by_label(report.agents)
    assert queues["Sales"].handle_seconds == pytest.approx(31 * 60)  # A; B is still open
    assert queues["Support"].handle_seconds == pytest.approx(17 * 60)  # D; C was never accepted
    assert report.total.handle_seconds == pytest.approx(24 * 60)
    assert agents["Alice Agent"].handle_seconds == pytest.approx(24 * 60)
    assert agents["Bob Agent"].handle_seconds is None


def test_time_in_queue_and_abandonment_come_from_the_work_items(desk):
    report = desk_report(week_in("Europe/Berlin"))
    queues, agents = by_label(report.queues), by_label(report.agents)
    sales, support = queues["Sales"], queues["Support"]
    # Sales: A (2 m), B (4 m), and D's first item, transferred away: cancelled but not abandoned.
    assert (sales.queued, sales.accepted, sales.abandoned) == (3, 2, 0)
    assert sales.time_in_queue_seconds == pytest.approx(180)
    assert sales.abandonment_rate == 0
    # Support: C, left waiting until it closed (abandoned), and D after its transfer (2 m).
    assert (support.queued, support.accepted, support.abandoned) == (2, 1, 1)
    assert support.time_in_queue_seconds == pytest.approx(120)
    assert support.abandonment_rate == pytest.approx(0.5)
    assert (report.total.queued, report.total.abandoned) == (5, 1)
    assert report.total.abandonment_rate == pytest.approx(0.2)
    assert report.total.time_in_queue_seconds == pytest.approx(160)
    assert (agents["Alice Agent"].accepted, agents["Alice Agent"].time_in_queue_seconds) == (2, pytest.approx(120))
    assert (agents["Bob Agent"].accepted, agents["Bob Agent"].time_in_queue_seconds) == (1, pytest.approx(240))


def test_containment_counts_what_the_virtual_agent_closed_without_a_person(desk):
    total = desk_report(week_in("Europe/Berlin")).total
    # B, E and F were answered by the virtual agent; B went to a person, F is still open: E alone is contained.
    assert (total.answered_by_virtual_agent, total.contained) == (3, 1)
    assert total.containment_rate == pytest.approx(1 / 3)


def test_opt_ins_and_opt_outs_per_queue_agent_and_day(desk):
    report = desk_report(week_in("Europe/Berlin"))
    queues, agents = by_label(report.queues), by_label(report.agents)
    assert (queues["Sales"].opt_ins, queues["Sales"].opt_outs) == (1, 0)  # A's keyword
    assert (queues["Support"].opt_ins, queues["Support"].opt_outs) == (0, 1)  # C's keyword
    assert (agents["Alice Agent"].opt_ins, agents["Alice Agent"].opt_outs) == (0, 1)  # recorded by her, verbally
    assert (report.total.opt_ins, report.total.opt_outs) == (1, 2)
    assert [(day.day.isoformat(), day.opt_ins, day.opt_outs) for day in report.days if day.opt_ins or day.opt_outs] == [
        ("2026-12-01", 1, 0),
        ("2026-12-02", 0, 1),
        ("2026-12-03", 0, 1),
    ]


def test_failed_messages_by_error_code_queue_and_author(desk):
    report = desk_report(week_in("Europe/Berlin"))
    queues, agents = by_label(report.queues), by_label(report.agents)
    assert [(f.error_code, f.error_title, f.messages) for f in report.failures] == [
        ("131047", "Re-engagement message", 2),
        ("130429", "Rate limit hit", 1),
    ]
    assert (queues["Sales"].failed_messages, queues["Support"].failed_messages) == (2, 1)
    assert agents["Alice Agent"].failed_messages == 2  # B's was an automatic notice: nobody's
    assert report.total.failed_messages == 3


def test_days_are_whole_days_in_the_desks_time_zone(desk):
    """Berlin's week takes I (Monday 00:00 Berlin, Sunday 23:00 UTC) and H (Sunday 23:59); UTC's takes H and the
    conversation opened Monday 7 December 00:00 Berlin instead of I."""
    berlin = desk_report(week_in("Europe/Berlin"))
    assert [(day.day.isoformat(), day.conversations) for day in berlin.days] == [
        ("2026-11-30", 1), ("2026-12-01", 3), ("2026-12-02", 1), ("2026-12-03", 1), ("2026-12-04", 1),
        ("2026-12-05", 0), ("2026-12-06", 1),
    ]  # fmt: skip
    utc = desk_report(week_in("UTC"))
    assert utc.total.conversations == 8
    utc_days = [(day.day.isoformat(), day.conversations) for day in utc.days]
    assert (utc_days[0], utc_days[-1]) == (("2026-11-30", 0), ("2026-12-06", 2))
    assert by_label(utc.queues)["Support"].failed_messages == 2  # the one of 7 December, Berlin


def test_one_day_holds_what_was_opened_on_it(desk):
    only_tuesday = desk_report(ReportPeriod(date(2026, 12, 1), date(2026, 12, 1), "Europe/Berlin"))
    assert only_tuesday.total.conversations == 3  # A, B, C
    assert [day.day for day in only_tuesday.days] == [date(2026, 12, 1)]


def test_this_week_is_monday_to_sunday_in_the_desks_time_zone(berlin):
    sunday_night_in_berlin = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)  # 23:30 Berlin
    assert this_week(now=sunday_night_in_berlin) == week_in("Europe/Berlin")
    monday_in_berlin = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)  # still Sunday in UTC, 00:30 Monday in Berlin
    assert this_week(now=monday_in_berlin).first_day == date(2026, 12, 7)


def test_the_number_of_queries_does_not_grow_with_the_data(desk):
    period = week_in("Europe/Berlin")
    with CaptureQueriesContext(connection) as small:
        desk_report(period)
    for n in range(3):  # three more queues and agents, with a conversation, a wait and a failure each
        queue = Queue.objects.create(key=f"extra-{n}", name=f"Extra {n}")
        person = agent()
        conversation = InteractionFactory(opened_at=T, queue=queue.key, assigned_to=person)
        MessageFactory(interaction=conversation, sent_at=T)
        MessageFactory(interaction=conversation, failed=True, author=person, sent_at=T, status_at=T)
        WorkItem.objects.create(
            interaction=conversation, queue=queue, priority=3, queued_at=T, accepted_at=T, accepted_by=person
        )
    with CaptureQueriesContext(connection) as larger:
        report = desk_report(period)
    assert len(report.queues) == 6 and len(report.agents) == 5
    assert len(larger) == len(small)


def test_the_page_shows_the_tables_and_passes_the_chart_data(client, desk):
    client.force_login(manager())
    response = client.get("/reports/", WEEK)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="report-charts" type="application/json"' in page
    assert "<script>" not in page and "style=" not in page and " onclick" not in page
    charts = response.context["charts"]
    assert charts["days"][0] == "2026-11-30" and len(charts["days"]) == 7
    assert charts["failure_codes"] == ["131047", "130429"]
    assert "Sales" in page and "Alice Agent" in page and "33.3%" in page  # containment


def test_the_page_defaults_to_this_week(client, berlin):
    client.force_login(manager())
    response = client.get("/reports/")
    assert response.status_code == 200
    period = response.context["report"].period
    assert period.first_day.weekday() == 0 and (period.last_day - period.first_day).days == 6


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-12-06", "to": "2026-11-30"}, "The last day comes before the first day."),
        ({"from": "2024-01-01", "to": "2026-12-06"}, "A report covers at most 366 days"),
        ({"from": "yesterday", "to": "2026-12-06"}, "Enter a valid date."),
        ({"from": "2026-11-30"}, "Give both days of the range, or neither for this week."),
    ],
)
def test_a_bad_range_is_refused_in_words(client, berlin, query, message):
    client.force_login(manager())
    response = client.get("/reports/", query)
    assert response.status_code == 400
    assert message in response.content.decode()
    export = client.get("/reports/queues.csv", query)
    assert export.status_code == 400 and message in export.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_csv_export_holds_the_table_and_leaves_an_audit_entry(client, desk):
    person = manager()
    client.force_login(person)
    response = client.get("/reports/queues.csv", WEEK, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="whatsdesk-queues-2026-11-30-2026-12-06.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, *body = rows
    assert header[:3] == ["Queue", "Conversations", "New"]
    sales = dict(zip(header, next(row for row in body if row[0] == "Sales"), strict=True))
    assert sales["Conversations"] == "4"
    assert sales["First agent reply (seconds)"] == "270.0"
    assert sales["Average time in queue (seconds)"] == "180.0"
    assert sales["Abandonment rate (fraction)"] == "0.0"
    assert body[-1][0] == "All" and body[-1][1] == "8"

    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.user == person and str(entry.address) == "203.0.113.9"
    assert entry.object_label == "Report: Per queue, 2026-11-30 to 2026-12-06"
    assert entry.changes == {
        "report": "queues", "from": "2026-11-30", "to": "2026-12-06", "time_zone": "Europe/Berlin", "rows": 4
    }  # fmt: skip


def test_the_failures_export_lists_each_error_code(client, desk):
    client.force_login(manager())
    rows = list(csv.reader(io.StringIO(client.get("/reports/failures.csv", WEEK).content.decode())))
    assert rows == [
        ["Error code", "Error", "Failed messages"],
        ["131047", "Re-engagement message", "2"],
        ["130429", "Rate limit hit", "1"],
    ]


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client, desk):
    desk.sales.name = '=HYPERLINK("http://evil.example/","click")'
    desk.sales.save()
    client.force_login(manager())
    rows = list(csv.reader(io.StringIO(client.get("/reports/queues.csv", WEEK).content.decode())))
    assert [row[0] for row in rows[1:]] == [
        "'=HYPERLINK(\"http://evil.example/\",\"click\")", "No queue (never routed to a person)", "Support", "All"
    ]  # fmt: skip


def test_an_unknown_table_is_not_found(client, berlin):
    client.force_login(manager())
    assert client.get("/reports/secrets.csv", WEEK).status_code == 404


def test_agents_are_refused_and_anonymous_visitors_sent_to_sign_in(client, berlin):
    client.force_login(agent())
    assert client.get("/reports/", WEEK).status_code == 403
    assert client.get("/reports/queues.csv", WEEK).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    client.logout()
    response = client.get("/reports/", WEEK)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_admins_see_the_reports(client, berlin):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role="admin"))
    assert client.get("/reports/", WEEK).status_code == 200


def test_an_agent_is_told_in_words_why_the_reports_are_closed_to_them(client):
    client.force_login(agent())

    page = client.get("/reports/")

    assert page.status_code == 403
    assert "Reports are for managers and admins." in page.content.decode()
    assert 'href="/workspace/"' in page.content.decode()
