"""The end of the run: wait until everything sent has had its chance, then count what was lost, doubled or regressed.

The emulator's webhook log is the list of everything Meta (the emulator) sent; the database is the record.
"""

import time
from collections import Counter
from dataclasses import dataclass

import psycopg
import requests

from bench.faults.load import INBOUND_PREFIX, REPLY_PREFIX, Inbound, Readers, Replies
from bench.faults.watchers import STATUS_RANK, Watchers


@dataclass
class Verdict:
    lost: int
    dup_inbound: int
    dup_outbound: int
    status_regressions: int
    ws_divergent_clients: int
    details: dict

    def line(self) -> str:
        return (
            f"lost={self.lost} dup_inbound={self.dup_inbound} dup_outbound={self.dup_outbound} "
            f"status_regressions={self.status_regressions} ws_divergent_clients={self.ws_divergent_clients}"
        )

    @property
    def clean(self) -> bool:
        return not (
            self.lost or self.dup_inbound or self.dup_outbound or self.status_regressions or self.ws_divergent_clients
        )


def _rows(database_url: str, sql: str) -> list[tuple]:
    with psycopg.connect(database_url) as connection:
        return list(connection.execute(sql))


def _webhook_log(emulator_url: str) -> list[dict]:
    return requests.get(f"{emulator_url}/_emulator/webhooks", timeout=300).json()["attempts"]


def _outstanding(database_url: str, expected_inbound: int) -> dict[str, int]:
    (unprocessed, inbound, unread_outbound), *_ = _rows(
        database_url,
        "SELECT (SELECT count(*) FROM channels_whatsapp_webhookdelivery WHERE processed_at IS NULL), "
        f"(SELECT count(DISTINCT text) FROM interactions_message WHERE direction = 'inbound' "
        f"AND text LIKE '{INBOUND_PREFIX}%'), "
        "(SELECT count(*) FROM interactions_message WHERE direction = 'outbound' AND status NOT IN ('read', 'failed'))",
    )
    return {
        "unprocessed deliveries": unprocessed,
        "inbound not recorded": expected_inbound - inbound,
        "replies not read yet": unread_outbound,
    }


def _emulator_pending(log: list[dict]) -> int:
    """Webhooks the emulator is still retrying: no 200 yet and not given up."""
    outcome: dict[int, dict] = {}
    for attempt in log:
        outcome[attempt["delivery_id"]] = attempt
    return sum(1 for a in outcome.values() if a["outcome"] != "delivered" and not a["final"])


def wait_until_drained(
    *, database_url: str, emulator_url: str, inbound: Inbound, readers: Readers, customers: int, timeout: float
) -> float:
    """Seconds it took until nothing is outstanding (or the timeout): processed, recorded, read, not being retried."""
    started = time.monotonic()
    last_report = last_read = 0.0
    while time.monotonic() - started < timeout:
        if time.monotonic() - last_read > 15:
            readers.read_everything(customers)
            last_read = time.monotonic()
        try:
            outstanding = _outstanding(database_url, len(inbound.wamids))
        except psycopg.Error as problem:
            outstanding = {"database": str(problem)}
        if not any(outstanding.values()):
            time.sleep(5)  # the statuses a reordered message sends after its `read`, and later duplicates
            pending = _emulator_pending(_webhook_log(emulator_url))
            if not pending and not any(_outstanding(database_url, len(inbound.wamids)).values()):
                return time.monotonic() - started
            outstanding = {"emulator still retrying": pending}
        if time.monotonic() - last_report > 15:
            print(f"draining: {outstanding}", flush=True)
            last_report = time.monotonic()
        time.sleep(3)
    return time.monotonic() - started


