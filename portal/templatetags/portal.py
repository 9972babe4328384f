"""Numbers as the city prints them: 1,330 (백만원); unpublished values say so."""

from decimal import Decimal

from django import template
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import gettext as _

from pledges import periods

register = template.Library()


@register.filter
def amount(value) -> str:
    """1330 → "1,330"; None → a marked "미공개 / not published"."""
    if value is None or value == "":
        return format_html('<span class="not-published">{}</span>', _("not published"))
    return f"{value:,}"


@register.filter
def rate(value: Decimal | None) -> str:
    if value is None:
        return format_html('<span class="not-published">{}</span>', _("not published"))
    return f"{value}%"


@register.filter
def bar_width(value: Decimal | float | None) -> str:
    """A progress bar's width in percent, capped at 100 (a rate above 100 % still shows full)."""
    if value is None:
        return "0"
    return str(min(Decimal(str(value)), Decimal(100)).quantize(Decimal("0.1")))


@register.filter
def period_label(value: str) -> str:
    return str(periods.label(value))


@register.filter
def get(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def translated_url(context, language: str) -> str:
    """This page's URL in another language (/pledges/ ↔ /en/pledges/), query string kept."""
    return translate_url(context["request"].get_full_path(), language)
