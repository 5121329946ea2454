"""The stored values of system properties: one row per property changed from its default. What a property is (its
type, default and limits) lives in the registry, declared in code by the app that owns it."""

from django.conf import settings
from django.db import models


class StoredProperty(models.Model):
    key = models.CharField(max_length=100, primary_key=True)
    value = models.JSONField(help_text="Checked against the property's declaration before it is stored.")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "system property"
        verbose_name_plural = "system properties"

    def __str__(self) -> str:
        return self.key