def verdict(
    *, database_url: str, emulator_url: str, inbound: Inbound, replies: Replies, watchers: Watchers, outage_window
) -> Verdict:
    log = _webhook_log(emulator_url)
    sent = requests.get(f"{emulator_url}/_emulator/sent", timeout=300).json()["messages"]
    inbound_rows = _rows(
        database_url, "SELECT id, external_id, text FROM interactions_message WHERE direction = 'inbound'"
    )
    outbound_rows = _rows(
        database_url, "SELECT id, text, status FROM interactions_message WHERE direction = 'outbound'"
    )
    recorded_statuses = set(_rows(database_url, "SELECT external_id, status FROM interactions_deliverystatusevent"))
    best_recorded = _rows(
        database_url,
        "SELECT m.id, m.status, array_agg(e.status) FROM interactions_message m "
        "JOIN interactions_deliverystatusevent e ON e.external_id = m.external_id GROUP BY m.id, m.status",
    )
    database_ids = {row[0] for row in _rows(database_url, "SELECT id FROM interactions_message")}

    # Lost: sent by a customer, a status Meta reported, or a reply the API took, and no record of it.
    recorded_wamids = {row[1] for row in inbound_rows}
    lost_inbound = [wamid for wamid in inbound.wamids.values() if wamid not in recorded_wamids]
    reported = {(a["wamids"][0], a["message_status"]) for a in log if a["kind"] == "status" and a["wamids"]}
    lost_statuses = sorted(reported - recorded_statuses)
    outbound_ids = {row[0] for row in outbound_rows}
    lost_replies = [number for number, message_id in replies.accepted.items() if message_id not in outbound_ids]
    accepted_by_meta = Counter(m.get("biz_opaque_callback_data") for m in sent)
    never_sent = [
        (message_id, text, status)
        for message_id, text, status in outbound_rows
        if accepted_by_meta[f"outbox-{message_id}"] == 0 and status != "failed"
    ]
    failed = [(message_id, text) for message_id, text, status in outbound_rows if status == "failed"]

    # Doubled: one customer message recorded twice; one reply recorded twice or accepted by Meta twice.
    inbound_texts = Counter(text for _, _, text in inbound_rows if text.startswith(INBOUND_PREFIX))
    dup_inbound = sum(count - 1 for count in inbound_texts.values() if count > 1)
    reply_texts = Counter(text for _, text, _ in outbound_rows if text.startswith(REPLY_PREFIX))
    dup_replies = sum(count - 1 for count in reply_texts.values() if count > 1)
    dup_sends = sum(count - 1 for key, count in accepted_by_meta.items() if key and count > 1)
    sent_twice = sorted(key for key, count in accepted_by_meta.items() if key and count > 1)

    # What the agents saw.
    regressions = sorted({line for client in watchers.clients for line in client.regressions})
    divergent = {
        client.name: {
            "missing": len(database_ids - client.message_ids()),
            "extra": len(client.message_ids() - database_ids),
        }
        for client in watchers.clients
        if client.message_ids() != database_ids
    }
    behind = [
        (message_id, status)
        for message_id, status, events in best_recorded
        if STATUS_RANK.get(status, -1) < max(STATUS_RANK.get(e, -1) for e in events)
    ]

    # The webhook during the PostgreSQL outage, as Meta saw it.
    ok_during_outage = 0
    if outage_window:
        stopped, started = outage_window
        ok_during_outage = sum(
            1
            for a in log
            if a["status_code"] == 200 and stopped <= a["at"] and a["at"] + a["duration_ms"] / 1000 < started
        )  # answered while PostgreSQL was down (a request may wait for the pool and be stored once it is back)
    answers = Counter(str(a["status_code"] or a["outcome"]) for a in log)
    gave_up = sum(1 for a in log if a["final"] and a["outcome"] != "delivered")
    details = {
        "inbound_messages_sent": len(inbound.wamids),
        "inbound_refused_by_emulator": len(inbound.refused),
        "status_webhooks_reported": len(reported),
        "webhook_events": len(inbound.wamids) + len(reported),
        "webhook_attempts": len(log),
        "duplicate_deliveries_sent": sum(1 for a in log if a["duplicate"] and a["attempt"] == 1),
        "webhook_answers": dict(answers),
        "emulator_gave_up": gave_up,
        "replies_accepted": len(replies.accepted),
        "replies_unanswered": len(replies.unanswered),
        "replies_refused": replies.refused[:5],
        "replies_retried_after_5xx": replies.retried_5xx,
        "lost_inbound": lost_inbound[:20],
        "lost_inbound_count": len(lost_inbound),
        "lost_statuses": lost_statuses[:20],
        "lost_statuses_count": len(lost_statuses),
        "lost_replies": lost_replies[:20],
        "replies_never_sent": never_sent[:20],
        "replies_never_sent_count": len(never_sent),
        "outbound_failed": failed[:20],
        "dup_replies_recorded": dup_replies,
        "dup_sends_accepted": dup_sends,
        "sent_twice": [
            {
                "correlation": key,
                "accepted_at": sorted(m["created_at"] for m in sent if m.get("biz_opaque_callback_data") == key),
            }
            for key in sent_twice[:20]
        ],
        "status_behind_recorded": behind[:20],
        "status_behind_recorded_count": len(behind),
        "regressions": regressions[:20],
        "divergent_clients": divergent,
        "watchers": [
            {
                "name": c.name,
                "connects": c.connects,
                "frames": c.frames,
                "catch_ups": c.catch_ups,
                "failed_fetches": c.failed_fetches,
                "messages": len(c.message_ids()),
            }
            for c in watchers.clients
        ],
        "database_messages": len(database_ids),
        "webhook_200_during_postgres_outage": ok_during_outage,
    }
    return Verdict(
        lost=len(lost_inbound) + len(lost_statuses) + len(lost_replies) + len(never_sent),
        dup_inbound=dup_inbound,
        dup_outbound=dup_replies + dup_sends,
        status_regressions=len({line.split(":")[0] for line in regressions}),
        ws_divergent_clients=len(divergent),
        details=details,
    )
