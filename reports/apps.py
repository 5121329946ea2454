from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Managers' reports: reads interactions, routing and consent; nothing imports it but config's URLs."""

    name = "reports"
    verbose_name = "Reports"
