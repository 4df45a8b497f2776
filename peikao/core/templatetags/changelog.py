"""``{% described entries as rows %}``: change-log entries as people read them (``core.changelog_display``)."""

from django import template

from peikao.core.changelog_display import describe

register = template.Library()


@register.simple_tag
def described(entries):
    return describe(entries)
