"""A small desk with known answers, in the week of Monday 30 November 2026 in Europe/Berlin (UTC+1): every figure
the report shows is worked out by hand in the comments, from real rows the desk's own code paths would write.

Conversations (T = Tuesday 1 December, 10:00 Berlin):
  A  sales, Alice, closed complete: queued T, accepted T+2m, Alice replies T+3m, closed T+33m
  B  sales, Bob, in progress: virtual agent answers +10s, a waiting notice +2m (not a reply), queued +1m,
     accepted by Bob +5m, Bob replies +6m
  C  support, nobody, closed abandoned: queued, cancelled +10m without an agent (abandoned), closed +10m
  D  support, Alice, closed complete (Wednesday): queued in sales, transferred to support at +1m (the sales item
     cancelled, not abandoned), accepted by Alice +3m, she replies +4m, closed +20m
  E  no queue, closed complete (Thursday): the virtual agent answers +5s and closes it +2m: contained
  F  no queue, new (Friday): the virtual agent answers +8s; still open, so not contained
  H  sales, new: opened Sunday 6 December 23:59 Berlin, the period's last minute
  I  sales, new: opened Monday 30 November 00:00 Berlin, its first instant
Outside the Berlin week: one opened Sunday 29 November 23:30 Berlin, and one Monday 7 December 00:00 Berlin, with a
failed message a minute later (the UTC week, which ends an hour later, takes this one).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from consent.models import ConsentMethod, ConsentRecord, ConsentStatus
from interactions.models import Direction, Interaction, InteractionState, Message, MessageStatus
from routing.models import Queue, WorkItem, WorkItemState
from tests.factories import InteractionFactory, MessageFactory, agent
from virtual_agent.front_door import VIRTUAL_AGENT

BERLIN = ZoneInfo("Europe/Berlin")
T = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
M, S = timedelta(minutes=1), timedelta(seconds=1)


@dataclass
class Desk:
    alice: object
    bob: object
    sales: Queue
    support: Queue
    conversations: dict[str, Interaction]


def _conversation(name: str, *, opened_at: datetime, queue: str = "", state=InteractionState.NEW, **fields):
    return InteractionFactory(
        opened_at=opened_at, queue=queue, state=state, channel_user__display_name=f"Customer {name}", **fields
    )


def _inbound(interaction: Interaction, at: datetime) -> Message:
    return MessageFactory(interaction=interaction, sent_at=at)


def _reply(interaction: Interaction, at: datetime, *, by=None, automated: str = "", **fields) -> Message:
    return MessageFactory(
        interaction=interaction,
        direction=Direction.OUTBOUND,
        status=fields.pop("status", MessageStatus.DELIVERED),
        external_id=None,
        author=by,
        content={"automated": automated} if automated else {},
        sent_at=at,
        **fields,
    )


def _item(interaction, queue, *, queued_at, accepted_by=None, accepted_at=None, ended_at=None, state=None):
    return WorkItem.objects.create(
        interaction=interaction,
        queue=queue,
        priority=queue.priority,
        queued_at=queued_at,
        waiting_since=queued_at,
        accepted_by=accepted_by,
        accepted_at=accepted_at,
        ended_at=ended_at or accepted_at,
        state=state or (WorkItemState.ACCEPTED if accepted_at else WorkItemState.CANCELLED),
    )


def _failed(interaction, at, *, code: str, title: str, by=None, automated: str = "") -> Message:
    return _reply(
        interaction, at, by=by, automated=automated, status=MessageStatus.FAILED, status_at=at, error_code=code,
        error_title=title,
    )  # fmt: skip


def build_desk() -> Desk:
    alice, bob = agent(first_name="Alice", last_name="Agent"), agent(first_name="Bob", last_name="Agent")
    sales = Queue.objects.create(key="sales", name="Sales")
    support = Queue.objects.create(key="support", name="Support")
    done, gone = InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED

    a = _conversation("A", opened_at=T, queue="sales", state=done, assigned_to=alice, closed_at=T + 33 * M)
    _inbound(a, T)
    _item(a, sales, queued_at=T, accepted_by=alice, accepted_at=T + 2 * M)
    _reply(a, T + 3 * M, by=alice)
    _failed(a, T + 4 * M, code="131047", title="Re-engagement message", by=alice)

    b0 = T + 60 * M
    b = _conversation("B", opened_at=b0, queue="sales", state=InteractionState.WORK_IN_PROGRESS, assigned_to=bob)
    _inbound(b, b0)
    _reply(b, b0 + 10 * S, automated=VIRTUAL_AGENT)
    _item(b, sales, queued_at=b0 + M, accepted_by=bob, accepted_at=b0 + 5 * M)
    _reply(b, b0 + 2 * M, automated="waiting_message")
    _reply(b, b0 + 6 * M, by=bob)
    _failed(b, T + 1440 * M, code="131047", title="Re-engagement message", automated="waiting_message")

    c0 = T + 120 * M
    c = _conversation("C", opened_at=c0, queue="support", state=gone, closed_at=c0 + 10 * M)
    c_message = _inbound(c, c0)
    _item(c, support, queued_at=c0, ended_at=c0 + 10 * M)

    d0 = T + 1440 * M  # Wednesday
    d = _conversation("D", opened_at=d0, queue="support", state=done, assigned_to=alice, closed_at=d0 + 20 * M)
    _inbound(d, d0)
    _item(d, sales, queued_at=d0, ended_at=d0 + M)
    _item(d, support, queued_at=d0 + M, accepted_by=alice, accepted_at=d0 + 3 * M)
    _reply(d, d0 + 4 * M, by=alice)
    _failed(d, T + 2 * 1440 * M, code="130429", title="Rate limit hit", by=alice)

    e0 = T + 2 * 1440 * M  # Thursday
    e = _conversation("E", opened_at=e0, state=done, closed_at=e0 + 2 * M)
    _inbound(e, e0)
    _reply(e, e0 + 5 * S, automated=VIRTUAL_AGENT)

    f0 = T + 3 * 1440 * M  # Friday
    f = _conversation("F", opened_at=f0)
    _inbound(f, f0)
    _reply(f, f0 + 8 * S, automated=VIRTUAL_AGENT)

    h = _conversation("H", opened_at=datetime(2026, 12, 6, 23, 59, tzinfo=BERLIN), queue="sales")
    _inbound(h, h.opened_at)
    i = _conversation("I", opened_at=datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN), queue="sales")
    _inbound(i, i.opened_at)

    before = _conversation("before", opened_at=datetime(2026, 11, 29, 23, 30, tzinfo=BERLIN), queue="sales")
    _inbound(before, before.opened_at)
    _reply(before, before.opened_at + M, by=bob)
    after = _conversation("after", opened_at=datetime(2026, 12, 7, 0, 0, tzinfo=BERLIN), queue="support")
    _inbound(after, after.opened_at)
    _failed(after, after.opened_at + M, code="131026", title="Message undeliverable", by=bob)

    a_keyword = Message.objects.filter(interaction=a, direction=Direction.INBOUND).get()
    _consent(a.channel_user, ConsentStatus.OPTED_IN, ConsentMethod.KEYWORD, T + 5 * M, message=a_keyword)
    _consent(d.channel_user, ConsentStatus.OPTED_OUT, ConsentMethod.VERBAL, d0 + 5 * M, recorded_by=alice)
    _consent(c.channel_user, ConsentStatus.OPTED_OUT, ConsentMethod.KEYWORD, e0, message=c_message)
    _consent(after.channel_user, ConsentStatus.OPTED_OUT, ConsentMethod.KEYWORD, after.opened_at)
    return Desk(
        alice=alice,
        bob=bob,
        sales=sales,
        support=support,
        conversations={"A": a, "B": b, "C": c, "D": d, "E": e, "F": f, "H": h, "I": i},
    )


def _consent(channel_user, status, method, at, *, message=None, recorded_by=None) -> ConsentRecord:
    return ConsentRecord.objects.create(
        channel_user=channel_user, status=status, method=method, recorded_at=at, message=message,
        recorded_by=recorded_by, note="By hand" if recorded_by else "",
    )  # fmt: skip
