"""Who may erase a customer's data: admins (the role holds this permission) and superusers; never managers or
agents. The admin actions and the API ask this one function."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ERASE_PERMISSION = "consent.delete_consentrecord"


def may_erase_customers(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and user.has_perm(ERASE_PERMISSION)
