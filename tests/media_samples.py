"""Real media files (made in Chromium: a JPEG, PNG, WebP sticker, MP4 video, M4A voice note; a hand-written PDF)."""

from pathlib import Path

MEDIA_DIR = Path(__file__).resolve().parent / "fixtures" / "media"


def sample(name: str) -> bytes:
    return (MEDIA_DIR / name).read_bytes()


# kind, file, MIME type, what the phone or agent sends with it
SAMPLES = {
    "image": ("photo.jpg", "image/jpeg"),
    "video": ("video.mp4", "video/mp4"),
    "audio": ("voice.m4a", "audio/mp4"),
    "document": ("invoice.pdf", "application/pdf"),
    "sticker": ("sticker.webp", "image/webp"),
}
