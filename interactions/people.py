"""How a person (an agent, a manager) is named: to colleagues by their full name, else their username; to
customers by their first name only, else a phrase (a login name is never shown to a customer)."""

from django.contrib.auth.models import AbstractBaseUser


def person_name(user: AbstractBaseUser | None) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


def name_for_customers(user: AbstractBaseUser | None, *, otherwise: str) -> str:
    first_name = (getattr(user, "first_name", "") or "").strip() if user is not None else ""
    return first_name or otherwise
