"""Numbers as the city prints them: 1,330 (백만원); unpublished values say so."""

import re
from decimal import Decimal

from django import template
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import gettext as _

from pledges import periods

register = template.Library()


def _blank() -> str:
    """A cell the card prints blank or "-": "–" on screen, said in words to screen readers.
    Not zero, and not hidden by anyone: the table's legend says what "–" means."""
    return format_html(
        '<span class="blank"><span aria-hidden="true">–</span>'
        '<span class="visually-hidden">{}</span></span>',
        _("blank"),
    )


@register.filter
def amount(value) -> str:
    """1330 → "1,330"; None (no printed cell) → "–"."""
    if value is None or value == "":
        return _blank()
    return f"{value:,}"


@register.filter
def rate(value: Decimal | None) -> str:
    """12.3 → "12.3%", never capped; None (nothing to divide) → "–"."""
    if value is None:
        return _blank()
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


_LINE_REFERENCE = re.compile(r"\s*\((?:\d{3} )?lines? [\d–\-, ]+(?::[^)]*)?\)")
_INNER_LINE_REFERENCE = re.compile(r",\s*(?:\d{3} )?lines? [\d–\-, ]*\d(?=\))")


@register.filter
def public_text(value: str) -> str:
    """An inference reason or note without the seed's line references ("(line 98)"): the
    page names its source document in "자료 근거"; the open data keeps the references."""
    return _INNER_LINE_REFERENCE.sub("", _LINE_REFERENCE.sub("", value or ""))


@register.filter
def reading_badge(note: str) -> str:
    """What happened to an official's printed entry, from its note: 판독 불가 (the extraction
    damaged it beyond reading), 복원 (recovered from another card), or 추정 (inferred)."""
    if not note:
        return ""
    if "판독 불가" in note:
        label, kind = _("unreadable in the extraction"), "damaged"
    elif "복원" in note:
        label, kind = _("recovered"), "recovered"
    else:
        label, kind = _("inferred"), "inferred"
    return format_html('<span class="badge badge-{}">{}</span>', kind, label)
