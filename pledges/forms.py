import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from departments.admin_guard import GuardedModelForm
from departments.locking import OptimisticLockMixin
from departments.models import Department

from .models import BudgetType, Pledge, Project, Stage, Term, Vision
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
    select has an option per department (hundreds on a national platform), and a template
    per option was a third of the list page's time (issue 16).
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


class PledgeFilterForm(forms.Form):
    """The pledge list's filters; they live in the query string so a URL can be shared."""

    FILTERS = ("q", "stage", "department", "vision", "budget")  # what narrows the list
    SORTS = {
        "code": ["sort_key"],
        # Pledges without a rate (non-budget, unpublished) come last on every database;
        # the expression is the one indexed (Pledge.RATE_ORDER), so pages come from it.
        "rate": [Pledge.RATE_ORDER.desc(), "sort_key"],
        "updated": ["-updated_at", "sort_key"],
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    term = forms.TypedChoiceField(
        label=_("Term"), required=False, coerce=int, widget=KoreanMarkedSelect
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    # Plain choices read as values (name; id and "number title"), not model choices: no
    # model instance per option, no server-side cursor per select (issue 16).
    department = forms.ChoiceField(label=_("Department"), required=False, widget=KoreanMarkedSelect)
    vision = forms.TypedChoiceField(
        label=_("Vision"), required=False, coerce=int, empty_value=None, widget=KoreanMarkedSelect
    )
    budget = forms.ChoiceField(label=_("Budget"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Best match")),
            ("code", _("Code")),
            ("rate", _("Execution rate")),
            ("updated", _("Last update")),
        ],
    )

    def __init__(self, *args, term: Term, departments: list[str] | None = None, **kwargs):
        """``departments``: the names the department select offers (the public list passes
        those with published pledges in ``term``); by default those with pledges in it."""
        super().__init__(*args, **kwargs)
        # A finished term stays browsable: the list shows the chosen term (portal.selectors).
        self.fields["term"].choices = [(t.number, t.name) for t in Term.objects.all()]
        self.fields["term"].initial = term.number
        self.fields["stage"].choices = [("", _("All")), *Stage.choices]
        self.fields["budget"].choices = [("", _("All")), *BudgetType.choices]
        if departments is None:  # EXISTS, not JOIN … DISTINCT: an index probe a department
            in_term = Pledge.objects.filter(department=OuterRef("pk"), term=term)
            departments = (
                Department.objects.filter(Exists(in_term))
                .order_by("name")
                .values_list("name", flat=True)
            )
        departments = list(departments)
        asked = self.data.get("department")
        if asked and asked not in departments and Department.objects.filter(name=asked).exists():
            # A department with nothing (published) in this term, e.g. linked from its page's
            # "0 완료": kept, so the list shows its no pledges rather than everyone's.
            departments = sorted([*departments, asked])
        self.fields["department"].choices = [("", _("All")), *((n, n) for n in departments)]
        visions = (
            Vision.objects.filter(term=term).order_by("number").values_list("pk", "number", "title")
        )
        self.fields["vision"].choices = [
            ("", _("All")),
            *((pk, f"{number} {title}") for pk, number, title in visions),
        ]

    def filter(self, queryset):
        """Apply the valid filters; an invalid value is ignored rather than failing the page."""
        self.is_valid()  # cleaned_data then holds only the valid fields
        data = self.cleaned_data
        searching = bool((data.get("q") or "").strip())
        if searching:
            queryset = queryset.search(data["q"])
        if data.get("stage"):
            queryset = queryset.filter(stage=data["stage"])
        if data.get("department"):
            queryset = queryset.filter(department__name=data["department"])
        if data.get("vision"):
            queryset = queryset.filter(vision_id=data["vision"])
        if data.get("budget"):
            queryset = queryset.filter(budget_type=data["budget"])
        # the list page's default is the best match (the code order without a search)
        return self.ordered(queryset, data.get("sort") or "relevance", searching=searching)

    @classmethod
    def ordered(cls, queryset, sort: str, *, searching: bool):
        """``queryset`` in the order ``sort`` names (the list page's and the open data's):
        "relevance" with a search is the best match first (a title before a milestone), then
        as people read codes; an unknown sort, or relevance without a search, is by code."""
        if searching and sort == "relevance":
            return queryset.order_by("search_rank", *cls.SORTS["code"])
        return queryset.order_by(*cls.SORTS.get(sort, cls.SORTS["code"]))


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
