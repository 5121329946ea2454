"""Roles in templates, asked of the same functions the views ask (interactions.roles)."""

from django import template

from interactions import roles

register = template.Library()


@register.filter
def may_supervise(user) -> bool:
    return roles.may_supervise(user)
