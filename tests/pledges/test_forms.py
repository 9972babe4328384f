"""The list's selects are rendered in Python: the same HTML as Django's templates."""

import pytest
from django import forms
from django.http import QueryDict

from pledges.forms import KoreanMarkedSelect
from pledges.models import Term
from portal.filters import PledgeFilter
from publications.models import Publication

pytestmark = pytest.mark.django_db


def test_the_filter_selects_render_exactly_as_djangos_templates():
    term = Term.objects.get(is_current=True)
    form = PledgeFilter(
        QueryDict("department=공공건축과&term=8"), Publication.objects.none(), term=term
    ).form
    form.is_valid()
    compared = 0
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, KoreanMarkedSelect):
            value = bound.value()
            attrs = {"id": bound.auto_id}
            fast = widget.render(bound.html_name, value, attrs)
            assert fast == forms.Select.render(widget, bound.html_name, value, attrs)
            compared += 1
    assert compared == 3  # term, department, vision
    assert 'value="공공건축과" selected lang="ko">공공건축과</option>' in str(form["department"])


def test_groups_odd_labels_and_attributes_render_as_djangos_templates():
    widget = KoreanMarkedSelect(
        attrs={"class": "a&b", "required": True, "disabled": False, "data-n": 3},
        choices=[
            ("", "All"),
            ("group <1>", [("x", 'x "quoted" <b>'), ("y", "한글 & more")]),
            (7, "seven"),
        ],
    )
    for value in ("", "y", 7, None):
        assert widget.render("f", value, {"id": "id_f"}) == forms.Select.render(
            widget, "f", value, {"id": "id_f"}
        )
