"""Accounts (business customers) and their contacts. A channel user whose number is a contact's phone is
recognised as that contact, unless an agent linked them to another (or to none)."""

from django.conf import settings
from django.db import models


class Account(models.Model):
    name = models.CharField(max_length=255, unique=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True)
    first_name = models.CharField(max_length=120)
    last_name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactPhone(models.Model):
    """Stored as the channel addresses customers: E.164 digits without the "+", so a match is one equality."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, unique=True, help_text="E.164 digits without +, e.g. 4915112345678.")
    label = models.CharField(max_length=40, blank=True, help_text="e.g. mobile, office.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"+{self.number}"


class ContactLink(models.Model):
    """An agent's word on who a channel user is; it beats the phone match. An empty contact means "not the
    contact their number matches", so an unlinked customer stays unlinked."""

    channel_user = models.OneToOneField(
        "interactions.ChannelUser", on_delete=models.CASCADE, related_name="contact_link"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="links", null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.channel_user} → {self.contact or 'nobody'}"
