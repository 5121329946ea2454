"""The app secrets the webhook checks signatures with, read from the database at most every few seconds."""

import time
from collections.abc import Mapping

from django.conf import settings

from channels_whatsapp.connection import readable_secrets
from channels_whatsapp.signature import NoSecretMatches, signing_accounts


class SigningSecrets:
    """Each active business number's app secret, cached in the process: the webhook would otherwise read them for
    every delivery. A signature that matches none of them is checked again against a fresh read, so a number added
    a moment ago works at once; a number deactivated (or a secret rotated) takes up to the cache's age."""

    def __init__(self) -> None:
        self._read: tuple[float, Mapping[str, str]] = (float("-inf"), {})  # (when, secrets): replaced as one

    def _reload(self) -> Mapping[str, str]:
        started = time.monotonic()
        secrets = readable_secrets("app_secret")
        self._read = (started, secrets)
        return secrets

    def cached_signers(self, *, body: bytes, header_value: str | None) -> frozenset[str] | None:
        """Without the database: who signed, by the cached secrets, or None if a fresh read could change the answer.

        Raises SignatureRefused for a header no read could make right.
        """
        read_at, secrets = self._read
        if time.monotonic() - read_at >= settings.WHATSAPP_SIGNING_SECRETS_CACHE_SECONDS:
            return None
        try:
            return signing_accounts(body=body, header_value=header_value, app_secrets=secrets)
        except NoSecretMatches:
            return None

    def signers(self, *, body: bytes, header_value: str | None, arrived: float | None = None) -> frozenset[str]:
        """Who signed, reading the database when the cache is stale, or when no secret matches and the cache was
        read before the delivery `arrived` (time.monotonic()); raises SignatureRefused, saying why."""
        arrived = time.monotonic() if arrived is None else arrived
        read_at, secrets = self._read
        if time.monotonic() - read_at >= settings.WHATSAPP_SIGNING_SECRETS_CACHE_SECONDS:
            read_at, secrets = arrived, self._reload()
        try:
            return signing_accounts(body=body, header_value=header_value, app_secrets=secrets)
        except NoSecretMatches:
            if read_at >= arrived:
                raise
            return signing_accounts(body=body, header_value=header_value, app_secrets=self._reload())


signing_secrets = SigningSecrets()
