import re
from collections.abc import Iterable
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.admin_guard import GuardedModelForm
from core.locking import OptimisticLockMixin
from departments.models import Department

from .models import Pledge, Project, Term, Vision
from .services import pledge_stage_check


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class KoreanMarkedSelect(forms.Select):
    """A select whose Korean option labels (names stored only in Korean) say so:
    ``lang="ko"`` on the option, for English pages (WCAG 3.1.2).

    Rendered in Python, the same HTML as Django's select templates: the list's department
    select has an option per department (hundreds on a national platform), and rendering
    a template per option would cost more than the rest of the list page.
    """

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if re.search(r"[\uac00-\ud7a3]", str(label)):
            option["attrs"]["lang"] = "ko"
        return option

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>'
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs_html(option['attrs'])}>{conditional_escape(option['label'])}"
                    "</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")  # the form renderer strips the template output
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class ShownTermField(forms.TypedChoiceField):
    """``?term=N``: the term the page shows (``shown``, read already) is valid without
    reading every term; another number is checked against them."""

    shown: int | None = None

    def valid_value(self, value) -> bool:
        return (self.shown is not None and str(value) == str(self.shown)) or super().valid_value(
            value
        )


class PledgeFilterForm(forms.Form):
    """The pledge list's filter form; its fields are ``portal.filters.PledgeFilter``'s (one
    definition for the page, the API and the CSV). What depends on the term shown is set
    here: the terms, departments and visions offered. The filters live in the query
    string so a URL can be shared."""

    FILTERS = ("q", "stage", "department", "vision", "budget")  # what narrows the list

    def __init__(self, *args, term: Term, departments: Iterable[str] | None = None, **kwargs):
        """``departments``: the names the department select offers (the public list passes
        those with published pledges in ``term``); by default those with pledges in it.
        The choices are read when used (rendered, or a value checked): an open-data request
        that names no department reads none."""
        super().__init__(*args, **kwargs)
        # A finished term stays browsable: the list shows the chosen term (portal.selectors).
        self.fields["term"].choices = cache(
            lambda: [(t.number, t.name) for t in Term.objects.all()]
        )
        self.fields["term"].initial = term.number
        self.fields["term"].shown = term.number
        asked = self.data.get("department")

        @cache  # read once a form, however often it is checked or rendered
        def department_choices() -> list[tuple[str, str]]:
            names = departments
            if names is None:  # EXISTS, not JOIN … DISTINCT: an index probe a department
                in_term = Pledge.objects.filter(department=OuterRef("pk"), term=term)
                names = (
                    Department.objects.filter(Exists(in_term))
                    .order_by("name")
                    .values_list("name", flat=True)
                )
            names = list(names)
            if asked and asked not in names and Department.objects.filter(name=asked).exists():
                # A department with nothing (published) in this term, e.g. linked from its
                # page's "0 완료": kept, so the list shows its no pledges, not everyone's.
                names = sorted([*names, asked])
            return [(n, n) for n in names]

        @cache
        def vision_choices() -> list[tuple]:
            visions = Vision.objects.filter(term=term).order_by("number")
            return [
                ("", _("All")),
                *(
                    (pk, f"{n} {title}")
                    for pk, n, title in visions.values_list("pk", "number", "title")
                ),
            ]

        self.fields["department"].choices = department_choices
        self.fields["vision"].choices = vision_choices
        # the page offers the sorts; the reversed ones ("-code") are the open data's
        sort = self.fields["sort"]
        sort.widget.choices = [(v, label) for v, label in sort.choices if not v.startswith("-")]


class PledgeAdminForm(GuardedModelForm):
    """The whole card; a stage change needs the date it happened and a reason.

    The rule is ``services.pledge_stage_check``'s; the form only shows its errors.
    """

    stage_changed_on = forms.DateField(
        label=_("Date of the stage change"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Required when you change the stage. Given for the current stage, it confirms "
            "it: the stage is then shown as set by your department, not inferred."
        ),
    )

    class Meta:
        model = Pledge
        fields = ["stage"]  # PledgeAdmin's fieldsets add the rest of the card

    def clean(self):
        cleaned = super().clean()
        if "stage" in cleaned:
            try:
                pledge_stage_check(
                    pledge=self.instance,
                    stage=cleaned["stage"],
                    stage_changed_on=cleaned.get("stage_changed_on"),
                    reason=cleaned.get("change_reason", ""),
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error("change_reason" if name == "reason" else name, messages)
        return cleaned


class ProjectAdminForm(GuardedModelForm):
    """A sub-project's name, order and overview; its version is shared with its money grid."""

    class Meta:
        model = Project
        fields = ["pledge", "name", "position", "overview"]


class ProjectInlineForm(OptimisticLockMixin, forms.ModelForm):
    """A sub-project's row on its pledge's page, carrying the sub-project's own version.

    A sub-project is also edited on its own page and through its money grid, which move
    its version; the pledge's version does not cover those, so the row carries its own:
    a changed row opened before another save is refused, nothing overwritten.
    """

    check_unchanged = False

    class Meta:
        model = Project
        fields = ["name", "position", "overview"]
