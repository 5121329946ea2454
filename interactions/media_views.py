"""Files of media messages and link preview images: streamed to signed-in people who may see them, never public.

The stored type was checked against the file's bytes; only types a browser shows safely are served inline, the
rest as downloads, and `nosniff` plus a sandboxing CSP keep a hostile file from running as a page of ours.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from interactions.media_policies import served_type
from interactions.selectors import attachment_visible_to, link_preview_visible_to


def _stream(file_field, *, mime_type: str, filename: str, force_download: bool) -> FileResponse:
    content_type, inline = served_type(mime_type)
    response = FileResponse(
        file_field.open("rb"),
        content_type=content_type,
        as_attachment=force_download or not inline,
        filename=filename or file_field.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
@login_required
def message_media(request: HttpRequest, message_id: int) -> FileResponse:
    attachment = attachment_visible_to(request.user, message_id=message_id)
    if attachment is None:
        raise Http404("No such file, or not yours to see.")
    return _stream(
        attachment.file,
        mime_type=attachment.mime_type,
        filename=attachment.filename,
        force_download=request.GET.get("download") == "1",
    )


@require_GET
@login_required
def link_preview_image(request: HttpRequest, preview_id: int) -> FileResponse:
    preview = link_preview_visible_to(request.user, preview_id=preview_id)
    if preview is None:
        raise Http404("No such preview image.")
    return _stream(preview.image, mime_type=preview.image_mime_type, filename="", force_download=False)
