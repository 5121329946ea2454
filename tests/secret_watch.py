"""No secret in any response body or log line of the whole test run (README, "Security").

For the run, the watch learns every secret as it comes into being: the settings' keys and channel secrets, every
value an encrypted field stores (business numbers' tokens, webhook signing secrets), every API token and DRF token
made, and every password set that is long enough to be told apart from markup (the factories' "password" is in
every sign-in form). It then reads each body Django's test client receives and each log record emitted, one regular
expression pass each, and lists what leaked; the root conftest.py fails the run on any. Pages that show a secret
once by design (a new API token, a new signing secret, the verify token to paste into Meta's dashboard) may show
that kind of secret, and only that kind.
"""

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

MIN_LENGTH = 10  # shorter values occur in ordinary text

# (method, path) patterns whose responses show one kind of secret on purpose, and which kinds.
SHOWN_BY_DESIGN: list[tuple[str, re.Pattern, set[str]]] = [
    ("POST", re.compile(r"^/api/v1/api-tokens/$"), {"API token"}),
    ("POST", re.compile(r"^/admin/security/apitoken/add/$"), {"API token"}),
    ("POST", re.compile(r"^/admin/integrations/subscription/"), {"Subscription.secret"}),
    (".*", re.compile(r"^/admin/channels_whatsapp/businessnumber/"), {"BusinessNumber.verify_token"}),
]
ALIASES = {"WHATSAPP_VERIFY_TOKEN": "BusinessNumber.verify_token"}  # the same secret, from the environment


@dataclass
class SecretWatch:
    secrets: dict[str, str] = field(default_factory=dict)  # value → what it is
    leaks: list[str] = field(default_factory=list)
    _pattern: re.Pattern | None = None

    def learn(self, value: object, kind: str) -> None:
        if isinstance(value, str) and len(value) >= MIN_LENGTH and value not in self.secrets:
            self.secrets[value] = ALIASES.get(kind, kind)
            self._pattern = None

    def found_in(self, text: str) -> set[str]:
        if not self.secrets:
            return set()
        if self._pattern is None:
            alternatives = sorted(self.secrets, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(value) for value in alternatives))
        return {self.secrets[match] for match in self._pattern.findall(text)}

    def read_response(self, method: str, path: str, response) -> None:
        if getattr(response, "streaming", False):
            return  # files (media, exports): read by their own tests, and reading would consume them
        kinds = self.found_in(response.content.decode(errors="replace"))
        allowed = set().union(
            *(
                shown
                for pattern_method, pattern, shown in SHOWN_BY_DESIGN
                if re.fullmatch(pattern_method, method) and pattern.match(path)
            )
        )
        for kind in sorted(kinds - allowed):
            self.leaks.append(f"{kind} in the response to {method} {path}")

    def read_log_line(self, line: str, logger_name: str) -> None:
        for kind in sorted(self.found_in(line)):
            self.leaks.append(f"{kind} in a log line of {logger_name}: {line[:200]!r}")


class _LogReader(logging.Handler):
    def __init__(self, watch: SecretWatch) -> None:
        super().__init__(level=logging.DEBUG)
        self.watch = watch

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: logging itself reports it
            return
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        self.watch.read_log_line(f"{line}\n{record.exc_text or ''}", record.name)


def _settings_secrets(watch: SecretWatch) -> None:
    watch.learn(settings.SECRET_KEY, "SECRET_KEY")
    for key in settings.FIELD_ENCRYPTION_KEYS:
        watch.learn(key, "FIELD_ENCRYPTION_KEYS")
    for name in ("WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"):
        watch.learn(getattr(settings, name), name)


@contextmanager
def watching_for_secrets(monkeypatch) -> Iterator[SecretWatch]:
    """Installs the watch for as long as the context lasts (the whole test session)."""
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.test.client import Client
    from rest_framework.authtoken.models import Token

    from interactions.encrypted_fields import EncryptedTextField
    from security import api_tokens

    watch = SecretWatch()
    _settings_secrets(watch)

    original_prep = EncryptedTextField.get_prep_value

    def get_prep_value(self, value):
        watch.learn(value, f"{self.model.__name__}.{self.name}")
        return original_prep(self, value)

    original_generate = Token.generate_key

    def generate_key():
        key = original_generate()
        watch.learn(key, "DRF token")
        return key

    original_set_password = AbstractBaseUser.set_password

    def set_password(self, raw_password):
        if raw_password != self.get_username():  # the demo's users (supervisor / supervisor): printed, not secret
            watch.learn(raw_password, "password")
        return original_set_password(self, raw_password)

    original_hash_of = api_tokens.hash_of

    def hash_of(key):
        if key.startswith(api_tokens.TOKEN_PREFIX):
            watch.learn(key, "API token")
        return original_hash_of(key)

    original_request = Client.request

    def request(self, **request):
        response = original_request(self, **request)
        watch.read_response(request.get("REQUEST_METHOD", "GET"), request.get("PATH_INFO", ""), response)
        return response

    monkeypatch.setattr(EncryptedTextField, "get_prep_value", get_prep_value)
    monkeypatch.setattr(Token, "generate_key", staticmethod(generate_key))
    monkeypatch.setattr(AbstractBaseUser, "set_password", set_password)
    monkeypatch.setattr(api_tokens, "hash_of", hash_of)
    monkeypatch.setattr(Client, "request", request)
    reader = _LogReader(watch)
    logging.getLogger().addHandler(reader)
    try:
        yield watch
    finally:
        logging.getLogger().removeHandler(reader)
