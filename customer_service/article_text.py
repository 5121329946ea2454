"""An article's Markdown as safe HTML for its page and as plain text for a chat message or a snippet.

Raw HTML in the Markdown is escaped, never passed through, and markdown-it refuses javascript:, vbscript: and
data: links: an admin's paste cannot run script on the public page."""

import html
import re

from django.utils.html import strip_tags
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def rendered_html(markdown: str) -> str:
    return _markdown.render(markdown or "")


def plain_text(markdown: str) -> str:
    """The words as a reader sees them, paragraphs kept apart by blank lines."""
    blocks = re.sub(r"</(p|h\d|li|pre|blockquote)>", "\n\n", rendered_html(markdown))
    text = html.unescape(strip_tags(blocks))
    paragraphs = (" ".join(paragraph.split()) for paragraph in text.split("\n\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def shortened(text: str, *, limit: int) -> str:
    """At most `limit` characters, cut at a word with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-")
    return f"{cut}…"
