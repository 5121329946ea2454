"""Where a process's time went, from py-spy's collapsed stacks (`py-spy record --format raw`, as
`bench/processing.py --profile DIR` writes them): the share of samples that pass through each named part.

    .venv/bin/python bench/profile_summary.py var/profiles/processing-c2.txt
"""

import argparse
import re
from collections import Counter
from pathlib import Path

# Each sample goes to the first part one of its frames belongs to (py-spy samples busy threads only, so a push's
# send, run on asgiref's event loop thread, is counted there and not in the frames that wait for it).
PARTS = {
    "live pushes: sending (asgiref, asyncio, channels-redis)": r"asgiref/|asyncio/|channels_redis/|redis/",
    "live pushes: serializing (interactions/live.py, DRF, its queries)": r"interactions/live\.py",
    "inbound messages, pushes apart": r"record_inbound_message",
    "statuses, pushes apart": r"record_delivery_status",
    "claiming, parsing and marking deliveries": r"process_webhook_deliver",
    "Celery, kombu, billiard (taking and acknowledging tasks)": r"celery/|kombu/|billiard/",
    "other": r"",
}
SQL = r"execute_sql|psycopg/"  # reported across the parts


def summary(path: Path) -> list[tuple[str, float]]:
    """(part, share of the busy samples in %), and last the share spent in SQL whatever the part."""
    samples: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        weight = int(count)
        total += weight
        samples[next(name for name, pattern in PARTS.items() if re.search(pattern, stack))] += weight
        if re.search(SQL, stack):
            samples["of all: in SQL (Django's execute_sql, psycopg)"] += weight
    names = [*PARTS, "of all: in SQL (Django's execute_sql, psycopg)"]
    return [(name, 100 * samples[name] / total if total else 0.0) for name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profiles", type=Path, nargs="+")
    for path in parser.parse_args().profiles:
        print(path)
        for name, share in summary(path):
            print(f"  {share:5.1f} %  {name}")


if __name__ == "__main__":
    main()
