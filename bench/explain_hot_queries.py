"""The plans PostgreSQL chooses for the desk's hot queries, on 100k interactions.

Creates a scratch database next to the one DATABASE_URL names (it is never touched), migrates it, fills it in
seconds with INSERT … SELECT generate_series (bench/hot_queries.py), runs ANALYZE, and prints each hot query's
SQL and plan, flagging any sequential scan of our tables. The scratch database is dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/whatsdesk .venv/bin/python bench/explain_hot_queries.py
    .venv/bin/python bench/explain_hot_queries.py --interactions 1000000 --keep
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def scratch_url(database_url: str, name: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--messages-per-interaction", type=int, default=4)
    parser.add_argument("--database", default="whatsdesk_explain", help="Name of the scratch database")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database for your own EXPLAINs")
    arguments = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://user@host:port/any_database).")
    admin_url = scratch_url(database_url, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{arguments.database}"')
        admin.execute(f'CREATE DATABASE "{arguments.database}"')

    os.environ["DATABASE_URL"] = scratch_url(database_url, arguments.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from bench.hot_queries import explained, fill_and_vacuum, hot_queries

    try:
        call_command("migrate", verbosity=0)
        started = time.monotonic()
        sample = fill_and_vacuum(
            interactions=arguments.interactions, messages_per_interaction=arguments.messages_per_interaction
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM interactions_message")
            message_count = cursor.fetchone()[0]
        print(
            f"Filled {arguments.interactions:,} interactions and {message_count:,} messages "
            f"in {time.monotonic() - started:.1f} s.\n"
        )
        sequential = 0
        for name, run in hot_queries(sample).items():
            print(f"== {name}")
            for sql, plan in explained(run):
                print(f"{sql}\n{plan}\n")
                sequential += "Seq Scan on interactions_" in plan
        print(
            f"{sequential} plan(s) read one of our tables sequentially." if sequential else "Every plan uses an index."
        )
    finally:
        connection.close()
        connection.close_pool()  # its idle connections would keep the scratch database from being dropped
        if not arguments.keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{arguments.database}"')


if __name__ == "__main__":
    main()
