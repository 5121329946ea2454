"""What the emulator needs to know to play Meta for one app: its business numbers and its limits."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessNumber:
    """A WhatsApp business phone number as the app knows it from Meta's dashboard."""

    phone_number_id: str
    display_phone_number: str
    waba_id: str
    access_token: str
    app_secret: str
    # What `GET /{phone-number-id}` tells about it.
    verified_name: str = "WhatsDesk Demo"
    quality_rating: str = "GREEN"
    messaging_limit: str = "TIER_250"  # whatsapp_business_manager_messaging_limit


@dataclass(frozen=True, slots=True, kw_only=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8010
    webhook_url: str = "http://127.0.0.1:8000/webhooks/whatsapp/"  # empty: no app subscribed, no webhooks sent
    # The Meta app the webhooks go to, as `GET /{waba-id}/subscribed_apps` names it.
    app_id: str = "980000000000001"
    app_name: str = "WhatsDesk"
    business_numbers: tuple[BusinessNumber, ...]
    messages_per_second: int = 80
    # Meta allows bursts of up to 45 messages in 6 s to one user before answering 131056.
    pair_rate_burst: int = 45
    pair_rate_window_seconds: float = 6.0
    delivered_after_seconds: float = 0.3
    # Meta retries for 7 days with decreasing frequency; scaled down, the last step repeats.
    webhook_retry_schedule: tuple[float, ...] = (1, 2, 4, 8, 16, 30, 60)
    webhook_max_attempts: int = 30
    webhook_timeout_seconds: float = 10.0
    webhook_workers: int = 4
    long_poll_max_seconds: float = 30.0
    typing_indicator_seconds: float = 25.0
    # Meta's media download URLs stop working after 5 minutes; ask `GET /{media-id}` again for a new one.
    media_url_ttl_seconds: float = 300.0
    # How many Graph API requests and webhook attempts the control API keeps for inspection (the newest).
    log_length: int = 10_000

    def __post_init__(self) -> None:
        if not self.business_numbers:
            raise ValueError("the emulator needs at least one business number")

    def business_number(self, phone_number_id: str) -> BusinessNumber | None:
        return next((n for n in self.business_numbers if n.phone_number_id == phone_number_id), None)

    def retry_delay(self, *, failed_attempts: int) -> float:
        """Seconds to wait after the n-th failed attempt (1-based)."""
        schedule = self.webhook_retry_schedule
        return schedule[min(failed_attempts, len(schedule)) - 1]
