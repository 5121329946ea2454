"""Readable numbers (CS0001001, REQ0001001): one counter row per prefix, bumped under its row lock."""

from django.db import models


class NumberSequence(models.Model):
    """The last number given out for a prefix. The row is locked until the numbered record commits, so two
    concurrent requests never share a number and a rolled-back one leaves no gap."""

    prefix = models.CharField(max_length=8, primary_key=True)
    last_value = models.PositiveBigIntegerField(default=1000)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_value:07d}"
