"""Meta's example payloads from tests/fixtures/meta, as documents and as the raw bytes Meta signs."""

import json
from pathlib import Path

META_FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "meta"


def meta_payload(name: str) -> dict:
    return json.loads(meta_body(name))


def meta_body(name: str) -> bytes:
    return (META_FIXTURES / f"{name}.json").read_bytes()


def all_meta_payload_names() -> list[str]:
    return sorted(path.stem for path in META_FIXTURES.glob("*.json"))
