"""Every page carries the strict Content-Security-Policy, and no template of ours has what it would refuse: an inline
script, an inline event handler or a style attribute (README, "Security"). The browser tests then check the pages
as Chromium applies the policy (conftest.py fails any of them on a refusal)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from channels_whatsapp.emulator.server import PHONE_PAGE_POLICY

BASE_DIR = Path(__file__).resolve().parents[2]
# Files people download and open from their disk, never pages served under the policy: a standalone transcript
# carries its own <style>, as it must work with nothing else beside it.
DOWNLOADED_DOCUMENTS = {BASE_DIR / "templates/admin/interactions/interaction/transcript_document.html"}
OUR_MARKUP = [
    path
    for pattern in ("templates/**/*.html", "*/templates/**/*.html", "channels_whatsapp/emulator/*.html")
    for path in BASE_DIR.glob(pattern)
    if ".venv" not in path.parts and path not in DOWNLOADED_DOCUMENTS
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=|<style[\s>]", re.IGNORECASE)


def test_there_is_markup_to_check():
    assert len(OUR_MARKUP) > 10


@pytest.mark.parametrize("path", OUR_MARKUP, ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_our_templates_have_nothing_the_policy_refuses(path):
    markup = path.read_text()

    assert not INLINE_SCRIPT.search(markup), "an inline <script>: move it to static/, pass data with json_script"
    assert not INLINE_HANDLER.search(markup), "an inline event handler: add the listener from a static script"
    assert not STYLE_ATTRIBUTE.search(markup), "a style attribute or <style>: use a class in a static stylesheet"


def strict(policy: str) -> dict[str, list[str]]:
    directives = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/help/", "/api/docs/", "/admin/login/", "/workspace/"])
def test_every_page_carries_the_policy(path):
    answer = Client().get(path, follow=True)

    policy = strict(answer["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "ws://testserver" in policy["connect-src"]  # the workspace's live updates


@pytest.mark.django_db
def test_over_https_the_policy_allows_the_secure_websocket_of_the_same_host():
    answer = Client().get("/login/", secure=True, headers={"host": "localhost"})

    assert "wss://localhost" in strict(answer["Content-Security-Policy"])["connect-src"]


def test_the_emulators_phone_page_has_the_same_strictness():
    policy = strict(PHONE_PAGE_POLICY)

    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
