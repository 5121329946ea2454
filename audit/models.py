"""The audit log: who did what to which object, when and from where. Append-only: the database refuses to update
an entry, and deletes one only when a retention job says so (migration 0002)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditAction(models.TextChoices):
    CONFIG_ADDED = "config.added", "Configuration added"
    CONFIG_CHANGED = "config.changed", "Configuration changed"
    CONFIG_DELETED = "config.deleted", "Configuration deleted"
    ADMIN_ACTION = "admin.action", "Admin action run"
    ROLE_CHANGED = "role.changed", "Role changed"
    PERMISSION_CHANGED = "permission.changed", "Permission changed"
    PASSWORD_CHANGED = "password.changed", "Password changed"
    CONSENT_CHANGED = "consent.changed", "Consent changed"
    CUSTOMER_ERASED = "customer.erased", "Customer data erased"
    RETENTION_APPLIED = "retention.applied", "Retention applied"
    EXPORT = "export", "Export"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login.failed", "Failed sign-in"
    LOGOUT = "logout", "Signed out"


class AuditEntry(models.Model):
    """One recorded action. The user and object are kept by id without a database constraint, and named in text,
    so deleting either later neither touches the entry nor loses who or what it was."""

    recorded_at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (a task, a customer's message) and for anonymous visitors.",
    )
    username = models.CharField(max_length=150, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text='Field: {"old": …, "new": …}; secrets: "changed".')

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["action", "recorded_at"]),
            models.Index(fields=["user", "recorded_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.username or 'system'} at {self.recorded_at:%Y-%m-%d %H:%M:%S}"
