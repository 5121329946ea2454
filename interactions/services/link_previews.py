"""Link previews: the title, description and image of a page a message links to, fetched once per address.

The page and its image are fetched by a task through the SSRF-safe fetcher; the image is kept in our storage and
shown through our own view, so the agent's browser never loads an address a customer chose.
"""

import logging
from html.parser import HTMLParser

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from interactions.audience import groups_for_interactions
from interactions.hints import only_a_hint
from interactions.links import first_link, url_hash
from interactions.live import link_preview_changed, publish_on_commit
from interactions.media_policies import sniff_media_type
from interactions.models import LinkPreview, LinkPreviewState, Message
from interactions.properties import LINK_PREVIEWS
from interactions.safe_fetch import FetchRefused, fetch_public_resource
from interactions.task_queue import enqueue_task
from properties.accessor import current

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES = 512 * 1024  # the <head> is near the top; a cut-off page still has it
MAX_IMAGE_BYTES = 2 * 1024 * 1024
PREVIEW_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# Who waits for a pending preview's push: the interactions whose messages asked for it, for about as long as a
# fetch can take (a push lost past that is made up by the workspace asking again when it next draws the message).
ASKERS_KEPT_SECONDS = 600
MAX_ASKERS = 50


def _enqueue_fetch(preview_id: int) -> None:
    from interactions.tasks import fetch_link_preview

    enqueue_task(fetch_link_preview, preview_id=preview_id)


def link_previews_on() -> bool:
    """The `interactions.link_previews` property: off, no page is fetched and no card is shown."""
    return current(LINK_PREVIEWS)


def link_preview_for_message(*, message: Message) -> LinkPreview | None:
    """The preview of the message's first link: the cached one, or a new one being fetched; None without a link
    or with previews switched off."""
    url = first_link(message.text)
    if url is None or not link_previews_on():
        return None
    with transaction.atomic():
        preview, created = LinkPreview.objects.get_or_create(url_hash=url_hash(url), defaults={"url": url})
        if created:
            transaction.on_commit(lambda: _enqueue_fetch(preview.pk))
    if preview.state == LinkPreviewState.PENDING:
        _remember_asker(preview_id=preview.pk, interaction_id=message.interaction_id)
    return preview


def _askers_key(preview_id: int) -> str:
    return f"link-preview-askers:{preview_id}"


def _remember_asker(*, preview_id: int, interaction_id: int) -> None:
    """A preview belongs to an address, not to a conversation: its push goes only to the audiences of the
    interactions that asked for it, so nobody learns what a customer of someone else's linked to."""
    with only_a_hint(f"remembering who waits for link preview {preview_id}"):
        askers = cache.get(_askers_key(preview_id)) or []
        if interaction_id not in askers:
            cache.set(_askers_key(preview_id), [*askers, interaction_id][-MAX_ASKERS:], ASKERS_KEPT_SECONDS)


def _askers_audience(preview_id: int) -> set[str]:
    askers: list[int] = []
    with only_a_hint(f"reading who waits for link preview {preview_id}"):
        askers = cache.get(_askers_key(preview_id)) or []
        cache.delete(_askers_key(preview_id))
    return set().union(*groups_for_interactions(askers).values())


def fetch_and_store_link_preview(*, preview_id: int) -> None:
    """Safe to run twice: only a pending preview is fetched, and the first result is the one kept."""
    preview = LinkPreview.objects.filter(pk=preview_id, state=LinkPreviewState.PENDING).first()
    if preview is None:
        return
    fields: dict = {}
    try:
        page = fetch_public_resource(
            preview.url, accept=("text/html", "application/xhtml+xml"), max_bytes=MAX_PAGE_BYTES, allow_truncated=True
        )
    except FetchRefused as refusal:
        logger.info("no preview for %s: %s", preview.url, refusal.reason)
        _finish(preview_id, state=LinkPreviewState.FAILED, failure_reason=refusal.reason[:500])
        return
    except Exception as problem:
        # Whatever a customer typed as a link (`http://[abc/x`), the preview ends; it never stays pending.
        logger.info("no preview for %s: %r", preview.url, problem)
        _finish(
            preview_id, state=LinkPreviewState.FAILED, failure_reason=f"The address cannot be fetched: {problem}"[:500]
        )
        return
    found = _PageMetadata.read(page.body.decode("utf-8", errors="replace"))
    fields = {
        "title": found.first("og:title", "twitter:title", "<title>")[:300],
        "description": found.first("og:description", "twitter:description", "description")[:1000],
        "site_name": found.first("og:site_name")[:200],
    }
    image_url = found.first("og:image", "og:image:url", "twitter:image")
    image = _fetch_image(image_url, base=page.url) if image_url else None
    if not fields["title"] and not fields["description"] and image is None:
        _finish(preview_id, state=LinkPreviewState.FAILED, failure_reason="the page has no title or description")
        return
    _finish(preview_id, state=LinkPreviewState.READY, image=image, **fields)


def _fetch_image(image_url: str, *, base: str) -> tuple[ContentFile, str] | None:
    from urllib.parse import urljoin

    try:
        fetched = fetch_public_resource(
            urljoin(base, image_url), accept=("image/",), max_bytes=MAX_IMAGE_BYTES, allow_truncated=False
        )
    except FetchRefused as refusal:
        logger.info("no preview image %s: %s", image_url, refusal.reason)
        return None
    mime_type = sniff_media_type(fetched.body[:64])
    if mime_type not in PREVIEW_IMAGE_TYPES:
        return None  # whatever it says it is, it is not an image a browser shows safely
    return ContentFile(fetched.body, name="preview." + mime_type.split("/")[1]), mime_type


@transaction.atomic
def _finish(preview_id: int, *, state: str, image: tuple[ContentFile, str] | None = None, **fields) -> None:
    preview = LinkPreview.objects.select_for_update().get(pk=preview_id)
    if preview.state != LinkPreviewState.PENDING:
        return
    preview.state = state
    preview.fetched_at = timezone.now()
    for name, value in fields.items():
        setattr(preview, name, value)
    if image is not None:
        content, preview.image_mime_type = image
        preview.image.save(content.name, content, save=False)
    preview.save()
    publish_on_commit(groups=_askers_audience(preview_id), event=link_preview_changed(preview))


class _PageMetadata(HTMLParser):
    """`<meta property|name=… content=…>` and `<title>`: all a preview needs, read without running anything."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._in_title = False
        self._title: list[str] = []

    @classmethod
    def read(cls, html: str) -> "_PageMetadata":
        parser = cls()
        try:
            parser.feed(html)
            parser.close()
        except Exception:  # a broken page still gives what was read before it broke
            logger.debug("page markup did not parse to the end", exc_info=True)
        parser.values.setdefault("<title>", " ".join("".join(parser._title).split()))
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            attributes = {name.lower(): (value or "") for name, value in attrs}
            key = (attributes.get("property") or attributes.get("name") or "").lower()
            content = " ".join(attributes.get("content", "").split())
            if key and content:
                self.values.setdefault(key, content)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)

    def first(self, *keys: str) -> str:
        return next((self.values[key] for key in keys if self.values.get(key)), "")
